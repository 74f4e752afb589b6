import { setTimeout as sleep } from 'timers/promises';
import { KeyringError } from './errors';

/** How a keyring retries calls to a KMS. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 4 */
  readonly attempts?: number;
  /** First back-off, doubled each retry, with full jitter. @default 50 */
  readonly baseDelayMs?: number;
  /** Largest single back-off. @default 1000 */
  readonly maxDelayMs?: number;
  /** No new attempt starts after this long since the first. @default 5000 */
  readonly budgetMs?: number;
  /** Each attempt is abandoned (and counts as transient) after this long. @default 10000 */
  readonly attemptTimeoutMs?: number;
}

/** An AbortSignal that fires after the policy's per-attempt timeout. */
export function attemptSignal(policy: RetryPolicy = {}): AbortSignal {
  return AbortSignal.timeout(policy.attemptTimeoutMs ?? 10_000);
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException',
  'KMSInternalException', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'DependencyTimeoutException',
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'KeyUnavailableException', 'AbortError',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/** gRPC codes: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL. */
const TRANSIENT_GRPC = new Set([14, 4, 8, 10, 13]);

/** Whether an SDK error (AWS, Azure, Google) is worth retrying: throttling, 5xx, timeouts, network resets. */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; statusCode?: number; $metadata?: { httpStatusCode?: number }; cause?: unknown; message?: string };
  if (!e) return false;
  const status = e.$metadata?.httpStatusCode ?? e.statusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (typeof e.code === 'number' && TRANSIENT_GRPC.has(e.code)) return true;
  // Some wrappers keep only the message (e.g. the AWS SDK's wrapper for errors from another realm). A reply cut off
  // mid-body reaches the SDK's deserializer as Node's "aborted" (or undici's "terminated"), with no status.
  if (typeof e.message === 'string'
    && /socket hang up|other side closed|premature close|\baborted\b|\bterminated\b|\b(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN)\b/.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isTransient(e.cause);
}

/** What a failure was, for messages: the error's name and HTTP status, never its request. */
export function describeFailure(err: unknown): string {
  const e = err as { name?: string; code?: unknown; $metadata?: { httpStatusCode?: number }; statusCode?: number };
  const status = e?.$metadata?.httpStatusCode ?? e?.statusCode;
  return `${e?.name ?? 'Error'}${e?.code !== undefined && typeof e.code !== 'object' ? ` ${String(e.code)}` : ''}${status ? ` (HTTP ${status})` : ''}`;
}

/**
 * Runs `op`, retrying transient failures with exponential back-off and full jitter until the attempts or the time
 * budget run out; then throws a KeyringError naming the operation and the last failure. Non-transient errors are
 * rethrown at once for the keyring to classify.
 */
export async function withRetry<T>(what: string, op: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const attempts = policy.attempts ?? 4;
  const base = policy.baseDelayMs ?? 50;
  const max = policy.maxDelayMs ?? 1000;
  const budget = policy.budgetMs ?? 5000;
  const started = Date.now();
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isTransient(err)) throw err;
      last = err;
      const delay = Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      if (attempt === attempts || Date.now() - started + delay > budget) break;
      await sleep(delay);
    }
  }
  throw new KeyringError(`${what} failed after retries: ${describeFailure(last)}`, true);
}
