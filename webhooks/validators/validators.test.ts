// The kind rules against an in-memory lookup: typed objects in, the exact denials out.
import { describe, expect, it } from 'vitest';
import type { Denial } from '../admission.js';
import { defaultSettings, type AdmissionContext, type KindAdmission, type Operation } from '../context.js';
import type { NamespaceFacts, ObjectLookup } from '../lookup.js';
import { CREATED_BY } from '../../operator/domain/naming.js';
import type { KindDefinition, KindObject } from '../../operator/kinds/kind.js';
import {
  Image,
  Instance,
  FloatingIP,
  Network,
  Port,
  Project,
  SecurityGroup,
  Snapshot,
  Subnet,
  Volume,
} from '../../operator/kinds/index.js';
import { stratusKinds } from '../../operator/kinds/registry.js';
import { floatingIPAdmission } from './floatingip.js';
import { instanceAdmission } from './instance.js';
import { networkAdmission } from './network.js';
import { nounOf } from './nouns.js';
import { portAdmission } from './port.js';
import { routerAdmission } from './router.js';
import { securityGroupAdmission } from './securitygroup.js';
import { subnetAdmission } from './subnet.js';
import { volumeAdmission } from './volume.js';

class MemoryLookup implements ObjectLookup {
  private readonly objects: Array<{ kind: KindDefinition; object: KindObject<KindDefinition> }> = [];

  add<D extends KindDefinition>(
    kind: D,
    namespace: string | undefined,
    name: string,
    spec: unknown,
    status?: unknown,
  ) {
    const object = {
      apiVersion: 'stratus.dev/v1alpha1',
      kind: kind.kind,
      metadata: { name, namespace },
      spec,
      status,
    };
    this.objects.push({ kind, object: object as KindObject<KindDefinition> });
    return this;
  }

  get<D extends KindDefinition>(kind: D, namespace: string | undefined, name: string) {
    return Promise.resolve(
      this.objects.find(
        (o) =>
          o.kind === kind && o.object.metadata.name === name && o.object.metadata.namespace === namespace,
      )?.object as KindObject<D> | undefined,
    );
  }

  list<D extends KindDefinition>(kind: D, namespace: string | undefined) {
    return Promise.resolve(
      this.objects
        .filter(
          (o) => o.kind === kind && (namespace === undefined || o.object.metadata.namespace === namespace),
        )
        .map((o) => o.object as KindObject<D>),
    );
  }

  namespace(): Promise<NamespaceFacts | undefined> {
    return Promise.resolve(undefined);
  }
}

function admit<D extends KindDefinition>(
  admission: KindAdmission<D>,
  lookup: ObjectLookup,
  request: {
    operation: Operation;
    name: string;
    spec?: unknown;
    oldSpec?: unknown;
    annotations?: Record<string, string>;
  },
): Promise<Denial[]> {
  const object = (spec: unknown, annotations?: Record<string, string>) =>
    ({ metadata: { name: request.name, namespace: 'demo', annotations }, spec }) as unknown as KindObject<D>;
  const ctx: AdmissionContext<D> = {
    kind: admission.kind,
    operation: request.operation,
    namespace: 'demo',
    name: request.name,
    object: request.spec === undefined ? undefined : object(request.spec, request.annotations),
    oldObject: request.oldSpec === undefined ? undefined : object(request.oldSpec),
    lookup,
    settings: defaultSettings,
    username: 'alice',
  };
  return Promise.resolve(admission.validate!(ctx));
}

describe('deleting what is in use', () => {
  it('names the users of a network across namespaces when it is shared', async () => {
    const lookup = new MemoryLookup()
      .add(Network, 'demo', 'private', {})
      .add(Instance, 'demo', 'web-1', { flavor: 'm1', networks: [{ network: { name: 'private' } }] })
      .add(Instance, 'other', 'web-2', { flavor: 'm1', networks: [{ network: { name: 'private' } }] });
    expect(
      await admit(networkAdmission, lookup, { operation: 'DELETE', name: 'private', oldSpec: {} }),
    ).toEqual([
      {
        field: 'metadata.name',
        code: 409,
        message: 'network "private" is in use by instance "demo/web-1"; delete or detach those first',
      },
    ]);
  });

  it('names a group that uses a security group as remoteGroup', async () => {
    const lookup = new MemoryLookup()
      .add(SecurityGroup, 'demo', 'web', { rules: [] })
      .add(SecurityGroup, 'demo', 'db', { rules: [{ remoteGroup: 'web' }] })
      .add(Instance, 'demo', 'web-1', { flavor: 'm1', securityGroups: ['web'] });
    const [denial] = await admit(securityGroupAdmission, lookup, {
      operation: 'DELETE',
      name: 'web',
      oldSpec: {},
    });
    expect(denial?.message).toBe(
      'security group "web" is in use by instance "web-1", security group "db" (as remoteGroup); remove it from those first',
    );
  });

  it('refuses a volume for its instance and for its snapshots, separately', async () => {
    const lookup = new MemoryLookup()
      .add(Volume, 'demo', 'data', { sizeGiB: 1 })
      .add(Instance, 'demo', 'web-1', { flavor: 'm1', bootVolume: 'data' })
      .add(Snapshot, 'demo', 'snap', { volume: 'data' });
    const denials = await admit(volumeAdmission, lookup, { operation: 'DELETE', name: 'data', oldSpec: {} });
    expect(denials.map((d) => d.message)).toEqual([
      'volume "data" is in use by instance "web-1"; detach it first (remove it from the instance’s spec.volumes) or delete the instance',
      'volume "data" is in use by snapshot "snap"; delete its snapshots first (Cinder keeps a volume while snapshots depend on it)',
    ]);
  });
});

describe('writes', () => {
  it('refuses an overlapping subnet with 409 and a missing network with where to look', async () => {
    const lookup = new MemoryLookup().add(Subnet, 'demo', 'a', { network: 'private', cidr: '10.0.0.0/16' });
    expect(
      await admit(subnetAdmission, lookup, {
        operation: 'CREATE',
        name: 'b',
        spec: { network: 'private', cidr: '10.0.5.0/24' },
      }),
    ).toEqual([
      {
        field: 'spec.network',
        message:
          'network "private" does not exist in namespace "demo"; create it first (kubectl get networks -n demo lists what exists)',
      },
      {
        field: 'spec.cidr',
        code: 409,
        message:
          '10.0.5.0/24 overlaps 10.0.0.0/16 of subnet "a"; subnets of one project share a router domain, pick a CIDR that does not overlap',
      },
    ]);
  });

  it('puts the creator stamp first, then the kind rules (a private shared image, a missing key pair)', async () => {
    const lookup = new MemoryLookup()
      .add(Project, undefined, 'demo', { quota: {} })
      .add(Image, 'stratus-public', 'cirros', { visibility: 'private' })
      .add(Instance, 'demo', 'web', {});
    const spec = { flavor: 'm1', image: { name: 'cirros', namespace: 'stratus-public' }, keyName: 'k' };
    const denials = await admit(instanceAdmission, lookup, {
      operation: 'UPDATE',
      name: 'web',
      spec,
      oldSpec: spec,
      annotations: { [CREATED_BY]: 'mallory' },
    });
    expect(denials.map((d) => `${d.field}: ${d.message}`)).toEqual([
      `metadata.annotations[${CREATED_BY}]: records who created the object and cannot be changed`,
      'spec.flavor: flavor "m1" does not exist (kubectl get flavors lists what exists)',
      'spec.image.name: image "cirros" in "stratus-public" is private, not public; ask an admin to publish it or upload your own',
      'spec.keyName: key pair "k" does not exist in namespace "demo"; create it first (kubectl get keypairs -n demo lists what exists)',
    ]);
  });
});

describe('networks and addresses', () => {
  const lookup = () =>
    new MemoryLookup()
      .add(Network, 'demo', 'private', { shared: false })
      .add(Network, 'stratus-public', 'public', { external: true, shared: true })
      .add(Subnet, 'demo', 'private-v4', { network: 'private', cidr: '10.0.0.0/24' })
      .add(Port, 'demo', 'p1', { network: { name: 'private' }, fixedIPs: [{ ipAddress: '10.0.0.5' }] })
      .add(FloatingIP, 'demo', 'f1', {
        network: { name: 'public', namespace: 'stratus-public' },
        port: 'p1',
      });

  it('takes gateways and floating IPs only from external networks', async () => {
    const router = await admit(routerAdmission, lookup(), {
      operation: 'CREATE',
      name: 'r',
      spec: { externalGateway: { network: { name: 'private' } } },
    });
    expect(router).toEqual([
      {
        field: 'spec.externalGateway.network.name',
        message: 'network "private" is not an external network; use an external network such as "public"',
      },
    ]);
    const fip = await admit(floatingIPAdmission, lookup(), {
      operation: 'CREATE',
      name: 'f2',
      spec: { network: { name: 'public', namespace: 'stratus-public' }, port: 'p1' },
    });
    expect(fip).toEqual([
      {
        field: 'spec.port',
        code: 409,
        message: 'port "p1" already has floating IP "f1"; disassociate it there first',
      },
    ]);
  });

  it("keeps a port's fixed IPs inside its network and to itself", async () => {
    const denials = await admit(portAdmission, lookup(), {
      operation: 'CREATE',
      name: 'p2',
      spec: {
        network: { name: 'private' },
        fixedIPs: [{ ipAddress: '10.0.0.5' }, { ipAddress: '10.9.0.1' }],
      },
    });
    expect(denials.map((d) => `${d.field}: ${d.message}`)).toEqual([
      'spec.fixedIPs[0].ipAddress: 10.0.0.5 is already held by port "p1"; pick another address or omit it for any free one',
      'spec.fixedIPs[1].ipAddress: 10.9.0.1 is outside every subnet of network "private"; pick an address inside it',
    ]);
  });
});

describe('nounOf', () => {
  it('names every kind as the messages do', () => {
    expect(stratusKinds.map(nounOf)).toEqual([
      'project',
      'user',
      'flavor',
      'image',
      'key pair',
      'instance',
      'volume',
      'snapshot',
      'network',
      'subnet',
      'router',
      'port',
      'floating IP',
      'security group',
    ]);
  });
});
