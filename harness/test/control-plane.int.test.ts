// Proof that the harness runs a real Kubernetes control plane, not a stand-in.
import * as k8s from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { eventually } from '../testing/eventually.js';
import { freshNamespace, kubeConfig, randomSuffix, statusOf } from '../testing/kube.js';

describe('local control plane', () => {
  it('reports the pinned Kubernetes version', async () => {
    const info = await kubeConfig().makeApiClient(k8s.VersionApi).getCode();
    const expected = inject('expectedKubernetesVersion');
    if (expected) expect(info.gitVersion).toBe(expected);
    expect(info.major).toBe('1');
  });

  it('installs a CRD that becomes Established and serves its kind', async () => {
    const kc = kubeConfig();
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const group = `t${randomSuffix()}.stratus.dev`;
    const crd: k8s.V1CustomResourceDefinition = {
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } },
                },
              },
            },
          },
        ],
      },
    };
    await ext.createCustomResourceDefinition({ body: crd });
    try {
      await eventually(
        async () => {
          const got = await ext.readCustomResourceDefinition({ name: crd.metadata!.name! });
          return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
        },
        { description: 'the CRD to be Established' },
      );
      const ns = await freshNamespace('crd');
      const objects = kc.makeApiClient(k8s.CustomObjectsApi);
      const created = await eventually(
        () =>
          objects.createNamespacedCustomObject({
            group,
            version: 'v1',
            namespace: ns,
            plural: 'widgets',
            body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } },
          }) as Promise<{ metadata: { uid: string } }>,
        { description: 'the new kind to be served' },
      );
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      // The schema is enforced by the apiserver, not by us.
      const invalid = await objects
        .createNamespacedCustomObject({
          group,
          version: 'v1',
          namespace: ns,
          plural: 'widgets',
          body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0 } },
        })
        .then(
          () => 'accepted',
          (error: unknown) => statusOf(error),
        );
      expect(invalid).toBe(422);
    } finally {
      await ext.deleteCustomResourceDefinition({ name: crd.metadata!.name! });
    }
  });

  it('enforces RBAC for an impersonated user: denied without a RoleBinding, allowed with one', async () => {
    const ns = await freshNamespace('rbac');
    const user = `alice-${randomSuffix()}`;
    const asAlice = kubeConfig({ as: user }).makeApiClient(k8s.CoreV1Api);

    const denied = await asAlice.listNamespacedConfigMap({ namespace: ns }).then(
      () => 200,
      (error: unknown) => statusOf(error),
    );
    expect(denied).toBe(403);

    const rbac = kubeConfig().makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'configmap-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'alice-reads' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
    // The RBAC authorizer reads from an informer; the grant lands within moments. The
    // controller-manager publishes kube-root-ca.crt into a new namespace asynchronously too.
    const list = await eventually(
      async () => {
        const configMaps = await asAlice.listNamespacedConfigMap({ namespace: ns });
        return configMaps.items.some((cm) => cm.metadata?.name === 'kube-root-ca.crt')
          ? configMaps
          : undefined;
      },
      { description: 'the RoleBinding to take effect and kube-root-ca.crt to be published' },
    );
    expect(list.items.map((cm) => cm.metadata?.name)).toContain('kube-root-ca.crt');
    // Reading was granted; writing was not.
    const write = await asAlice
      .createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'nope' } } })
      .then(
        () => 201,
        (error: unknown) => statusOf(error),
      );
    expect(write).toBe(403);
  });

  it('garbage-collects an owned object after its owner is deleted', async () => {
    const ns = await freshNamespace('gc');
    const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
    const owner = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'owner' } },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! },
          ],
        },
        stringData: { k: 'v' },
      },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner' });
    await eventually(
      () =>
        core.readNamespacedSecret({ namespace: ns, name: 'owned' }).then(
          () => false,
          (error: unknown) => statusOf(error) === 404,
        ),
      { timeoutMs: 60_000, description: 'the garbage collector to delete the owned Secret' },
    );
  });

  it('runs the service-account controllers: a namespace gets its default ServiceAccount and a token', async () => {
    const ns = await freshNamespace('sa');
    const kc = kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await eventually(() => core.readNamespacedServiceAccount({ namespace: ns, name: 'default' }), {
      description: 'the default ServiceAccount',
    });
    const token = await core.createNamespacedServiceAccountToken({
      namespace: ns,
      name: 'default',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    expect(token.status?.token.split('.')).toHaveLength(3);
  });
});
