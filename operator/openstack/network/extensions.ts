// Neutron's discovery: the resources index at /v2.0 and the extensions list — only
// extensions whose attributes we really serve, since clients switch features on by alias.
import { notFound } from '../errors.js';
import { route } from './crud.js';

const EXTENSIONS = [
  {
    alias: 'external-net',
    name: 'Neutron external network',
    description: 'Adds external network attribute to network resource.',
    updated: '2013-01-14T10:00:00-00:00',
  },
  {
    alias: 'provider',
    name: 'Provider Network',
    description: 'Expose mapping of virtual networks to physical networks',
    updated: '2012-09-07T10:00:00-00:00',
  },
  {
    alias: 'network-mtu',
    name: 'Network MTU',
    description: 'Provides MTU attribute for a network resource.',
    updated: '2015-03-25T10:00:00-00:00',
  },
  {
    alias: 'port-security',
    name: 'Port Security',
    description: 'Provides port security',
    updated: '2012-07-23T10:00:00-00:00',
  },
  {
    alias: 'standard-attr-description',
    name: 'standard-attr-description',
    description: 'Extension to add descriptions to standard attributes',
    updated: '2016-02-10T10:00:00-00:00',
  },
].map((e) => ({ ...e, links: [] }));

/** The resources served, for the index at /v2.0. */
const RESOURCES = ['network', 'subnet'];

export const discoveryRoutes = [
  route({
    method: 'GET',
    path: '/v2.0',
    summary: 'The resources index: each resource and its collection URL',
    auth: 'token',
    status: 200,
    errors: [],
    handler: ({ base }) => ({
      resources: RESOURCES.map((name) => ({
        name,
        collection: `${name}s`,
        links: [{ rel: 'self', href: `${base}/network/v2.0/${name}s` }],
      })),
    }),
  }),
  route({
    method: 'GET',
    path: '/v2.0/extensions',
    summary: 'List the extensions served',
    auth: 'token',
    status: 200,
    errors: [],
    handler: () => ({ extensions: EXTENSIONS }),
  }),
  route({
    method: 'GET',
    path: '/v2.0/extensions/:alias',
    summary: 'Show an extension by alias',
    auth: 'token',
    status: 200,
    errors: [404],
    handler: ({ params }) => {
      const extension = EXTENSIONS.find((e) => e.alias === params.alias);
      if (!extension)
        throw notFound(`Extension with alias ${params.alias} does not exist`, 'ExtensionNotFound');
      return { extension };
    },
  }),
];
