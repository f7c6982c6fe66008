// The chart runs `node dist/operator/api/main.js`; the OpenStack API lives in operator/api-server/.
import { runMain } from '../api-server/main.js';

runMain();
