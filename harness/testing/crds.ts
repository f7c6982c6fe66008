import { inject } from 'vitest';
import { applyCrds } from '../crds.js';

/** Apply every CRD under crds/ to the control plane under test; returns their names. */
export function installCrds(): string[] {
  return applyCrds(inject('kubectl'), inject('kubeconfig'));
}
