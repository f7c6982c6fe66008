// The admission.k8s.io/v1 AdmissionReview wire format: a lenient parser for what the
// apiserver sends and builders for what we answer.
import { z } from 'zod';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

const groupVersionResource = z.object({
  group: z.string(),
  version: z.string(),
  resource: z.string(),
});

const kubeObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z
    .looseObject({
      name: z.string().optional(),
      namespace: z.string().optional(),
      uid: z.string().optional(),
      generation: z.number().optional(),
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      finalizers: z.array(z.string()).optional(),
      deletionTimestamp: z.string().optional(),
    })
    .optional(),
});

export const admissionReview = z.object({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal('AdmissionReview'),
  request: z.object({
    uid: z.string().min(1),
    kind: z.object({ group: z.string(), version: z.string(), kind: z.string() }),
    resource: groupVersionResource,
    subResource: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
    userInfo: z
      .looseObject({ username: z.string().optional(), groups: z.array(z.string()).optional() })
      .optional(),
    object: kubeObject.nullable().optional(),
    oldObject: kubeObject.nullable().optional(),
    dryRun: z.boolean().optional(),
  }),
});

export type AdmissionRequest = z.infer<typeof admissionReview>['request'];

/** A reason to refuse: the field it is about and what the tenant can do about it. */
export interface Denial {
  field: string;
  message: string;
  /** 422 invalid (default), 403 forbidden (quota, visibility), 409 conflict (in use). */
  code?: 403 | 409 | 422;
}

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
}

const reasons: Record<number, string> = {
  403: 'Forbidden',
  409: 'Conflict',
  422: 'Invalid',
  500: 'InternalError',
};

function review(response: AdmissionResponse): object {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

export function allow(uid: string, patch: JsonPatchOperation[] = [], warnings: string[] = []): object {
  const response: AdmissionResponse = { uid, allowed: true };
  if (patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
  }
  if (warnings.length > 0) response.warnings = warnings;
  return review(response);
}

/** One message naming every refused field, as the apiserver prints it to kubectl. */
export function deny(uid: string, denials: Denial[]): object {
  const code = denials.find((d) => d.code === 403 || d.code === 409)?.code ?? 422;
  const message = denials.map((d) => `${d.field}: ${d.message}`).join('; ');
  return review({ uid, allowed: false, status: { code, reason: reasons[code]!, message } });
}

/** Fail closed with an explanation when we cannot decide (the apiserver refuses the request). */
export function internalError(uid: string, message: string): object {
  return review({
    uid,
    allowed: false,
    status: {
      code: 500,
      reason: reasons[500]!,
      message: `admission webhook could not decide: ${message}; retry`,
    },
  });
}
