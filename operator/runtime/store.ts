// The informer's in-memory copy of one resource: objects by `namespace/name`, plus indexes
// so controllers can answer "which objects does this one own" or "what carries this label"
// without scanning. Objects are stored without `metadata.managedFields` — server-side apply
// bookkeeping that is often larger than the object itself and that no reconciler reads.
//
// Objects handed out are the stored ones, not copies: treat them as read-only. Copying
// every read would double the memory traffic of every reconcile for a rule callers keep anyway
// (they never write back what they read; they server-side apply what they want).
import type { V1ObjectMeta } from '@kubernetes/client-node';

/** The part of a Kubernetes object the runtime relies on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
}

/** `namespace/name`, or `name` for a cluster-scoped object — client-go's key format. */
export function objectKey(object: KubeObject | { namespace?: string; name: string }): string {
  const meta = 'name' in object ? object : object.metadata;
  const name = meta?.name;
  if (!name) throw new Error('object has no metadata.name');
  return meta.namespace ? `${meta.namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Values an object is filed under in one index. */
export type IndexFunc<T> = (object: T) => readonly string[];

export const NAMESPACE_INDEX = 'namespace';
/** Filed under the uid of every owner reference: "what does X own". */
export const OWNER_INDEX = 'owner';
export const UID_INDEX = 'uid';
/** Filed under `key=value` for every label. */
export const LABEL_INDEX = 'label';

const builtinIndexers: Record<string, IndexFunc<KubeObject>> = {
  [NAMESPACE_INDEX]: (o) => (o.metadata?.namespace ? [o.metadata.namespace] : []),
  [OWNER_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).map((ref) => ref.uid),
  [UID_INDEX]: (o) => (o.metadata?.uid ? [o.metadata.uid] : []),
  [LABEL_INDEX]: (o) => Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`),
};

// ---------------------------------------------------------------------------------------
// Label selectors, in the apiserver's string syntax, so a selector means the same in the
// cache as in `kubectl get -l`.

export type LabelRequirement =
  | { key: string; operator: 'exists' | 'notexists' }
  | { key: string; operator: 'in' | 'notin'; values: string[] };

/** Parse `a=b, c!=d, e in (x,y), f notin (z), g, !h` into requirements (all must hold). */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  // Split on commas outside parentheses: the commas inside `in (a,b)` belong to the set.
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
    if (depth < 0 || depth > 1) throw new Error(`label selector "${selector}": unbalanced parentheses`);
  }
  if (depth !== 0) throw new Error(`label selector "${selector}": unbalanced parentheses`);
  terms.push(selector.slice(start));

  const key = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
  const value = String.raw`([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
  const equality = new RegExp(`^(${key})\\s*(==|=|!=)\\s*(${value})$`);
  const set = new RegExp(`^(${key})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
  const exists = new RegExp(`^(!?)\\s*(${key})$`);
  const valuePattern = new RegExp(`^${value}$`);

  for (const raw of terms) {
    const term = raw.trim();
    if (term === '') {
      if (terms.length === 1) break; // the empty selector matches everything
      throw new Error(`label selector "${selector}": empty requirement`);
    }
    let m: RegExpExecArray | null;
    if ((m = equality.exec(term))) {
      const [, k = '', , op, v = ''] = m;
      requirements.push({ key: k, operator: op === '!=' ? 'notin' : 'in', values: [v] });
    } else if ((m = set.exec(term))) {
      const [, k = '', , op, list = ''] = m;
      const values = list.split(',').map((v) => v.trim());
      if (values.some((v) => !valuePattern.test(v))) {
        throw new Error(`label selector "${selector}": invalid value in "${term}"`);
      }
      requirements.push({ key: k, operator: op as 'in' | 'notin', values });
    } else if ((m = exists.exec(term))) {
      const [, bang, k = ''] = m;
      requirements.push({ key: k, operator: bang ? 'notexists' : 'exists' });
    } else {
      throw new Error(`label selector "${selector}": cannot parse "${term}"`);
    }
  }
  return requirements;
}

export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return requirements.every((r) => {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key] as string);
      case 'notin':
        // As in Kubernetes: `a!=b` and `a notin (b)` also match objects without label a.
        return !has || !r.values.includes(labels[r.key] as string);
    }
  });
}

export interface ListSelector {
  namespace?: string;
  /** A label selector string (`app=web,tier!=db`) or labels that must all be equal. */
  labels?: string | Readonly<Record<string, string>>;
}

export interface StoreOptions<T> {
  /** Extra indexes beside namespace, owner, uid and label. */
  indexers?: Record<string, IndexFunc<T>>;
}

/** What readers of a cache may do: look, never write. */
export interface StoreReader<T extends KubeObject = KubeObject> {
  readonly size: number;
  /** The collection's resourceVersion the content reflects. */
  readonly resourceVersion: string;
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): string[];
  list(selector?: ListSelector): T[];
  byIndex(index: string, value: string): T[];
}

export class Store<T extends KubeObject = KubeObject> implements StoreReader<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexers: Record<string, IndexFunc<T>>;
  /** index name → indexed value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /**
   * The collection's resourceVersion this store reflects: the last list or watch event
   * applied. The informer resumes its watch from here.
   */
  resourceVersion = '';

  constructor(options: StoreOptions<T> = {}) {
    this.indexers = { ...builtinIndexers, ...options.indexers };
    for (const name of Object.keys(this.indexers)) this.indices.set(name, new Map());
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** Objects matching the selector (every object without one). */
  list(selector: ListSelector = {}): T[] {
    const requirements =
      typeof selector.labels === 'string'
        ? parseLabelSelector(selector.labels)
        : Object.entries(selector.labels ?? {}).map(([key, value]): LabelRequirement => ({
            key,
            operator: 'in',
            values: [value],
          }));
    // Start from the smallest index bucket we can, then filter on everything.
    let candidates: Iterable<string> | undefined;
    let smallest = Infinity;
    const consider = (keys: Set<string> | undefined) => {
      const size = keys?.size ?? 0;
      if (size < smallest) {
        smallest = size;
        candidates = keys ?? [];
      }
    };
    if (selector.namespace !== undefined) consider(this.bucket(NAMESPACE_INDEX, selector.namespace));
    for (const r of requirements) {
      if (r.operator === 'in' && r.values.length === 1)
        consider(this.bucket(LABEL_INDEX, `${r.key}=${r.values[0]}`));
    }
    const result: T[] = [];
    for (const key of candidates ?? this.objects.keys()) {
      const object = this.objects.get(key);
      if (!object) continue;
      if (selector.namespace !== undefined && object.metadata?.namespace !== selector.namespace) continue;
      if (!matchesLabels(requirements, object.metadata?.labels)) continue;
      result.push(object);
    }
    return result;
  }

  /**
   * Add an index, filing the objects already stored. A name already taken is kept as it is:
   * one name means one index, whoever registers it first.
   */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indices.has(name)) return;
    this.indexers[name] = fn;
    this.indices.set(name, new Map());
    for (const [key, object] of this.objects) this.file(name, key, object);
  }

  /** Objects filed under `value` in the named index. */
  byIndex(index: string, value: string): T[] {
    if (!this.indices.has(index)) throw new Error(`no index named "${index}"`);
    const keys = this.bucket(index, value);
    return keys ? [...keys].map((key) => this.objects.get(key) as T) : [];
  }

  /** Add or replace an object; returns the one it replaced. */
  upsert(object: T): T | undefined {
    const stored = lean(object);
    const key = objectKey(stored);
    const previous = this.objects.get(key);
    if (previous) this.unindex(key, previous);
    this.objects.set(key, stored);
    this.index(key, stored);
    return previous;
  }

  /** Remove an object by key; returns it. */
  delete(key: string): T | undefined {
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.unindex(key, previous);
    this.objects.delete(key);
    return previous;
  }

  /** Replace the whole content (after a list). */
  replace(objects: Iterable<T>, resourceVersion: string): void {
    this.objects.clear();
    for (const index of this.indices.values()) index.clear();
    for (const object of objects) {
      const stored = lean(object);
      const key = objectKey(stored);
      this.objects.set(key, stored);
      this.index(key, stored);
    }
    this.resourceVersion = resourceVersion;
  }

  private bucket(index: string, value: string): Set<string> | undefined {
    return this.indices.get(index)?.get(value);
  }

  private index(key: string, object: T): void {
    for (const name of Object.keys(this.indexers)) this.file(name, key, object);
  }

  /** File the object under its values in one index. */
  private file(name: string, key: string, object: T): void {
    const index = this.indices.get(name) as Map<string, Set<string>>;
    for (const value of this.indexers[name]!(object)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, object: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of fn(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value); // keep the index from growing without bound
      }
    }
  }
}

/** The object without managedFields (a shallow copy only when there is something to drop). */
function lean<T extends KubeObject>(object: T): T {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}
