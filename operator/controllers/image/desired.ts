// Image → a CDI DataVolume that fills the "golden" PVC `image-<name>` on the RBD
// StorageClass (imported from spec.source.url, or uploaded through CDI's upload proxy for
// spec.source.upload), and a DataSource `image-<name>` pointing at that PVC, which instance
// root disks clone from (a CSI clone: Ceph copy-on-write). Plus the Glance-style status
// read back from the DataVolume. Pure.
//
// Public images live in the shared namespace; an instance in a project clones across
// namespaces through the DataSource's namespace, which CDI allows when the cloning
// identity may `create` the `datavolumes/source` subresource in the image's namespace (the
// operator's ClusterRole grants it; see the chart's RBAC).
import type { ImageObject } from '../../kinds/image.js';
import type { StatusView } from '../../runtime/status.js';
import { ANNOTATIONS, imageDiskName, type DataSource, type DataVolume } from '../engines.js';
import { ownedMetadata, type Child } from '../children.js';
import { LABELS, MANAGED_BY } from '../../domain/naming.js';

export const IMAGE_LABEL = 'stratus.dev/image';

export interface ImageOptions {
  /** StorageClass of golden disks (Ceph RBD: clones are copy-on-write). */
  storageClass: string;
  /** Size of a golden disk when the image does not state minDiskGiB. */
  defaultDiskGiB: number;
}

/** Disk formats CDI converts (qemu-img) into a raw disk; Glance's others cannot boot here. */
export const SUPPORTED_DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso'] as const;

/** Why this image cannot be imported, in the tenant's terms; undefined when it can. */
export function unsupportedReason(image: ImageObject): string | undefined {
  const format = image.spec.diskFormat;
  if (format && !(SUPPORTED_DISK_FORMATS as readonly string[]).includes(format)) {
    return `disk format ${format} is not supported; use one of ${SUPPORTED_DISK_FORMATS.join(', ')}`;
  }
  if (image.spec.containerFormat !== 'bare') {
    return `container format ${image.spec.containerFormat} is not supported; upload the disk itself (container format bare)`;
  }
  return undefined;
}

/**
 * Size of the golden disk. CDI needs it before the download (it cannot know the virtual
 * size in advance) and grows the image to fill it; root disks are clones of at least this
 * size. Thin-provisioned on Ceph, so a generous size costs nothing until written.
 */
export function goldenDiskGiB(image: ImageObject, options: ImageOptions): number {
  return image.spec.minDiskGiB > 0 ? image.spec.minDiskGiB : options.defaultDiskGiB;
}

function labelsFor(image: ImageObject): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [IMAGE_LABEL]: image.metadata.name! };
}

/** The importing DataVolume, once the image has a source; undefined before. */
export function desiredImageDataVolume(
  image: ImageObject,
  options: ImageOptions,
): (Child & DataVolume) | undefined {
  const source = image.spec.source;
  if (!source || unsupportedReason(image)) return undefined;
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: {
      ...ownedMetadata(image, imageDiskName(image.metadata.name!), labelsFor(image)),
      annotations: {
        // Import now, not when a first consumer pod appears (none ever mounts a golden disk).
        [ANNOTATIONS.cdiImmediateBinding]: 'true',
        // CDI may garbage-collect finished DataVolumes; ours is the record we re-apply.
        [ANNOTATIONS.cdiDeleteAfterCompletion]: 'false',
      },
    },
    spec: {
      source: source.url ? { http: { url: source.url } } : { upload: {} },
      contentType: 'kubevirt',
      storage: {
        storageClassName: options.storageClass,
        // Raw block on RBD; ReadWriteMany so VMs cloned from it can live-migrate.
        volumeMode: 'Block',
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: `${goldenDiskGiB(image, options)}Gi` } },
      },
    },
  };
}

/** The DataSource root disks clone from (it follows the PVC; CDI marks it Ready when filled). */
export function desiredImageDataSource(image: ImageObject): (Child & DataSource) | undefined {
  if (!image.spec.source || unsupportedReason(image)) return undefined;
  const name = imageDiskName(image.metadata.name!);
  const namespace = image.metadata.namespace!;
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataSource',
    metadata: ownedMetadata(image, name, labelsFor(image)),
    spec: { source: { pvc: { name, namespace } } },
  };
}

/** "45.20%" → 45; "N/A" → undefined. */
export function parseProgress(progress: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(progress ?? '');
  return match ? Math.min(100, Math.floor(Number(match[1]))) : undefined;
}

const UPLOAD_PHASES = ['UploadScheduled', 'UploadReady'];
const IMPORTING_PHASES = ['ImportInProgress', 'Paused', 'ExpansionInProgress', 'RebindInProgress'];

/** The most telling message among a DataVolume's conditions. */
function dataVolumeMessage(dv: DataVolume): string | undefined {
  const conditions = dv.status?.conditions ?? [];
  const running = conditions.find((c) => c.type === 'Running');
  const ready = conditions.find((c) => c.type === 'Ready');
  const bound = conditions.find((c) => c.type === 'Bound');
  for (const c of [running, ready, bound]) {
    if (c && c.status !== 'True' && c.message) return c.message;
  }
  return undefined;
}

export interface ImageObservation {
  dataVolume?: DataVolume;
  /** Capacity of the filled golden PVC in bytes: the disk as a guest sees it. */
  capacityBytes?: number;
}

/** The image's status fields (other than conditions) and its Ready condition. */
export function imageStatus(image: ImageObject, observed: ImageObservation): StatusView {
  const problem = unsupportedReason(image);
  if (problem) {
    return {
      status: { state: 'killed', message: problem },
      ready: { type: 'Ready', status: 'False', reason: 'UnsupportedFormat', message: problem },
      terminal: true,
    };
  }
  if (!image.spec.source) {
    return {
      status: { state: 'queued' },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'NoData',
        message: 'the image has no data yet: set spec.source.url, or spec.source.upload and upload the data',
      },
    };
  }
  const name = imageDiskName(image.metadata.name!);
  const dv = observed.dataVolume;
  const refs = { dataVolume: name, pvc: dv?.status?.claimName || name, dataSource: name };
  const phase = dv?.status?.phase ?? '';
  const progress = parseProgress(dv?.status?.progress);
  const message = dv ? dataVolumeMessage(dv) : undefined;
  const restarts = dv?.status?.restartCount ?? 0;

  if (phase === 'Succeeded') {
    const sizes =
      observed.capacityBytes !== undefined
        ? // CDI stores the disk raw and grows it to the PVC: that is both sizes here.
          { sizeBytes: observed.capacityBytes, virtualSizeBytes: observed.capacityBytes }
        : {};
    const deactivated = image.spec.deactivated;
    return {
      status: { ...refs, ...sizes, state: deactivated ? 'deactivated' : 'active', progress: 100 },
      ready: deactivated
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'Deactivated',
            message: 'the image is deactivated: it cannot be booted until spec.deactivated is false',
          }
        : { type: 'Ready', status: 'True', reason: 'Active', message: `golden disk ${name} is filled` },
    };
  }
  if (phase === 'Failed') {
    const why = message ?? 'the import failed';
    return {
      status: { ...refs, state: 'killed', message: why.slice(0, 4096) },
      ready: { type: 'Ready', status: 'False', reason: 'ImportFailed', message: why },
    };
  }
  const retrying = restarts > 0 && message ? ` (retrying after ${restarts} failed attempts: ${message})` : '';
  if (IMPORTING_PHASES.includes(phase) || (UPLOAD_PHASES.includes(phase) && (progress ?? 0) > 0)) {
    return {
      status: { ...refs, state: 'saving', ...(progress !== undefined ? { progress } : {}) },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'Importing',
        message: `image data is arriving${progress !== undefined ? ` (${progress}%)` : ''}${retrying}`,
      },
    };
  }
  if (UPLOAD_PHASES.includes(phase)) {
    return {
      status: { ...refs, state: 'queued' },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'WaitingForUpload',
        message: 'waiting for the image data to be uploaded',
      },
    };
  }
  return {
    status: { ...refs, state: 'queued' },
    ready: {
      type: 'Ready',
      status: 'False',
      reason: 'Importing',
      message: `import of ${image.spec.source.url ?? 'the upload'} is scheduled${phase ? ` (${phase})` : ''}${retrying}`,
    },
  };
}
