import { describe, expect, it } from 'vitest';
import { Instance } from '../kinds/instance.js';
import { Flavor } from '../kinds/flavor.js';
import { apiVersionOf, collectionPath, objectPath, resourceName } from './resource.js';
import { kube } from '../kinds/external.js';
import { resourceOf } from '../kinds/index.js';

describe('resource descriptors', () => {
  it('build core-group paths', () => {
    expect(collectionPath(kube.configMaps)).toBe('/api/v1/configmaps');
    expect(collectionPath(kube.configMaps, 'demo')).toBe('/api/v1/namespaces/demo/configmaps');
    expect(objectPath(kube.configMaps, 'a', 'demo')).toBe('/api/v1/namespaces/demo/configmaps/a');
    expect(objectPath(kube.namespaces, 'demo')).toBe('/api/v1/namespaces/demo');
    expect(apiVersionOf(kube.configMaps)).toBe('v1');
    expect(resourceName(kube.configMaps)).toBe('configmaps.v1');
  });

  it('build named-group paths', () => {
    expect(collectionPath(kube.leases, 'kube-system')).toBe(
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
    );
    expect(apiVersionOf(kube.leases)).toBe('coordination.k8s.io/v1');
    expect(resourceName(kube.leases)).toBe('leases.v1.coordination.k8s.io');
  });

  it('refuse a namespace for cluster-scoped kinds and require one for an object of a namespaced kind', () => {
    expect(() => collectionPath(kube.namespaces, 'demo')).toThrow(/cluster-scoped/);
    expect(() => objectPath(kube.configMaps, 'a')).toThrow(/namespaced/);
  });

  it('describe our own kinds', () => {
    expect(resourceOf(Instance)).toEqual({
      group: 'stratus.dev',
      version: 'v1alpha1',
      plural: 'instances',
      kind: 'Instance',
      namespaced: true,
    });
    expect(resourceOf(Flavor).namespaced).toBe(false);
    expect(collectionPath(resourceOf(Instance), 'demo')).toBe(
      '/apis/stratus.dev/v1alpha1/namespaces/demo/instances',
    );
  });
});
