// Kubernetes Events about our objects, so `kubectl describe` tells the story. Repeats of the
// same (object, reason, message) bump the count of one Event instead of creating new ones.
// Recording never fails a reconcile: an Event is a courtesy, not state.
import type { KubeClient } from './client.js';
import { apiVersionOf, type ResourceDescriptor } from './resource.js';
import type { KubeObject } from './store.js';
import type { Logger } from './logger.js';
import { kube } from '../kinds/external.js';

export type EventType = 'Normal' | 'Warning';

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

export class EventRecorder {
  private readonly seen = new Map<string, Recorded>();

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly logger?: Logger,
  ) {}

  async record(
    resource: ResourceDescriptor,
    object: KubeObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const meta = object.metadata ?? {};
    // Events of cluster-scoped objects live in "default", as kubectl describe looks there.
    const namespace = meta.namespace ?? 'default';
    const key = `${meta.uid}/${type}/${reason}/${message}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      const previous = this.seen.get(key);
      if (previous) {
        previous.count++;
        await this.client.patch(
          kube.events,
          previous.name,
          previous.namespace,
          { count: previous.count, lastTimestamp: now },
          'merge',
        );
        return;
      }
      const name = `${meta.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`;
      await this.client.create(kube.events, {
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: apiVersionOf(resource),
          kind: resource.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      } as KubeObject);
      if (this.seen.size > 10_000) this.seen.clear(); // bounded memory; a repeat then starts a new Event
      this.seen.set(key, { name, namespace, count: 1 });
    } catch (error) {
      this.seen.delete(key);
      this.logger?.warn('could not record event', {
        reason,
        name: meta.name,
        namespace: meta.namespace,
        error: String(error),
      });
    }
  }
}
