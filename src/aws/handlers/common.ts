/*
 * Shared plumbing of the custom-resource handlers. No CDK imports: this code is bundled into Lambda.
 */

/** What CloudFormation (through the Provider framework) sends. Scalar properties arrive as strings. */
export interface ResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
  readonly StackId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
  /** isComplete only: the Data onEvent returned. */
  readonly Data?: Record<string, string>;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** A failure CloudFormation shows to the user; the message says what to do. */
export class ResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceError';
  }
}

/** Overridable in tests. */
export const timing = {
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  pollIntervalMs: 2000,
  pollAttempts: 60,
};

export function required(props: Record<string, any>, name: string): string {
  const v = props[name];
  if (v === undefined || v === null || v === '') throw new ResourceError(`property ${name} is required`);
  return String(v);
}

export function optional(props: Record<string, any>, name: string): string | undefined {
  const v = props[name];
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

export function bool(props: Record<string, any>, name: string, fallback: boolean): boolean {
  const v = props[name];
  if (v === undefined || v === null || v === '') return fallback;
  return v === true || v === 'true';
}

export function int(props: Record<string, any>, name: string, fallback?: number): number {
  const v = props[name];
  if (v === undefined || v === null || v === '') {
    if (fallback === undefined) throw new ResourceError(`property ${name} is required`);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ResourceError(`property ${name} must be a whole number, got ${v}`);
  return n;
}

export function list(props: Record<string, any>, name: string): string[] {
  const v = props[name];
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** The error's service name, whether it came from the SDK or elsewhere. */
export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? 'Error';
}

/** AWS errors that mean "already gone" on delete. */
export function isNotFound(e: unknown): boolean {
  return /NotFound|CloudHsmResourceNotFoundException|CustomKeyStoreNotFoundException/.test(errorName(e));
}

/** AWS errors worth retrying within one handler invocation. */
export function isThrottle(e: unknown): boolean {
  return /Throttl|TooManyRequests|RequestLimitExceeded|CloudHsmInternalFailure|KMSInternal|DependencyTimeout/.test(errorName(e));
}

/** Retries throttling and internal failures with backoff, then gives up with a clear message. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isThrottle(e) || attempt >= attempts) {
        if (isThrottle(e)) throw new ResourceError(`${what} was throttled ${attempts} times (${errorName(e)}); retry the deployment`);
        throw e;
      }
      await timing.sleep(Math.min(1000 * 2 ** attempt, 20000));
    }
  }
}

/** Logs what happens, never property values (they may name secrets). */
export function log(event: ResourceEvent, phase: string, detail = ''): void {
  console.log(JSON.stringify({
    phase,
    requestType: event.RequestType,
    resourceType: event.ResourceType,
    logicalId: event.LogicalResourceId,
    physicalId: event.PhysicalResourceId,
    detail,
  }));
}
