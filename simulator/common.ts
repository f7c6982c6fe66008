// SIMULATION — what every simulated engine shares: the label that marks simulated objects,
// step delays, conditions in each engine's own shape, a stable hash, and write helpers that keep the simulator level-triggered (status is written only when it
// changes, children are created under deterministic names and a 409 means "already done").
// The resources themselves are the operator's one map of them (`engines.*`, `kube.*` in
// operator/kinds/external.ts).
//
// Writes follow one rule, so that server-side apply never drops a field by accident:
//   - status of an engine object: server-side apply of the complete status (we are its only
//     writer, so omitting a field really means clearing it);
//   - spec or metadata of someone else's object (defaults an engine fills in, our label):
//     JSON merge patch, which changes only the fields named;
//   - objects the engine creates: POST, tolerating 409 AlreadyExists.
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeClient } from '../operator/runtime/client.js';
import type { ObjectRef } from '../operator/runtime/controller.js';
import type { Logger } from '../operator/runtime/logger.js';
import { apiVersionOf, objectPath, type ResourceDescriptor } from '../operator/runtime/resource.js';
import type { KubeObject } from '../operator/runtime/store.js';
import { ApiError } from '../operator/runtime/watch.js';
import type { Manager } from '../operator/runtime/manager.js';

/** On every object the simulator creates or writes: its state is simulated, not real. */
export const SIMULATED_LABEL = 'stratus.dev/simulated';
export const SIMULATED = { [SIMULATED_LABEL]: 'true' } as const;
/** The one field manager of every simulator write (the operator's is stratus-operator). */
export const FIELD_MANAGER = 'stratus-simulator';
/** The node every simulated VM "runs" on. */
export const SIM_NODE = 'stratus-sim-node';
/** The Rook-Ceph RBD CSI driver the simulated storage pretends to be. */
export const RBD_DRIVER = 'rook-ceph.rbd.csi.ceph.com';

/** A Kubernetes object as the simulator reads it: metadata always present, spec/status typed loosely. */
export type Obj<Spec = Record<string, unknown>, Status = Record<string, unknown>> = KubeObject & {
  metadata: V1ObjectMeta;
  spec?: Spec;
  status?: Status;
};

export function nameOf(object: KubeObject): string {
  const name = object.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  return name;
}

export function refOf(object: KubeObject): ObjectRef {
  return { name: nameOf(object), namespace: object.metadata?.namespace };
}

/**
 * The class marked default by `annotation` ("true"), for StorageClasses and
 * VolumeSnapshotClasses alike; the first by name when several are, so the pick is stable.
 */
export function markedDefault<T extends KubeObject>(
  classes: readonly T[],
  annotation: string,
): T | undefined {
  return classes
    .filter((c) => c.metadata?.annotations?.[annotation] === 'true')
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)))[0];
}

/** Refs to the objects of `list` that `where` holds for (all by default): what a watch maps an event to. */
export function refsOf<T extends KubeObject>(
  list: readonly T[],
  where: (o: T) => boolean = () => true,
): ObjectRef[] {
  return list.filter(where).map(refOf);
}

/** `now` without fractional seconds, the way Kubernetes prints metav1.Time. */
export function timestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The controller owner reference to `owner` (garbage collection follows it). */
export function controllerRef(owner: KubeObject, resource: ResourceDescriptor): V1OwnerReference {
  return {
    apiVersion: apiVersionOf(resource),
    kind: resource.kind,
    name: nameOf(owner),
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * Whether `a` was created before `b` (names break ties): when two objects claim the same
 * thing, the engines let the first one keep it.
 */
export function olderThan(a: KubeObject, b: KubeObject): boolean {
  const time = (o: KubeObject) => {
    const t = o.metadata?.creationTimestamp;
    return t ? new Date(t).getTime() : 0;
  };
  const [ta, tb] = [time(a), time(b)];
  return ta !== tb ? ta < tb : nameOf(a) < nameOf(b);
}

export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  return (object.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === owner.metadata?.uid);
}

// ---------------------------------------------------------------------------------------
// Conditions, in the three engines' own shapes. Timestamps move only when something changes,
// so recomputing an unchanged condition yields an identical object and no write.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

/** KubeVirt: lastProbeTime (always null here) and lastTransitionTime. */
export interface KubevirtCondition extends ConditionInput {
  lastProbeTime: null;
  lastTransitionTime: string;
}

/** CDI: lastTransitionTime and lastHeartbeatTime. */
export interface CdiCondition extends ConditionInput {
  lastTransitionTime: string;
  lastHeartbeatTime: string;
}

/** Kube-OVN: lastUpdateTime and lastTransitionTime (and observedGeneration). */
export interface KubeOvnCondition extends ConditionInput {
  lastUpdateTime: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

type Style = 'kubevirt' | 'cdi' | 'kubeovn';
type ConditionOf<S extends Style> = S extends 'kubevirt'
  ? KubevirtCondition
  : S extends 'cdi'
    ? CdiCondition
    : KubeOvnCondition;

/** Add or update one condition; returns a new list with the others untouched. */
export function setCondition<S extends Style>(
  style: S,
  list: readonly ConditionOf<S>[] | undefined,
  input: ConditionInput,
  now: string,
  observedGeneration?: number,
): ConditionOf<S>[] {
  const out = [...(list ?? [])];
  const index = out.findIndex((c) => c.type === input.type);
  const previous = index >= 0 ? out[index] : undefined;
  const transitioned = !previous || previous.status !== input.status;
  const changed = transitioned || previous.reason !== input.reason || previous.message !== input.message;
  const base: ConditionInput = { type: input.type, status: input.status };
  if (input.reason !== undefined) base.reason = input.reason;
  if (input.message !== undefined) base.message = input.message;
  const lastTransitionTime = transitioned ? now : previous.lastTransitionTime;
  let next: ConditionOf<S>;
  if (style === 'kubevirt') {
    next = { ...base, lastProbeTime: null, lastTransitionTime } as ConditionOf<S>;
  } else if (style === 'cdi') {
    const heartbeat = changed ? now : (previous as CdiCondition).lastHeartbeatTime;
    next = { ...base, lastTransitionTime, lastHeartbeatTime: heartbeat } as ConditionOf<S>;
  } else {
    const update = changed ? now : (previous as KubeOvnCondition).lastUpdateTime;
    next = {
      ...base,
      lastUpdateTime: update,
      lastTransitionTime,
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    } as ConditionOf<S>;
  }
  if (index >= 0) out[index] = next;
  else out.push(next);
  return out;
}

export function conditionOf<C extends ConditionInput>(
  list: readonly C[] | undefined,
  type: string,
): C | undefined {
  return list?.find((c) => c.type === type);
}

// ---------------------------------------------------------------------------------------
// Quantities (storage sizes), as far as the simulator needs them.

const SUFFIX: Record<string, bigint> = {
  '': 1n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

/** Bytes of a Kubernetes quantity (`10Gi`, `1.5G`, `1073741824`); undefined if unparsable. */
export function parseQuantity(quantity: string | number | undefined): bigint | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number')
    return Number.isFinite(quantity) ? BigInt(Math.ceil(quantity)) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)([KMGTPE]i|[kMGTPE])?\s*$/.exec(quantity);
  if (!m) return undefined;
  const [, number = '0', suffix = ''] = m;
  const multiplier = SUFFIX[suffix] ?? 1n;
  const [whole = '0', fraction = ''] = number.split('.');
  const scale = 10n ** BigInt(fraction.length);
  const value = (BigInt(whole) * scale + BigInt(fraction || '0')) * multiplier;
  return (value + scale - 1n) / scale; // round up, as Kubernetes does for storage
}

/** A byte count in the largest binary unit that divides it (`10Gi`), else plain bytes. */
export function formatQuantity(bytes: bigint): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = SUFFIX[unit]!;
    if (bytes >= size && bytes % size === 0n) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

// ---------------------------------------------------------------------------------------
// Step delays.

export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** FNV-1a over a string: a small stable hash for deterministic names, MACs and delays. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `100` or `50-300` (milliseconds) → a range; throws on anything else. */
export function parseDelay(text: string): DelayRange {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw new Error(`delay "${text}" is not <ms> or <min>-<max> in milliseconds`);
  const minMs = Number(m[1]);
  const maxMs = m[2] === undefined ? minMs : Number(m[2]);
  if (maxMs < minMs) throw new Error(`delay "${text}": max is below min`);
  return { minMs, maxMs };
}

/**
 * How long each simulated step takes. A step's clock starts the first time a reconcile asks
 * about it; the reconcile then requeues itself for the time left instead of sleeping, so a
 * delay never holds a worker. The length of each step is drawn from the range by hashing its
 * key, so it is stable across reconciles. Kept in memory only: after a restart a pending step
 * simply waits one delay again.
 */
export class Delays {
  private readonly started = new Map<string, number>();

  constructor(
    readonly range: DelayRange,
    private readonly now: () => number = () => Date.now(),
  ) {}

  lengthOf(key: string): number {
    const { minMs, maxMs } = this.range;
    if (maxMs === minMs) return minMs;
    return minMs + (fnv1a(key) % (maxMs - minMs + 1));
  }

  /** Milliseconds until the step `key` is done (0: done now); `lengthMs` overrides the drawn length. */
  remaining(key: string, lengthMs?: number): number {
    const length = lengthMs ?? this.lengthOf(key);
    if (length === 0) return 0;
    const now = this.now();
    let start = this.started.get(key);
    if (start === undefined) {
      if (this.started.size > 50_000) this.prune(now);
      start = now;
      this.started.set(key, start);
    }
    return Math.max(0, start + length - now);
  }

  private prune(now: number): void {
    const horizon = now - 10 * 60_000 - this.range.maxMs;
    for (const [key, start] of this.started) if (start < horizon) this.started.delete(key);
  }
}

// ---------------------------------------------------------------------------------------
// The context every simulated controller shares.

export interface Sim {
  client: KubeClient;
  manager: Manager;
  delays: Delays;
  logger: Logger;
  /** Injectable for tests; the wall clock otherwise. */
  now: () => Date;
}

/** The cached object, if any. */
export function cached<T extends KubeObject>(
  sim: Sim,
  resource: ResourceDescriptor,
  ref: ObjectRef,
): T | undefined {
  return sim.manager.cached<T>(resource, ref);
}

/** Every cached object of a resource (optionally of one namespace). */
export function cachedList<T extends KubeObject>(
  sim: Sim,
  resource: ResourceDescriptor,
  namespace?: string,
): T[] {
  return sim.manager.informer<T>(resource).store.list(namespace !== undefined ? { namespace } : {});
}

/** Order-insensitive deep equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

/** Drop undefined values (JSON would drop them anyway; this keeps comparisons honest). */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Write an engine object's status when it differs from `status`. With `subresource: false`
 * (kinds without a status subresource: VirtualMachineInstance, DataSource) the status is
 * applied to the object itself. Returns whether it wrote.
 */
export async function writeStatus(
  sim: Sim,
  resource: ResourceDescriptor,
  object: Obj<unknown, unknown>,
  status: Record<string, unknown>,
  options: { subresource?: boolean; labels?: Record<string, string> } = {},
): Promise<boolean> {
  const labelsMissing = Object.entries(options.labels ?? {}).some(
    ([k, v]) => object.metadata.labels?.[k] !== v,
  );
  const subresource = options.subresource ?? true;
  if (jsonEqual(object.status ?? {}, status) && !(labelsMissing && !subresource)) return false;
  const metadata: Record<string, unknown> = { name: nameOf(object), namespace: object.metadata.namespace };
  if (!subresource && options.labels) metadata.labels = options.labels;
  await sim.client.apply(
    resource,
    { metadata: metadata as { name: string }, status },
    subresource ? { subresource: 'status' } : {},
  );
  return true;
}

/** Add our label to an object someone else owns (merge patch of that one label). */
export async function markSimulated(
  sim: Sim,
  resource: ResourceDescriptor,
  object: KubeObject,
): Promise<void> {
  if (object.metadata?.labels?.[SIMULATED_LABEL] === 'true') return;
  await sim.client.patch(
    resource,
    nameOf(object),
    object.metadata?.namespace,
    { metadata: { labels: SIMULATED } },
    'merge',
  );
}

/** Create; `undefined` if it exists already (a stale cache or a crash after the create). */
export async function createIfAbsent<T extends KubeObject>(
  sim: Sim,
  resource: ResourceDescriptor,
  object: T,
): Promise<T | undefined> {
  try {
    return await sim.client.create(resource, object);
  } catch (error) {
    if (error instanceof ApiError && error.code === 409) return undefined;
    throw error;
  }
}

/** The object from the cache, else from the apiserver (a child we just created may not be cached yet). */
export async function fresh<T extends KubeObject>(
  sim: Sim,
  resource: ResourceDescriptor,
  ref: ObjectRef,
): Promise<T | undefined> {
  return cached<T>(sim, resource, ref) ?? (await sim.client.get<T>(resource, ref.name, ref.namespace));
}

/** Whether the object is truly gone (the cache says so and the apiserver agrees). */
export async function isGone(
  sim: Sim,
  resource: ResourceDescriptor,
  ref: ObjectRef,
  uid?: string,
): Promise<boolean> {
  const hit = cached(sim, resource, ref);
  if (hit && (!uid || hit.metadata?.uid === uid)) return false;
  const live = await sim.client.get(resource, ref.name, ref.namespace);
  return !live || (uid !== undefined && live.metadata?.uid !== uid);
}

/**
 * DELETE with a uid precondition and a propagation policy. Not KubeClient.delete: Node sends
 * a DELETE body with neither Content-Length nor chunked encoding, so the apiserver ignores it
 * (preconditions dropped) and reads it as the start of the next request on the keep-alive
 * socket, which then fails with 400. This request states its length. Returns whether the
 * object was deleted (false: already gone, or the name now belongs to a newer object).
 */
export async function deleteObject(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: KubeObject,
): Promise<boolean> {
  const kubeConfig = client.kubeConfig;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server);
  url.pathname =
    url.pathname.replace(/\/+$/, '') + objectPath(resource, nameOf(object), object.metadata?.namespace);
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: 'Background',
    ...(object.metadata?.uid ? { preconditions: { uid: object.metadata.uid } } : {}),
  });
  const options: RequestOptions = {
    method: 'DELETE',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': 'stratus-simulator',
    },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const { code, text } = await new Promise<{ code: number; text: string }>((resolve, reject) => {
    const req = send(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`DELETE ${url.pathname}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
  if (code < 300) return true;
  // 404: gone already; 409: the uid precondition failed, a newer object has the name.
  if (code === 404 || code === 409) return false;
  throw new Error(`DELETE ${url.pathname}: ${code} ${text.slice(0, 300)}`);
}
