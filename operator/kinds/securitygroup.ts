// SecurityGroup — a Neutron security group: a set of allow rules (ingress and egress) for
// the ports that name it. Becomes a Kube-OVN SecurityGroup bound to NICs by annotation.
//
// spec.rules is the complete rule set: what it lists is what is allowed, nothing more.
// Neutron adds two egress rules (any IPv4, any IPv6) to every new group; the OpenStack API
// writes those two into spec.rules when it creates a group, so OpenStack clients see
// Neutron's behaviour, while a group applied with kubectl has exactly the rules it lists
// (list the egress rules yourself, as examples/23-security-group.yaml does).
// Neutron rule IDs are derived from the group's uid and the rule's content, so they are
// stable without being stored.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import { baseStatus, cidr, description, displayName, localName, tags, withRules } from './meta.js';
import { backendName, stateColumn } from './network.js';

/** Protocol names Neutron accepts (neutron-lib IP_PROTOCOL_MAP), plus the alias icmpv6 and any. */
export const PROTOCOL_NAMES = [
  'any',
  'ah',
  'dccp',
  'egp',
  'esp',
  'gre',
  'hopopt',
  'icmp',
  'icmpv6',
  'igmp',
  'ipip',
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  'ospf',
  'pgm',
  'rsvp',
  'sctp',
  'tcp',
  'udp',
  'udplite',
  'vrrp',
] as const;

const PROTOCOL = new RegExp(`^(${PROTOCOL_NAMES.join('|')}|25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$`);

/** Protocols with ports: tcp, udp, sctp, dccp, udplite, by name or number. */
const PORT_PROTOCOLS = "['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17', '132', '33', '136']";
/** Protocols whose "ports" are ICMP type and code. */
const ICMP_PROTOCOLS = "['icmp', 'icmpv6', 'ipv6-icmp', '1', '58']";
/** Protocols that only exist over IPv6. */
const IPV6_PROTOCOLS =
  "['icmpv6', 'ipv6-icmp', 'ipv6-encap', 'ipv6-frag', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', '41', '43', '44', '58', '59', '60']";

const hasPorts = '(has(self.portRangeMin) || has(self.portRangeMax))';

export const securityGroupRule = withRules(
  z
    .object({
      direction: z
        .enum(['ingress', 'egress'])
        .describe('ingress allows traffic to the port; egress allows traffic from it.'),
      ethertype: z
        .enum(['IPv4', 'IPv6'])
        .default('IPv4')
        .describe('IP family the rule matches: IPv4 or IPv6.'),
      protocol: z
        .string()
        .max(16)
        .regex(PROTOCOL)
        .optional()
        .describe(
          'IP protocol: a name (tcp, udp, icmp, ipv6-icmp, sctp, gre, esp, vrrp, ...) or a number 0-255; omit or any for every protocol.',
        ),
      portRangeMin: z
        .int()
        .min(0)
        .max(65_535)
        .optional()
        .describe(
          'First port (1-65535) for tcp, udp, sctp, dccp and udplite; the ICMP type (0-255) for icmp.',
        ),
      portRangeMax: z
        .int()
        .min(0)
        .max(65_535)
        .optional()
        .describe(
          'Last port (1-65535, at least portRangeMin) for tcp, udp, sctp, dccp and udplite; the ICMP code (0-255) for icmp.',
        ),
      remoteIPPrefix: cidr(
        'Only traffic from (ingress) or to (egress) this CIDR, of the rule’s ethertype; excludes remoteGroup. Omit both for anywhere.',
      ).optional(),
      remoteGroup: localName(
        'Only traffic from (ingress) or to (egress) ports in this SecurityGroup (in this namespace; may be this group); excludes remoteIPPrefix.',
      ).optional(),
      description,
    })
    .meta({ 'x-kubernetes-map-type': 'atomic' }),
  [
    {
      rule: `!${hasPorts} || (has(self.protocol) && self.protocol != 'any')`,
      message: 'portRangeMin and portRangeMax need a protocol (tcp, udp, icmp, ...)',
      fieldPath: '.protocol',
      reason: 'FieldValueRequired',
    },
    {
      rule: `!${hasPorts} || !has(self.protocol) || self.protocol == 'any' || self.protocol in ${PORT_PROTOCOLS} || self.protocol in ${ICMP_PROTOCOLS}`,
      message:
        'ports are only allowed for tcp, udp, sctp, dccp, udplite (port range) and icmp (type and code)',
      fieldPath: '.portRangeMin',
      reason: 'FieldValueForbidden',
    },
    {
      rule: `!${hasPorts} || !has(self.protocol) || !(self.protocol in ${PORT_PROTOCOLS}) || (has(self.portRangeMin) && has(self.portRangeMax) && self.portRangeMin >= 1 && self.portRangeMin <= self.portRangeMax)`,
      message:
        'a port range needs both portRangeMin and portRangeMax, between 1 and 65535, with portRangeMin <= portRangeMax',
      fieldPath: '.portRangeMin',
    },
    {
      rule: `!has(self.protocol) || !(self.protocol in ${ICMP_PROTOCOLS}) || ((!has(self.portRangeMin) || self.portRangeMin <= 255) && (!has(self.portRangeMax) || self.portRangeMax <= 255))`,
      message: 'for icmp, portRangeMin is the ICMP type and portRangeMax the code: both 0-255',
      fieldPath: '.portRangeMin',
    },
    {
      rule: `!has(self.protocol) || !(self.protocol in ${ICMP_PROTOCOLS}) || !has(self.portRangeMax) || has(self.portRangeMin)`,
      message: 'for icmp, an ICMP code (portRangeMax) needs an ICMP type (portRangeMin)',
      fieldPath: '.portRangeMin',
      reason: 'FieldValueRequired',
    },
    {
      rule: `self.ethertype == 'IPv6' || !has(self.protocol) || !(self.protocol in ${IPV6_PROTOCOLS})`,
      message: 'this protocol exists only over IPv6; set ethertype: IPv6',
      fieldPath: '.ethertype',
    },
    {
      rule: "!has(self.remoteIPPrefix) || !isCIDR(self.remoteIPPrefix) || cidr(self.remoteIPPrefix).ip().family() == (self.ethertype == 'IPv4' ? 4 : 6)",
      message:
        'remoteIPPrefix must be of the rule’s ethertype (an IPv4 CIDR for IPv4, an IPv6 CIDR for IPv6)',
      fieldPath: '.remoteIPPrefix',
    },
    {
      rule: '!(has(self.remoteIPPrefix) && has(self.remoteGroup))',
      message: 'remoteIPPrefix and remoteGroup are mutually exclusive',
      fieldPath: '.remoteGroup',
      reason: 'FieldValueForbidden',
    },
  ],
  'A security group rule: traffic it matches is allowed.',
);

export const securityGroupSpec = z
  .object({
    displayName,
    description,
    stateful: z
      .boolean()
      .default(true)
      .describe('stateful: replies to allowed traffic are allowed too (connection tracking).'),
    // Atomic, not a `set`: server-side apply cannot merge sets of objects, and the operator
    // applies the default group's rules. Uniqueness is a CEL rule instead.
    rules: withRules(
      z.array(securityGroupRule).max(100).optional().meta({
        description:
          'The complete set of allow rules (at most 100), each listed once. Unlike Neutron’s API, nothing is added implicitly: include egress rules to allow outbound traffic.',
        'x-kubernetes-list-type': 'atomic',
      }),
      [
        {
          rule: 'self.all(r, self.exists_one(s, s == r))',
          message: 'each rule may be listed only once (Neutron refuses duplicate rules)',
        },
      ],
    ),
    tags,
  })
  .describe('Desired state of the security group.');

export const securityGroupStatus = z
  .object({
    ...baseStatus,
    state: z
      .enum(['ACTIVE', 'ERROR'])
      .optional()
      .describe('Whether the rules are in force (Neutron security groups have no status; kubectl only).'),
    ruleCount: z.int().min(0).max(100).optional().describe('Number of rules in force.'),
    kubeOvnSecurityGroup: backendName('Name of the cluster-scoped Kube-OVN SecurityGroup this group became.'),
  })
  .describe('Observed state of the security group.');

export const SecurityGroup = defineKind({
  kind: 'SecurityGroup',
  plural: 'securitygroups',
  singular: 'securitygroup',
  shortNames: ['sg', 'secgroup'],
  scope: 'Namespaced',
  openstack: 'Neutron security group',
  description:
    'SecurityGroup is a set of allow rules for the ports that use it, like a Neutron security group with its rules. The rules listed are the complete set.',
  spec: securityGroupSpec,
  status: securityGroupStatus,
  printerColumns: [
    column('Rules', 'integer', '.status.ruleCount', 'Rules in force'),
    column('Stateful', 'boolean', '.spec.stateful', 'Connection tracking'),
    wideColumn('Description', 'string', '.spec.description', 'Description'),
    stateColumn,
  ],
});

export type SecurityGroupObject = KindObject<typeof SecurityGroup>;
