// The ApiFault a call throws, for tests that check a refusal's code and words.
import type { ApiFault } from '../../errors.js';

export function faultOf(fn: () => unknown): ApiFault | undefined {
  try {
    fn();
  } catch (error) {
    return error as ApiFault;
  }
  return undefined;
}
