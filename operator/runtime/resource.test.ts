import { describe, expect, it } from 'vitest';
import { Instance } from '../api/instance.js';
import { Flavor } from '../api/flavor.js';
import { apiVersionOf, collectionPath, core, objectPath, resourceName, resourceOf } from './resource.js';

describe('resource descriptors', () => {
  it('build core-group paths', () => {
    expect(collectionPath(core.configMaps)).toBe('/api/v1/configmaps');
    expect(collectionPath(core.configMaps, 'demo')).toBe('/api/v1/namespaces/demo/configmaps');
    expect(objectPath(core.configMaps, 'a', 'demo')).toBe('/api/v1/namespaces/demo/configmaps/a');
    expect(objectPath(core.namespaces, 'demo')).toBe('/api/v1/namespaces/demo');
    expect(apiVersionOf(core.configMaps)).toBe('v1');
    expect(resourceName(core.configMaps)).toBe('configmaps.v1');
  });

  it('build named-group paths', () => {
    expect(collectionPath(core.leases, 'kube-system')).toBe(
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
    );
    expect(apiVersionOf(core.leases)).toBe('coordination.k8s.io/v1');
    expect(resourceName(core.leases)).toBe('leases.v1.coordination.k8s.io');
  });

  it('refuse a namespace for cluster-scoped kinds and require one for an object of a namespaced kind', () => {
    expect(() => collectionPath(core.namespaces, 'demo')).toThrow(/cluster-scoped/);
    expect(() => objectPath(core.configMaps, 'a')).toThrow(/namespaced/);
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
