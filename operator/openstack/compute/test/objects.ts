// Objects of the kinds for Nova's unit tests, as the cache holds them: the spec given
// is parsed by the kind's own schema, so defaults are applied and a bad one fails the test.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import { z } from 'zod';
import { Flavor } from '../../../kinds/flavor.js';
import { Image } from '../../../kinds/image.js';
import { Instance } from '../../../kinds/instance.js';
import type { KindDefinition, KindObject } from '../../../kinds/kind.js';
import { KeyPair } from '../../../kinds/keypair.js';
import { API_VERSION } from '../../../kinds/meta.js';
import { Network } from '../../../kinds/network.js';
import { Port } from '../../../kinds/port.js';
import { SecurityGroup } from '../../../kinds/securitygroup.js';

const objectOf =
  <Spec extends z.ZodType, Status extends z.ZodType>(definition: KindDefinition<Spec, Status>) =>
  (
    metadata: V1ObjectMeta,
    spec: z.input<Spec>,
    status?: z.input<Status>,
  ): KindObject<KindDefinition<Spec, Status>> => ({
    apiVersion: API_VERSION,
    kind: definition.kind,
    metadata,
    spec: z.parse(definition.spec, spec),
    ...(status ? { status: z.parse(definition.status, status) } : {}),
  });

export const flavor = objectOf(Flavor);
export const image = objectOf(Image);
export const instance = objectOf(Instance);
export const keyPair = objectOf(KeyPair);
export const network = objectOf(Network);
export const port = objectOf(Port);
export const securityGroup = objectOf(SecurityGroup);
