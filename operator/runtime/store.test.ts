import { describe, expect, it } from 'vitest';
import {
  LABEL_INDEX,
  matchesLabels,
  NAMESPACE_INDEX,
  objectKey,
  OWNER_INDEX,
  parseLabelSelector,
  splitKey,
  Store,
  UID_INDEX,
  type KubeObject,
} from './store.js';

function cm(
  namespace: string | undefined,
  name: string,
  extra: { labels?: Record<string, string>; owners?: string[]; rv?: string; uid?: string } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      uid: extra.uid ?? `uid-${namespace ?? ''}-${name}`,
      resourceVersion: extra.rv ?? '1',
      labels: extra.labels,
      ownerReferences: extra.owners?.map((uid) => ({ apiVersion: 'v1', kind: 'X', name: uid, uid })),
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
  };
}

const names = (objects: KubeObject[]) => objects.map((o) => objectKey(o)).sort();

describe('keys', () => {
  it('are namespace/name, or name alone for cluster-scoped objects', () => {
    expect(objectKey(cm('a', 'x'))).toBe('a/x');
    expect(objectKey(cm(undefined, 'x'))).toBe('x');
    expect(objectKey({ namespace: 'a', name: 'x' })).toBe('a/x');
    expect(splitKey('a/x')).toEqual({ namespace: 'a', name: 'x' });
    expect(splitKey('x')).toEqual({ name: 'x' });
    expect(() => objectKey({ metadata: {} })).toThrow(/no metadata.name/);
  });
});

describe('Store', () => {
  it('strips managedFields and keeps resourceVersion, without touching the input', () => {
    const store = new Store();
    const input = cm('a', 'x', { rv: '42' });
    store.upsert(input);
    const stored = store.get('a/x');
    expect(stored?.metadata?.managedFields).toBeUndefined();
    expect(stored?.metadata?.resourceVersion).toBe('42');
    expect(input.metadata?.managedFields).toHaveLength(1);
  });

  it('returns the previous object on upsert and delete', () => {
    const store = new Store();
    expect(store.upsert(cm('a', 'x', { rv: '1' }))).toBeUndefined();
    expect(store.upsert(cm('a', 'x', { rv: '2' }))?.metadata?.resourceVersion).toBe('1');
    expect(store.delete('a/x')?.metadata?.resourceVersion).toBe('2');
    expect(store.delete('a/x')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('indexes by namespace, owner uid, uid and label', () => {
    const store = new Store();
    store.upsert(cm('a', 'x', { labels: { app: 'web' }, owners: ['o1'] }));
    store.upsert(cm('a', 'y', { labels: { app: 'db' }, owners: ['o1', 'o2'] }));
    store.upsert(cm('b', 'x', { labels: { app: 'web' }, uid: 'u-bx' }));
    expect(names(store.byIndex(NAMESPACE_INDEX, 'a'))).toEqual(['a/x', 'a/y']);
    expect(names(store.byIndex(OWNER_INDEX, 'o1'))).toEqual(['a/x', 'a/y']);
    expect(names(store.byIndex(OWNER_INDEX, 'o2'))).toEqual(['a/y']);
    expect(names(store.byIndex(UID_INDEX, 'u-bx'))).toEqual(['b/x']);
    expect(names(store.byIndex(LABEL_INDEX, 'app=web'))).toEqual(['a/x', 'b/x']);
    expect(store.byIndex(LABEL_INDEX, 'app=none')).toEqual([]);
    expect(() => store.byIndex('nope', 'x')).toThrow(/no index named "nope"/);
  });

  it('moves an object between index buckets when it changes, and forgets it on delete', () => {
    const store = new Store();
    store.upsert(cm('a', 'x', { labels: { app: 'web' }, owners: ['o1'] }));
    store.upsert(cm('a', 'x', { labels: { app: 'db' }, owners: ['o2'] }));
    expect(store.byIndex(LABEL_INDEX, 'app=web')).toEqual([]);
    expect(names(store.byIndex(LABEL_INDEX, 'app=db'))).toEqual(['a/x']);
    expect(store.byIndex(OWNER_INDEX, 'o1')).toEqual([]);
    store.delete('a/x');
    expect(store.byIndex(LABEL_INDEX, 'app=db')).toEqual([]);
    expect(store.byIndex(NAMESPACE_INDEX, 'a')).toEqual([]);
  });

  it('supports extra indexers', () => {
    const store = new Store({ indexers: { name: (o) => [o.metadata?.name ?? ''] } });
    store.upsert(cm('a', 'x'));
    store.upsert(cm('b', 'x'));
    expect(names(store.byIndex('name', 'x'))).toEqual(['a/x', 'b/x']);
  });

  it('lists by namespace and label selector', () => {
    const store = new Store();
    store.upsert(cm('a', 'web', { labels: { app: 'web', tier: 'front' } }));
    store.upsert(cm('a', 'db', { labels: { app: 'db', tier: 'back' } }));
    store.upsert(cm('b', 'web', { labels: { app: 'web' } }));
    store.upsert(cm(undefined, 'global'));
    expect(names(store.list())).toEqual(['a/db', 'a/web', 'b/web', 'global']);
    expect(names(store.list({ namespace: 'a' }))).toEqual(['a/db', 'a/web']);
    expect(names(store.list({ labels: { app: 'web' } }))).toEqual(['a/web', 'b/web']);
    expect(names(store.list({ namespace: 'b', labels: 'app=web' }))).toEqual(['b/web']);
    expect(names(store.list({ labels: 'tier' }))).toEqual(['a/db', 'a/web']);
    expect(names(store.list({ labels: '!tier' }))).toEqual(['b/web', 'global']);
    expect(names(store.list({ labels: 'app in (web, db), tier!=front' }))).toEqual(['a/db', 'b/web']);
    expect(names(store.list({ namespace: 'nowhere' }))).toEqual([]);
  });

  it('replaces its whole content and records the resourceVersion', () => {
    const store = new Store();
    store.upsert(cm('a', 'old', { labels: { app: 'web' } }));
    store.replace([cm('a', 'new', { labels: { app: 'web' } })], '99');
    expect(store.keys()).toEqual(['a/new']);
    expect(names(store.byIndex(LABEL_INDEX, 'app=web'))).toEqual(['a/new']);
    expect(store.get('a/new')?.metadata?.managedFields).toBeUndefined();
    expect(store.resourceVersion).toBe('99');
  });
});

describe('label selectors', () => {
  const labels = { app: 'web', 'stratus.dev/project': 'demo', empty: '' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['stratus.dev/project=demo', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['empty=', true],
    ['app=web,stratus.dev/project=other', false],
  ])('%j matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app in web', 'app in (web', 'app=web,', '=web', 'a b', 'app in (we b)', 'app=(x)'])(
    'refuses %j',
    (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(/label selector/);
    },
  );

  it('matches nothing but absence against missing labels', () => {
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false);
    expect(matchesLabels(parseLabelSelector('!app'), undefined)).toBe(true);
  });
});

describe('Store.addIndex (a field index added to a running cache)', () => {
  const byApp = (o: KubeObject) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []);

  it('files what is already stored and follows later changes', () => {
    const store = new Store();
    store.upsert(cm('demo', 'a', { labels: { app: 'web' } }));
    store.upsert(cm('demo', 'b', { labels: { app: 'db' } }));
    store.addIndex('app', byApp);
    expect(store.byIndex('app', 'web').map((o) => o.metadata?.name)).toEqual(['a']);
    store.upsert(cm('demo', 'a', { labels: { app: 'db' }, rv: '2' }));
    store.upsert(cm('other', 'c', { labels: { app: 'web' } }));
    expect(store.byIndex('app', 'web').map((o) => o.metadata?.name)).toEqual(['c']);
    expect(
      store
        .byIndex('app', 'db')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['a', 'b']);
    store.delete('demo/b');
    store.replace([cm('x', 'd', { labels: { app: 'db' } })], '9');
    expect(store.byIndex('app', 'db').map((o) => o.metadata?.name)).toEqual(['d']);
  });

  it('keeps the first index registered under a name', () => {
    const store = new Store();
    store.addIndex('app', byApp);
    store.addIndex('app', () => ['ignored']);
    store.upsert(cm('demo', 'a', { labels: { app: 'web' } }));
    expect(store.byIndex('app', 'ignored')).toEqual([]);
    expect(store.byIndex('app', 'web')).toHaveLength(1);
  });
});
