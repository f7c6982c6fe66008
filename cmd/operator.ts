// Entry point of the operator: the controllers, leader election, /metrics and health.
import { runOperatorProcess } from '../operator/process.js';
import { runProcess } from './run.js';

runProcess('operator', runOperatorProcess);
