import { describe, expect, it } from 'vitest';
import { badRequest } from '../errors.js';
import {
  collectionLinks,
  listViews,
  matchesAttributes,
  nextHref,
  paginate,
  pickFields,
  sortViews,
} from './listing.js';

const views = [
  { id: 'c', name: 'gamma', shared: false, subnets: ['s1'] },
  { id: 'a', name: 'alpha', shared: true, subnets: [] },
  { id: 'b', name: 'Beta', shared: false, subnets: ['s2', 's3'] },
];
const ids = (items: Array<{ id: string }>) => items.map((v) => v.id);

describe('attribute filters (Neutron)', () => {
  it('match any given value, case-insensitively, and list attributes by membership', () => {
    expect(views.filter((v) => matchesAttributes(v, { name: 'beta' })).map((v) => v.id)).toEqual(['b']);
    expect(views.filter((v) => matchesAttributes(v, { name: ['alpha', 'gamma'] })).map((v) => v.id)).toEqual([
      'c',
      'a',
    ]);
    expect(views.filter((v) => matchesAttributes(v, { shared: 'true' })).map((v) => v.id)).toEqual(['a']);
    expect(views.filter((v) => matchesAttributes(v, { subnets: 's3' })).map((v) => v.id)).toEqual(['b']);
  });

  it('ignore unknown attributes and the control parameters', () => {
    expect(
      views.filter((v) => matchesAttributes(v, { colour: 'red', limit: '1', fields: 'id' })),
    ).toHaveLength(3);
  });
});

describe('fields', () => {
  it('pick the attributes asked for, repeated or comma-separated, and ignore unknown ones', () => {
    expect(pickFields(views[0]!, { fields: ['id', 'name,nope'] })).toEqual({ id: 'c', name: 'gamma' });
    expect(pickFields(views[0]!, {})).toBe(views[0]);
  });
});

describe('sorting', () => {
  it('sorts by a key in either direction, breaking ties by another', () => {
    expect(ids(sortViews(views, { key: 'id', dir: 'asc' }))).toEqual(['a', 'b', 'c']);
    expect(ids(sortViews(views, { key: 'id', dir: 'desc' }))).toEqual(['c', 'b', 'a']);
    expect(ids(sortViews(views, { key: 'shared', dir: 'asc', tiebreak: 'id' }))).toEqual(['b', 'c', 'a']);
  });
});

describe('paging', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  const id = (s: string) => s;

  it('pages after the marker and names the next marker while more remain', () => {
    expect(paginate(items, id, { limit: '2' })).toEqual({
      items: ['a', 'b'],
      markerMissing: false,
      next: 'b',
    });
    expect(paginate(items, id, { limit: '2', marker: 'b' })).toEqual({
      items: ['c', 'd'],
      markerMissing: false,
      next: 'd',
    });
    expect(paginate(items, id, { limit: '2', marker: 'd' })).toEqual({ items: ['e'], markerMissing: false });
  });

  it('applies the default and the cap, and ignores a limit that is not a number', () => {
    expect(paginate(items, id, {}, { defaultLimit: 3 }).items).toEqual(['a', 'b', 'c']);
    expect(paginate(items, id, { limit: '100' }, { maxLimit: 4 }).items).toHaveLength(4);
    expect(paginate(items, id, { limit: 'x' }).items).toHaveLength(5);
    expect(paginate(items, id, { limit: '0' })).toEqual({ items: [], markerMissing: false });
  });

  it('gives an empty page for an unknown marker, or the policy’s fault', () => {
    expect(paginate(items, id, { marker: 'zz' })).toEqual({ items: [], markerMissing: true });
    expect(() =>
      paginate(items, id, { marker: 'zz' }, { missingMarker: (m) => badRequest(`marker [${m}] not found`) }),
    ).toThrow('marker [zz] not found');
  });
});

describe('next links', () => {
  it('keep the parameters asked for and end with the marker', () => {
    const query = { limit: '2', name: 'x', marker: 'old', tag: ['a', 'b'] };
    expect(nextHref('/v2/images', query, 'm1', 'all')).toBe(
      '/v2/images?limit=2&name=x&tag=a&tag=b&marker=m1',
    );
    expect(nextHref('https://c/network/v2.0/networks', query, 'm1', ['limit'])).toBe(
      'https://c/network/v2.0/networks?limit=2&marker=m1',
    );
    expect(nextHref('/flavors', query, 'm1', [])).toBe('/flavors?marker=m1');
  });

  it('are <collection>_links only when there is a next page', () => {
    expect(collectionLinks('servers', 'h')).toEqual({ servers_links: [{ rel: 'next', href: 'h' }] });
    expect(collectionLinks('servers', undefined)).toEqual({});
  });
});

describe('listViews', () => {
  it('filters, sorts by the query or the default, and pages', () => {
    const page = listViews(
      views,
      { sort_key: 'name', sort_dir: 'desc', limit: '1' },
      {
        attributeFilters: true,
        sort: { key: 'id', dir: 'asc' },
      },
    );
    expect(ids(page.items)).toEqual(['c']);
    expect(page.next).toBe('c');
    expect(
      ids(
        listViews(views, { shared: 'false' }, { attributeFilters: true, sort: { key: 'id', dir: 'asc' } })
          .items,
      ),
    ).toEqual(['b', 'c']);
    expect(ids(listViews(views, { shared: 'false' }, { filter: (v) => v.id !== 'c' }).items)).toEqual([
      'a',
      'b',
    ]);
  });
});
