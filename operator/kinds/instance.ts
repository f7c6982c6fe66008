// Instance — a Nova server: a virtual machine booted from an Image (root disk cloned from
// the image's golden disk) or from a Volume, with NICs on networks or ports, security groups,
// attached volumes and cloud-init. Becomes a KubeVirt VirtualMachine.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import {
  baseStatus,
  description,
  displayName,
  immutable,
  ipAddress,
  localName,
  MAC_ADDRESS,
  metadataMap,
  sharedRef,
  tags,
  withRules,
  subdomainName,
} from './meta.js';

/** Nova server statuses Stratus reports, spelled as Nova spells them. */
export const INSTANCE_STATES = [
  'BUILD',
  'ACTIVE',
  'SHUTOFF',
  'REBOOT',
  'HARD_REBOOT',
  'MIGRATING',
  'ERROR',
  'DELETED',
  'UNKNOWN',
] as const;

/** Nova task states (OS-EXT-STS:task_state) Stratus reports while something is in flight. */
export const TASK_STATES = [
  'scheduling',
  'block_device_mapping',
  'networking',
  'spawning',
  'powering-off',
  'powering-on',
  'rebooting',
  'rebooting_hard',
  'migrating',
  'deleting',
] as const;

/** Nova power states (OS-EXT-STS:power_state, by name: 0 NOSTATE ... 7 SUSPENDED). */
export const POWER_STATES = ['NOSTATE', 'RUNNING', 'PAUSED', 'SHUTDOWN', 'CRASHED', 'SUSPENDED'] as const;

/** `has(self.f) == has(oldSelf.f) && (...)`: an optional field that cannot be added, changed or removed. */
function optionalImmutable(field: string, message: string) {
  return {
    rule: `has(self.${field}) == has(oldSelf.${field}) && (!has(self.${field}) || self.${field} == oldSelf.${field})`,
    message,
    fieldPath: `.${field}`,
  };
}

/** The same schema with another description (zod's describe() would drop the other metadata). */
function redescribe<T extends z.ZodType>(schema: T, text: string): T {
  return schema.meta({ ...(schema.meta() ?? {}), description: text });
}

const date = (text: string) => z.string().meta({ format: 'date-time' }).describe(text);

export const instanceNetwork = withRules(
  z.object({
    network: sharedRef('network')
      .optional()
      .describe(
        'Attach a new NIC to this Network (Nova networks[].uuid): one in this namespace, or a shared external network in stratus-public. An address is allocated from its subnets.',
      ),
    port: localName(
      'Attach the NIC of this Port (Nova networks[].port), in this namespace; the port brings its own addresses, MAC and security groups.',
    ).optional(),
    fixedIPs: z
      .array(ipAddress('A fixed IPv4 or IPv6 address, inside one of the network’s subnets.'))
      .max(8)
      .optional()
      .meta({
        description:
          'Fixed addresses to request on the network (Nova networks[].fixed_ip; one per subnet, e.g. an IPv4 and an IPv6 one). Only with network; omit to have addresses allocated.',
        'x-kubernetes-list-type': 'set',
      }),
  }),
  [
    {
      rule: 'has(self.network) != has(self.port)',
      message: 'set exactly one of network (a new NIC on a network) or port (the NIC of an existing port)',
    },
    {
      rule: '!has(self.fixedIPs) || has(self.network)',
      message: 'fixedIPs are only for network NICs; a port carries its own fixed IPs',
      fieldPath: '.fixedIPs',
    },
  ],
  'One NIC of the instance: exactly one of network or port.',
);

export const instanceVolume = z
  .object({
    volume: localName('Name of the Volume to attach, in this namespace.'),
    device: z
      .string()
      .max(32)
      .regex(/^\/dev\/(vd|sd|xvd|hd)[a-z]{1,2}$/)
      .optional()
      .describe(
        'Requested device name in the guest (Nova device), e.g. /dev/vdb; a hint the guest may not honour. Omit for the next free one.',
      ),
    bootIndex: z
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'Position in the boot order after the root disk (Nova boot_index; the root disk is 0). Omit for a data volume that is never booted.',
      ),
  })
  .describe('A Volume attached to the instance.');

export const rebootRequest = withRules(
  z.object({
    id: z
      .string()
      .min(1)
      .max(128)
      .describe(
        'Any token unique to this request, e.g. a timestamp or the OpenStack request ID. Each new id asks for one reboot; the controller reboots when it differs from status.lastReboot.id, so re-applying the same id never reboots twice.',
      ),
    type: z
      .enum(['SOFT', 'HARD'])
      .default('SOFT')
      .describe(
        'SOFT asks the guest OS to restart (ACPI), falling back to HARD if it does not; HARD power-cycles the VM (Nova reboot type).',
      ),
    requestedAt: date('When the reboot was requested; informational.').optional(),
  }),
  [
    {
      rule: 'self.id != oldSelf.id || self.type == oldSelf.type',
      message: 'rebootRequest.type cannot change for the same id; use a new id to request another reboot',
      fieldPath: '.type',
    },
  ],
  'Ask for a reboot (Nova reboot action), level-triggered: set a new id to reboot once. Ignored while powerState is Stopped.',
);

export const instanceSpec = withRules(
  z.object({
    displayName,
    description,
    flavor: withRules(
      subdomainName('Name of the Flavor (cluster-scoped) that sizes the instance: vCPUs, RAM and root disk.'),
      [
        {
          rule: 'self == oldSelf',
          message:
            'flavor is immutable: resize is not supported yet; create a new instance with the new flavor',
        },
      ],
    ),
    image: sharedRef('image')
      .optional()
      .describe(
        'Boot from this Image (Nova imageRef): the root disk is a copy-on-write clone of it. In this namespace, or a public image in stratus-public. Exactly one of image or bootVolume. Immutable (rebuild is not supported).',
      ),
    bootVolume: localName(
      'Boot from this Volume in this namespace (Nova block_device_mapping_v2 with boot_index 0); it must hold a bootable disk. Exactly one of image or bootVolume. Immutable.',
    ).optional(),
    rootDiskGiB: z
      .int()
      .min(1)
      .max(65_536)
      .optional()
      .describe(
        'Root disk size in GiB when booting from an image; overrides the flavor’s diskGiB (and is required when that is 0 and the image is larger than its data). Immutable.',
      ),
    keyName: localName(
      'Name of the KeyPair in this namespace whose public key cloud-init installs (Nova key_name). Immutable.',
    ).optional(),
    userData: z
      .string()
      .max(65_535)
      .optional()
      .describe(
        'User data for cloud-init as plain text, e.g. a #cloud-config document or a script (Nova user_data, decoded). At most one of userData and userDataBase64. Immutable (rebuild is not supported).',
      ),
    userDataBase64: z
      .string()
      .max(65_535)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/)
      .optional()
      .describe(
        'User data base64-encoded, exactly as the Nova API takes it (user_data); for binary or compressed data. At most one of userData and userDataBase64. Immutable.',
      ),
    metadata: redescribe(
      metadataMap,
      'Nova server metadata: free key/value pairs, also served to the guest through the metadata service and config drive (at most 128 entries).',
    ),
    tags: redescribe(tags, 'Nova server tags.'),
    availabilityZone: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe(
        'Availability zone to place the instance in (Nova availability_zone); omit for any. Immutable.',
      ),
    hostname: subdomainName(
      'Hostname of the guest (Nova hostname), a DNS name such as web-1 or web-1.example.com. Omit to derive it from metadata.name. Applied at the next boot.',
    ).optional(),
    configDrive: withRules(
      z
        .boolean()
        .default(true)
        .describe(
          'Give the guest a config drive (cloud-init ConfigDrive: metadata, user data, keys, network config). When false the guest gets a NoCloud disk instead. Immutable.',
        ),
      [immutable('configDrive')],
    ),
    networks: withRules(
      z.array(instanceNetwork).max(16).optional(),
      [
        {
          rule: 'self.all(n, !has(n.port) || self.exists_one(m, has(m.port) && m.port == n.port))',
          message: 'a port can be attached only once; remove the duplicate networks entry',
        },
      ],
      'NICs in order (the first is the primary interface): each a new NIC on a network or the NIC of a port (Nova networks). Omit or leave empty for no network (Nova networks "none"). Changing the list hot-plugs or unplugs NICs.',
    ),
    securityGroups: z.array(localName('Name of a SecurityGroup in this namespace.')).max(16).optional().meta({
      description:
        "SecurityGroups applied to the instance's network NICs (Nova security_groups); NICs from ports use the port's own groups. Omit for the project's default group.",
      'x-kubernetes-list-type': 'set',
    }),
    volumes: withRules(
      z
        .array(instanceVolume)
        .max(32)
        .optional()
        .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['volume'] }),
      [
        {
          rule: 'self.all(v, !has(v.device) || self.exists_one(w, has(w.device) && w.device == v.device))',
          message: 'each volume needs its own device; two volumes request the same device name',
        },
        {
          rule: 'self.all(v, !has(v.bootIndex) || self.exists_one(w, has(w.bootIndex) && w.bootIndex == v.bootIndex))',
          message: 'each bootIndex may be used by one volume only',
        },
      ],
      'Volumes to attach, beyond the root disk (Nova volume attachments). Changing the list hot-plugs or unplugs them.',
    ),
    powerState: z
      .enum(['Running', 'Stopped'])
      .default('Running')
      .describe(
        'Whether the instance should run: Running (Nova start) or Stopped (Nova stop, status SHUTOFF). Stopping keeps disks and addresses.',
      ),
    rebootRequest: rebootRequest.optional(),
  }),
  [
    {
      rule: 'has(self.image) != has(self.bootVolume)',
      message: 'set exactly one of image (boot from an image) or bootVolume (boot from a volume)',
    },
    {
      rule: '!has(self.rootDiskGiB) || has(self.image)',
      message: 'rootDiskGiB applies only when booting from an image; a boot volume has its own size',
      fieldPath: '.rootDiskGiB',
    },
    {
      rule: '!(has(self.userData) && has(self.userDataBase64))',
      message: 'set at most one of userData (plain text) and userDataBase64',
      fieldPath: '.userDataBase64',
    },
    {
      rule: '!has(self.bootVolume) || !has(self.volumes) || self.volumes.all(v, v.volume != self.bootVolume)',
      message: 'the boot volume is attached already; remove it from volumes',
      fieldPath: '.volumes',
    },
    optionalImmutable(
      'image',
      'image is immutable (rebuild is not supported); create a new instance from the other image',
    ),
    optionalImmutable(
      'bootVolume',
      'bootVolume is immutable; create a new instance to boot from another volume',
    ),
    optionalImmutable(
      'rootDiskGiB',
      'rootDiskGiB is immutable (resize is not supported yet); create a new instance instead',
    ),
    optionalImmutable(
      'keyName',
      'keyName is immutable (as in Nova); create a new instance with the other keypair',
    ),
    optionalImmutable(
      'userData',
      'userData is immutable (rebuild is not supported); create a new instance with the new user data',
    ),
    optionalImmutable(
      'userDataBase64',
      'userDataBase64 is immutable (rebuild is not supported); create a new instance with the new user data',
    ),
    optionalImmutable(
      'availabilityZone',
      'availabilityZone is immutable (migration between zones is not supported)',
    ),
  ],
  'Desired instance: what it boots, its size, NICs, volumes, cloud-init data and power state.',
);

export const instanceAddress = z
  .object({
    network: sharedRef('network').describe(
      'The Network the address is on (Nova addresses are grouped by network).',
    ),
    port: z
      .string()
      .max(63)
      .optional()
      .describe('Name of the Port backing this NIC, when the NIC came from a port.'),
    version: z
      .int()
      .refine((v) => v === 4 || v === 6, 'version must be 4 or 6')
      .meta({ enum: [4, 6], description: 'IP version: 4 or 6.' }),
    address: z.string().max(45).describe('The IP address.'),
    macAddress: z
      .string()
      .max(17)
      .regex(MAC_ADDRESS)
      .optional()
      .describe('MAC address of the NIC (Nova OS-EXT-IPS-MAC:mac_addr).'),
    type: z
      .enum(['fixed', 'floating'])
      .describe(
        'fixed for an address on the NIC, floating for a FloatingIP mapped to it (Nova OS-EXT-IPS:type).',
      ),
  })
  .describe('One address of the instance.');

export const instanceStatus = z
  .object({
    ...baseStatus,
    state: z
      .enum(INSTANCE_STATES)
      .optional()
      .describe(
        'Nova server status: BUILD, ACTIVE, SHUTOFF, REBOOT, HARD_REBOOT, MIGRATING (live migration), ERROR (see fault), DELETED, UNKNOWN.',
      ),
    taskState: z
      .enum(TASK_STATES)
      .optional()
      .describe('Nova task state (OS-EXT-STS:task_state) while an operation is in flight; absent when idle.'),
    powerState: z
      .enum(POWER_STATES)
      .optional()
      .describe(
        'Power state of the VM as Nova names it (OS-EXT-STS:power_state): RUNNING, SHUTDOWN, PAUSED, ...',
      ),
    progress: z.int().min(0).max(100).optional().describe('Build progress in percent (Nova progress).'),
    fault: z
      .object({
        code: z.int().min(0).max(599).describe('HTTP-style code of the fault, e.g. 500 (Nova fault.code).'),
        message: z.string().max(255).describe('What went wrong, in one line (Nova fault.message).'),
        details: z.string().max(16_384).optional().describe('More detail for admins (Nova fault.details).'),
        createdAt: date('When the fault happened.').optional(),
      })
      .optional()
      .describe('Why the instance is in ERROR (Nova fault); absent otherwise.'),
    addresses: z
      .array(instanceAddress)
      .max(64)
      .optional()
      .describe(
        'Addresses per NIC, fixed first in NIC order, then floating (Nova addresses); IPv4 and IPv6 with the MAC.',
      ),
    volumesAttached: z
      .array(
        z
          .object({
            volume: z.string().max(63).describe('Name of the attached Volume.'),
            device: z.string().max(32).optional().describe('Device name the volume got, e.g. /dev/vdb.'),
          })
          .describe('One attached volume.'),
      )
      .max(33)
      .optional()
      .describe('Volumes attached now, boot volume included (Nova os-extended-volumes:volumes_attached).'),
    hostname: z.string().max(253).optional().describe('Hostname the guest was given.'),
    host: z
      .string()
      .max(253)
      .optional()
      .describe('Node the VM runs on (Nova OS-EXT-SRV-ATTR:host, shown to admins only).'),
    virtualMachine: z
      .string()
      .max(253)
      .optional()
      .describe('Name of the KubeVirt VirtualMachine this instance became, in this namespace.'),
    rootDisk: z
      .string()
      .max(253)
      .optional()
      .describe(
        'Name of the root-disk DataVolume cloned from the image, in this namespace (boot from image).',
      ),
    flavor: z
      .object({
        name: z.string().max(253).describe('Name of the Flavor at boot (Nova flavor.original_name).'),
        vcpus: z.int().min(0).describe('Virtual CPUs as booted.'),
        ramMiB: z.int().min(0).describe('Memory in MiB as booted.'),
        diskGiB: z.int().min(0).describe('Root disk in GiB as booted.'),
        ephemeralGiB: z.int().min(0).optional().describe('Ephemeral disk in GiB as booted.'),
        swapMiB: z.int().min(0).optional().describe('Swap in MiB as booted.'),
        extraSpecs: z.record(z.string().max(255), z.string().max(255)).optional().meta({
          description: 'Flavor extra specs as booted.',
          maxProperties: 64,
        }),
      })
      .optional()
      .describe(
        'The flavor as the instance was booted with it (Nova embeds this since 2.47), kept if the Flavor changes or goes.',
      ),
    launchedAt: date('When the instance first became ACTIVE (Nova OS-SRV-USG:launched_at).').optional(),
    terminatedAt: date('When the instance was deleted (Nova OS-SRV-USG:terminated_at).').optional(),
    lastReboot: z
      .object({
        id: z.string().max(128).describe('spec.rebootRequest.id this reboot served.'),
        type: z.enum(['SOFT', 'HARD']).describe('Reboot type performed.'),
        completedAt: date(
          'When the reboot finished (or was dropped because the instance was stopped).',
        ).optional(),
      })
      .optional()
      .describe('The last reboot request handled; a spec.rebootRequest with another id is pending.'),
  })
  .describe('Observed state of the instance, as Nova reports a server.');

export const Instance = defineKind({
  kind: 'Instance',
  plural: 'instances',
  singular: 'instance',
  shortNames: ['inst'],
  scope: 'Namespaced',
  openstack: 'Nova server',
  description:
    'Instance is a virtual machine, like a Nova server: booted from an image or a volume, sized by a flavor, with NICs on networks or ports, attached volumes and cloud-init user data.',
  spec: instanceSpec,
  status: instanceStatus,
  printerColumns: [
    column('Flavor', 'string', '.spec.flavor', 'Flavor'),
    column('Image', 'string', '.spec.image.name', 'Image booted from'),
    column('Status', 'string', '.status.state', 'Nova server status'),
    column('IPs', 'string', '.status.addresses[0].address', 'First address'),
    column('Power', 'string', '.status.powerState', 'Power state'),
    wideColumn('Task', 'string', '.status.taskState', 'Operation in flight'),
    wideColumn('Boot-Volume', 'string', '.spec.bootVolume', 'Volume booted from'),
  ],
});

export type InstanceObject = KindObject<typeof Instance>;
