// Project — a Keystone project: a tenant. Cluster-scoped; becomes a Namespace of the same
// name with RoleBindings, a ResourceQuota, a Kube-OVN Vpc and a default security group.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import { baseStatus, description, displayName, immutable, tags, withRules } from './meta.js';

/**
 * Keystone's default roles, each implying the ones before it: `reader` sees the project's
 * objects, `member` also creates and changes them, `admin` also manages the project itself.
 */
export const PROJECT_ROLES = ['reader', 'member', 'admin'] as const;
export const projectRole = z
  .enum(PROJECT_ROLES)
  .describe(
    'Role in the project: reader (read-only), member (create and change objects) or admin (also manage the project). Each role implies the ones before it, as in Keystone.',
  );

/** The Keystone domain; Stratus has one domain today, `Default` (ID `default`). */
export function domainField(what: string) {
  return withRules(
    z
      .string()
      .min(1)
      .max(64)
      .default('Default')
      .describe(
        `Name of the Keystone domain that owns the ${what}. Stratus has one domain, Default (ID default). Immutable, as in Keystone.`,
      ),
    [immutable('domain')],
  );
}

/** A quota: a count that may not be exceeded, or -1 for unlimited (OpenStack semantics). */
function limit(what: string, openstack: string, def: number, max = 1_000_000_000) {
  return z
    .int()
    .min(-1)
    .max(max)
    .default(def)
    .describe(`${what}; -1 means unlimited. OpenStack: ${openstack} (default ${def}).`);
}

export const projectQuota = z
  .object({
    // Nova
    instances: limit('Number of instances', 'Nova instances', 10),
    cores: limit('Number of virtual CPUs across all instances', 'Nova cores', 20),
    ramMiB: limit('Memory in MiB across all instances', 'Nova ram', 51_200),
    keyPairs: limit('Number of key pairs', 'Nova key_pairs', 100),
    // Cinder
    volumes: limit('Number of volumes', 'Cinder volumes', 10),
    snapshots: limit('Number of volume snapshots', 'Cinder snapshots', 10),
    volumeGiB: limit('Total size in GiB of all volumes and snapshots', 'Cinder gigabytes', 1_000),
    perVolumeGiB: limit('Largest size in GiB of a single volume', 'Cinder per_volume_gigabytes', -1),
    // Neutron
    networks: limit('Number of networks', 'Neutron network', 100),
    subnets: limit('Number of subnets', 'Neutron subnet', 100),
    ports: limit('Number of ports', 'Neutron port', 500),
    routers: limit('Number of routers', 'Neutron router', 10),
    floatingIPs: limit('Number of floating IPs', 'Neutron floatingip', 50),
    securityGroups: limit('Number of security groups', 'Neutron security_group', 10),
    securityGroupRules: limit('Number of security group rules', 'Neutron security_group_rule', 100),
  })
  .prefault({})
  .describe(
    'Quotas of the project, as Nova, Cinder and Neutron count them; every field has the OpenStack default. Enforced by admission (and by a ResourceQuota where Kubernetes can count).',
  );

/** What the project currently uses, same keys as the quota. */
const usage = z
  .object(
    Object.fromEntries(
      Object.keys(projectQuota.unwrap().shape).map((key) => [
        key,
        z.int().min(0).optional().describe(`Amount in use counted against quota.${key}.`),
      ]),
    ) as Record<keyof z.infer<typeof projectQuota>, z.ZodOptional<z.ZodInt>>,
  )
  .describe('What the project uses now, in the units of spec.quota.');

export const projectMember = z
  .object({
    kind: z
      .enum(['User', 'Group'])
      .default('User')
      .describe('Kind of Kubernetes subject: User or Group, as the cluster authenticates them.'),
    name: z
      .string()
      .min(1)
      .max(253)
      .describe('Name of the Kubernetes user or group, exactly as the cluster authenticates it.'),
    role: projectRole,
  })
  .describe('A Kubernetes user or group and its role in the project.');

export const projectSpec = z
  .object({
    displayName,
    description,
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Whether the project is enabled. Nobody can obtain a token scoped to a disabled project; its objects keep running.',
      ),
    domain: domainField('project'),
    tags,
    quota: projectQuota,
    members: z
      .array(projectMember)
      .max(256)
      .optional()
      .meta({
        description:
          'Kubernetes subjects (users and groups the cluster itself authenticates, e.g. through OIDC) and their roles in the project; they become RoleBindings in the project namespace. Stratus Users are not listed here: a User gets its roles from its own spec.projects.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['kind', 'name'],
      }),
  })
  .describe('Desired state of the project.');

export const projectStatus = z
  .object({
    ...baseStatus,
    namespace: z
      .string()
      .max(63)
      .optional()
      .describe("Name of the project's Namespace (the same as the project's name)."),
    vpc: z.string().max(253).optional().describe('Name of the Kube-OVN Vpc that holds the project networks.'),
    defaultSecurityGroup: z
      .string()
      .max(63)
      .optional()
      .describe('Name of the SecurityGroup named default that every port gets unless told otherwise.'),
    usage: usage.optional(),
  })
  .describe('Observed state of the project.');

const RESERVED_NAMES = ['default'];
const RESERVED_PREFIXES = ['kube-', 'stratus-'];

export const Project = defineKind({
  kind: 'Project',
  plural: 'projects',
  singular: 'project',
  shortNames: ['proj'],
  scope: 'Cluster',
  openstack: 'Keystone project',
  description:
    'Project is a tenant, like a Keystone project. Cluster-scoped: each project becomes a Namespace of the same name, where its instances, volumes and networks live, with RoleBindings, a ResourceQuota, a Kube-OVN Vpc and a default security group.',
  spec: projectSpec,
  status: projectStatus,
  // No fieldPath: the CRD schema does not describe metadata, so the messages name the field.
  rootRules: [
    {
      rule: "self.metadata.name.size() <= 63 && self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
      message:
        'metadata.name must be a DNS label (lowercase letters, digits and -, at most 63 characters): it becomes the name of the Namespace',
    },
    {
      rule: `!(self.metadata.name in ${JSON.stringify(RESERVED_NAMES).replaceAll('"', "'")}) && ${RESERVED_PREFIXES.map(
        (p) => `!self.metadata.name.startsWith('${p}')`,
      ).join(' && ')}`,
      message: `metadata.name is reserved: projects may not be named ${RESERVED_NAMES.join(', ')} or start with ${RESERVED_PREFIXES.join(' or ')}`,
    },
  ],
  printerColumns: [
    column('Display-Name', 'string', '.spec.displayName', 'OpenStack name'),
    column('Enabled', 'boolean', '.spec.enabled', 'Whether the project is enabled'),
    {
      name: 'Namespace',
      type: 'string',
      jsonPath: '.status.namespace',
      description: "The project's Namespace",
    },
    wideColumn('Domain', 'string', '.spec.domain', 'Keystone domain'),
    wideColumn('VPC', 'string', '.status.vpc', 'Kube-OVN Vpc'),
  ],
});

export type ProjectObject = KindObject<typeof Project>;
