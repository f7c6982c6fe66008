// Nova's links: `self` under the versioned root, `bookmark` under the unversioned one.

/** Nova's `links` of a resource: self (versioned) and bookmark (unversioned). */
export const resourceLinks = (base: string, collection: string, id: string) => [
  { rel: 'self', href: `${base}/compute/v2.1/${collection}/${id}` },
  { rel: 'bookmark', href: `${base}/compute/${collection}/${id}` },
];

/** A reference to another resource, as a server shows its image and flavor. */
export const bookmarkOnly = (base: string, collection: string, id: string) => ({
  id,
  links: [{ rel: 'bookmark', href: `${base}/compute/${collection}/${id}` }],
});
