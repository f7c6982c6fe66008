// Nova's microversions. Only 2.1 is implemented, so only 2.1 is advertised; a request for a
// later one gets 406, as from a Nova that predates it (negotiation: framework/microversion.ts).
import type { MicroversionPolicy } from '../framework/microversion.js';

export const MIN_MICROVERSION = '2.1';
export const MAX_MICROVERSION = '2.1';

export const novaMicroversions: MicroversionPolicy = {
  service: 'compute',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
  min: MIN_MICROVERSION,
  max: MAX_MICROVERSION,
  under: '/v2.1',
};
