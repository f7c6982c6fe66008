// Nova request bodies (zod), built from shared fragments as nova/api/openstack/compute/schemas
// builds them. Only microversion 2.1 is served, so each body has one schema; a later
// microversion that changes a body adds its own beside it (`serverCreate` → `serverCreateV2_xx`)
// and the route picks one by the request's microversion.
import { z } from 'zod';
import { KEYPAIR_NAME } from '../../kinds/keypair.js';

/** Nova's `name` (server names and the like): 1–255 characters. */
const name = z.string().min(1).max(255);
/** Nova's free-text `accessIPv4`/`accessIPv6`, accepted and ignored. */
const accessIP = z.string().optional();
const diskConfig = z.enum(['AUTO', 'MANUAL']).optional();
/** A list Nova accepts but Stratus does not implement yet: only the empty list passes. */
const unsupportedList = (why: string) => z.array(z.unknown()).max(0, why).optional();
const noBlockDevices = unsupportedList('block device mapping is not supported yet; boot from an image');

export const keyPairCreate = z.strictObject({
  keypair: z.strictObject({
    name: name.regex(KEYPAIR_NAME, "may only hold letters, digits, spaces, '@', '.', '_' and '-'"),
    public_key: z.string().min(1).max(16_384).optional(),
    type: z.enum(['ssh', 'x509']).optional(),
  }),
});

export type KeyPairCreateRequest = z.output<typeof keyPairCreate>['keypair'];

const networkEntry = z.strictObject({
  uuid: name.optional(),
  port: name.optional(),
  fixed_ip: z.string().min(1).max(45).optional(),
  tag: z.string().optional(),
});

export const serverCreate = z.strictObject({
  server: z.strictObject({
    name,
    imageRef: z.string().max(255).optional(),
    flavorRef: z.union([name, z.number()]).transform(String),
    key_name: name.optional(),
    networks: z.union([z.array(networkEntry).max(16), z.enum(['auto', 'none'])]).optional(),
    security_groups: z.array(z.strictObject({ name })).max(16).optional(),
    user_data: z
      .string()
      .max(65_535)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
      .optional(),
    metadata: z.record(name, z.string().max(255)).optional(),
    availability_zone: name.optional(),
    config_drive: z.union([z.boolean(), z.string()]).optional(),
    min_count: z.union([z.int(), z.string()]).optional(),
    max_count: z.union([z.int(), z.string()]).optional(),
    return_reservation_id: z.boolean().optional(),
    adminPass: z.string().optional(),
    accessIPv4: accessIP,
    accessIPv6: accessIP,
    personality: unsupportedList('file injection (personality) is not supported'),
    'OS-DCF:diskConfig': diskConfig,
    block_device_mapping_v2: noBlockDevices,
    block_device_mapping: noBlockDevices,
  }),
  'os:scheduler_hints': z.record(z.string(), z.unknown()).optional(),
  'OS-SCH-HNT:scheduler_hints': z.record(z.string(), z.unknown()).optional(),
});

export type ServerCreateRequest = z.output<typeof serverCreate>['server'];

export const serverUpdate = z.strictObject({
  server: z.strictObject({
    name: name.optional(),
    accessIPv4: accessIP,
    accessIPv6: accessIP,
    'OS-DCF:diskConfig': diskConfig,
  }),
});

/** The server actions' bodies (POST /servers/{id}/action): one key, the action's name. */
export const osStart = z.strictObject({ 'os-start': z.null() });
export const osStop = z.strictObject({ 'os-stop': z.null() });
export const reboot = z.strictObject({
  reboot: z.strictObject({ type: z.enum(['SOFT', 'HARD', 'soft', 'hard']) }),
});
