// Random and malformed AdmissionReview bodies never crash the webhook server or make it
// answer 500: it answers a review (200) or says what is wrong with the body (4xx).
import fc from 'fast-check';
import { request } from 'node:https';
import { describe, expect, inject, it } from 'vitest';
import { API_VERSION } from '../../operator/kinds/meta.js';
import { stratusKinds } from '../../operator/kinds/index.js';

function post(path: string, body: string | Buffer): Promise<{ status: number; text: string }> {
  const url = new URL(path, inject('webhookUrl'));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', ca: inject('webhookCaPem'), headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = fc.jsonValue({ maxDepth: 4 });
const plural = fc.constantFrom(...stratusKinds.map((k) => k.plural), 'pods', '');
const operation = fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT', 'PATCH', '');
const object = fc.oneof(
  json,
  fc.record(
    {
      apiVersion: fc.constantFrom(API_VERSION, 'v1', 'x'),
      kind: fc.constantFrom(...stratusKinds.map((k) => k.kind), 'Pod'),
      metadata: fc.record(
        { name: fc.string(), namespace: fc.string(), uid: fc.uuid() },
        { requiredKeys: [] },
      ),
      spec: json,
    },
    { requiredKeys: [] },
  ),
);
/** Reviews that look real enough to get past the envelope check, with garbage inside. */
const review = fc.record({
  apiVersion: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1'),
  kind: fc.constantFrom('AdmissionReview', 'Review'),
  request: fc.record(
    {
      uid: fc.oneof(fc.uuid(), fc.string()),
      kind: fc.record({
        group: fc.constantFrom('stratus.dev', ''),
        version: fc.constant('v1alpha1'),
        kind: fc.string(),
      }),
      resource: fc.record({
        group: fc.constantFrom('stratus.dev', ''),
        version: fc.constant('v1alpha1'),
        resource: plural,
      }),
      name: fc.string(),
      namespace: fc.constantFrom('demo', 'default', 'stratus-public', ''),
      operation,
      object: fc.oneof(object, fc.constant(null)),
      oldObject: fc.oneof(object, fc.constant(null)),
      userInfo: fc.record({ username: fc.string() }),
    },
    { requiredKeys: [] },
  ),
});

function assertAnswered(status: number, text: string): void {
  expect([200, 400, 413]).toContain(status);
  const parsed = JSON.parse(text) as { response?: { uid: string; allowed: boolean }; error?: string };
  if (status === 200) {
    expect(typeof parsed.response?.allowed).toBe('boolean');
  } else {
    expect(parsed.error).toMatch(/\S/);
  }
}

describe('webhook server under fuzzing', () => {
  it('answers random JSON documents and raw bytes with 200 or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          json.map((v) => JSON.stringify(v)),
          fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
          fc.string().map((s) => `{"apiVersion": ${s}`),
        ),
        fc.constantFrom('/validate', '/mutate'),
        async (body, path) => {
          const { status, text } = await post(path, body);
          assertAnswered(status, text);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers structurally plausible but malformed reviews without a 500', async () => {
    await fc.assert(
      fc.asyncProperty(review, fc.constantFrom('/validate', '/mutate'), async (body, path) => {
        const { status, text } = await post(path, JSON.stringify(body));
        assertAnswered(status, text);
        if (status === 200) {
          const uid = (JSON.parse(text) as { response: { uid: string } }).response.uid;
          expect(uid).toBe(body.request.uid);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('refuses a body over the size limit with 413 and keeps serving', async () => {
    const huge = JSON.stringify({ pad: 'x'.repeat(9 * 1024 * 1024) });
    const { status } = await post('/validate', huge);
    expect(status).toBe(413);
    const after = await post('/validate', '{}');
    expect(after.status).toBe(400);
  });
});
