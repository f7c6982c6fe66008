// Every kind's admission rules. The server dispatches by resource plural.
import type { KindAdmission } from '../context.js';

export const admissions: KindAdmission[] = [];
