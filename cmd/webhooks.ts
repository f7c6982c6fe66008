// Entry point of the admission webhooks: defaulting and cross-object validation over HTTPS.
import { runWebhooksProcess } from '../webhooks/process.js';
import { runProcess } from './run.js';

runProcess('webhooks', runWebhooksProcess);
