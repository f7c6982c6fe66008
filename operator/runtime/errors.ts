// The two ways a reconcile can fail other than "try again with backoff":
//
// - TerminalError: the object can never converge as specified (an imported key that does
//   not parse, an image larger than the flavor's disk). The runtime writes Ready=False and
//   Degraded=True with the reason, records a Warning event, and does not retry; the object
//   is reconciled again only when it, or something it reads, changes.
// - A backend rejection: an engine's admission (KubeVirt, Kube-OVN) refused what we applied.
//   The same request will be refused again, but the engine's state may change under it (the
//   addresses that blocked a gateway change are released), so the one policy is: say so on
//   the object with the reason BackendRejected and look again after BACKEND_RETRY_MS.
import type { ConditionInput } from './conditions.js';
import { ApiError } from './watch.js';

/** A failure retrying cannot fix (bad input): reported on the object, not retried. */
export class TerminalError extends Error {
  override name = 'TerminalError';
  /** The status fields to write with the condition; by default the object's current ones. */
  readonly status: Record<string, unknown> | undefined;

  constructor(
    /** CamelCase reason for the condition, e.g. `InvalidSpec`. */
    readonly reason: string,
    message: string,
    options: { status?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.status = options.status;
  }

  /** The failure a terminal status view describes (see StatusView.terminal). */
  static of(view: { status: Record<string, unknown>; ready: ConditionInput }): TerminalError {
    return new TerminalError(view.ready.reason, view.ready.message, { status: view.status });
  }
}

/** The conditions a terminal failure writes: Ready=False and Degraded=True, both with its reason. */
export function terminalConditions(error: TerminalError): ConditionInput[] {
  const { reason, message } = error;
  return [
    { type: 'Ready', status: 'False', reason, message },
    { type: 'Degraded', status: 'True', reason, message },
  ];
}

/** How long a controller waits before trying again what a backend refused. */
export const BACKEND_RETRY_MS = 60_000;

/** The condition reason of a backend refusal. */
export const BACKEND_REJECTED = 'BackendRejected';

export interface BackendRejection {
  reason: typeof BACKEND_REJECTED;
  message: string;
  requeueAfterMs: number;
}

/**
 * Whether `error` is an engine's admission refusing the request (400 Bad Request, 403 from
 * a denying webhook, 422 Invalid) — as opposed to a conflict, throttling or an outage, which
 * ordinary backoff handles. Answers the rejection to report (`what` says who refused what:
 * "KubeVirt refused the virtual machine"), or undefined for any other error.
 */
export function backendRejection(error: unknown, what: string): BackendRejection | undefined {
  if (!(error instanceof ApiError) || ![400, 403, 422].includes(error.code)) return undefined;
  return { reason: BACKEND_REJECTED, message: `${what}: ${error.message}`, requeueAfterMs: BACKEND_RETRY_MS };
}
