// Glance's version list: v2.5 current, down to 2.0; all served by the same routes.
const VERSIONS = ['2.5', '2.4', '2.3', '2.2', '2.1', '2.0'];

export function imageVersions(base: string) {
  return VERSIONS.map((v, i) => ({
    id: `v${v}`,
    status: i === 0 ? 'CURRENT' : 'SUPPORTED',
    links: [{ rel: 'self', href: `${base}/image/v2/` }],
  }));
}
