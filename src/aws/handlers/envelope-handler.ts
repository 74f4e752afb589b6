/*
 * The envelope-encryption Lambda: encrypt, decrypt and batch operations over base64 payloads, with the key, the
 * required context keys and the cache set by the construct through the environment. Logs are structured and carry
 * no payload, context value or key material.
 */
import { ENV } from './envelope-env';
import { RequestError } from './request-error';
import type { TenantSource } from './tenant-envelopes';
import { DataKeyCache } from '../../envelope/cache';
import { Envelope } from '../../envelope/envelope';
import { EnvelopeError } from '../../envelope/errors';
import { parseHeader } from '../../envelope/header';
import { AwsKmsKeyring } from '../../envelope/keyrings/aws-kms';
import { AlgorithmSuite } from '../../envelope/suites';

export { ENV };

/** Lambda's synchronous response limit; the handler keeps its responses under it. */
export const RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

export interface EnvelopeRecord {
  readonly id?: string;
  readonly operation?: 'encrypt' | 'decrypt';
  /** base64 plaintext, for encrypt. */
  readonly plaintext?: string;
  /** base64 message, for decrypt. */
  readonly ciphertext?: string;
  readonly context?: Record<string, string>;
}

export interface EnvelopeEvent extends EnvelopeRecord {
  readonly operation?: 'encrypt' | 'decrypt' | 'batch' | any;
  readonly records?: EnvelopeRecord[];
  /** Tenant mode, principalTag: a signed sts:GetCallerIdentity request (createCallerProof). */
  readonly callerProof?: unknown;
  /** Tenant mode, claim: the caller's JWT (or an `Authorization: Bearer` header). */
  readonly token?: string;
}

/** What tests replace: how proofs reach STS, and a preloaded JWKS. */
export interface HandlerOverrides {
  readonly sendProof?: import('./caller-identity').StsSender;
  readonly jwks?: unknown;
}

export interface EnvelopeErrorBody {
  readonly code: string;
  readonly message: string;
}

export type EnvelopeResult =
  | { readonly ok: true; readonly id?: string; readonly ciphertext?: string; readonly plaintext?: string; readonly context?: Record<string, string> }
  | { readonly ok: false; readonly id?: string; readonly error: EnvelopeErrorBody };

type Log = (entry: Record<string, unknown>) => void;

/** What a request is served with: the envelope, and in tenant mode the caller's tenant. */
interface Scope {
  readonly envelope: Envelope;
  readonly tenant?: string;
}

/**
 * Tenant mode's module, loaded only in tenant mode: it brings the IAM and STS clients, which cost a function that
 * serves one key about 20 ms of cold start (measured on the bundled asset).
 */
function tenantEnvelopes(): typeof import('./tenant-envelopes') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./tenant-envelopes');
}

/** Builds the handler from an environment (the Lambda's, or a test's). */
export function createHandler(env: NodeJS.ProcessEnv, log: Log = (e) => console.log(JSON.stringify(e)), overrides: HandlerOverrides = {}) {
  const keyArn = env[ENV.KEY_ARN];
  const sessionRoleArn = env[ENV.TENANT_SESSION_ROLE_ARN];
  if (!keyArn && !sessionRoleArn) throw new Error(`${ENV.KEY_ARN} or ${ENV.TENANT_SESSION_ROLE_ARN} must be set`);
  const contextKey = env[ENV.TENANT_CONTEXT_KEY] ?? 'tenantId';
  const required = [
    ...(env[ENV.REQUIRED_CONTEXT_KEYS] ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    ...(sessionRoleArn ? [contextKey] : []),
  ].filter((k, i, all) => all.indexOf(k) === i);
  const maxRecordBytes = Number(env[ENV.MAX_RECORD_BYTES] ?? 4 * 1024 * 1024);
  const maxAgeMs = Number(env[ENV.CACHE_MAX_AGE_MS] ?? 0);
  const makeEnvelope = (keyring: AwsKmsKeyring) => new Envelope({
    keyring,
    suite: Number(env[ENV.SUITE] ?? AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY) as AlgorithmSuite,
    requiredContextKeys: required,
    cache: maxAgeMs > 0 ? new DataKeyCache({ maxAgeMs, maxMessages: Number(env[ENV.CACHE_MAX_MESSAGES] ?? 1000) }) : undefined,
  });
  const single = keyArn ? makeEnvelope(new AwsKmsKeyring({ generatorKeyId: keyArn })) : undefined;
  const tenants = sessionRoleArn ? new (tenantEnvelopes().TenantEnvelopes)({
    sessionRoleArn,
    aliasPrefix: env[ENV.TENANT_ALIAS_PREFIX] ?? 'alias/tenant/',
    tagKey: env[ENV.TENANT_TAG_KEY] ?? 'tenantId',
    source: (env[ENV.TENANT_SOURCE] ?? 'principalTag') as TenantSource,
    claim: env[ENV.TENANT_CLAIM],
    pinnedKeyIds: new Set((env[ENV.TENANT_KEY_IDS] ?? '').split(',').map((k) => k.trim()).filter(Boolean)),
    serverId: env[ENV.CALLER_PROOF_SERVER_ID],
    region: env.AWS_REGION,
    sendProof: overrides.sendProof,
    // Only whoever controls the function's configuration can set it (tests point it at moto).
    stsEndpoint: env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL,
    tokenCheck: env[ENV.JWT_ISSUER] ? {
      issuer: env[ENV.JWT_ISSUER]!,
      audience: (env[ENV.JWT_AUDIENCE] ?? '').split(',').map((a) => a.trim()).filter(Boolean),
      jwksUri: env[ENV.JWT_JWKS_URI] ?? '',
      jwks: overrides.jwks,
    } : undefined,
    makeEnvelope,
  }) : undefined;

  async function one(record: EnvelopeRecord, operation: string | undefined, scope: Scope): Promise<EnvelopeResult> {
    const id = record.id;
    try {
      if (operation === 'encrypt') {
        const plaintext = decode(record.plaintext, 'plaintext', maxRecordBytes);
        const message = await scope.envelope.encrypt(plaintext, tenantContext(record.context ?? {}, scope.tenant));
        plaintext.fill(0);
        return { ok: true, id, ciphertext: message.toString('base64') };
      }
      if (operation === 'decrypt') {
        const message = decode(record.ciphertext, 'ciphertext', maxRecordBytes + 64 * 1024);
        if (scope.tenant !== undefined) requireOwnMessage(message, scope.tenant);
        const result = await scope.envelope.decrypt(message, { expectedContext: record.context });
        const plaintext = result.plaintext.toString('base64');
        result.plaintext.fill(0);
        return { ok: true, id, plaintext, context: result.context };
      }
      throw new RequestError('BAD_INPUT', `operation must be encrypt, decrypt or batch, got ${JSON.stringify(operation ?? null)}`);
    } catch (err) {
      // Transient KMS failures fail the invocation, so async callers retry and the DLQ catches what never succeeds.
      if (err instanceof EnvelopeError && err.code === 'KEYRING' && (err as any).transient) throw err;
      if (err instanceof RequestError || err instanceof EnvelopeError) return { ok: false, id, error: { code: err.code, message: err.message } };
      return { ok: false, id, error: { code: 'INTERNAL', message: `unexpected ${(err as Error)?.name ?? 'error'}` } };
    }
  }

  /** In tenant mode the context names the caller's tenant, whatever the request says. */
  function tenantContext(context: Record<string, string>, tenant: string | undefined): Record<string, string> {
    if (tenant === undefined) return context;
    if (context[contextKey] !== undefined && context[contextKey] !== tenant) {
      throw new RequestError('TENANT_MISMATCH', `context.${contextKey} must be the caller's tenant`, 403);
    }
    return { ...context, [contextKey]: tenant };
  }

  /** Another tenant's message is refused before any key is asked for it, whatever the key policy would allow. */
  function requireOwnMessage(message: Buffer, tenant: string): void {
    let owner: string | undefined;
    try {
      owner = parseHeader(message, { maxEncryptedDataKeys: 16 }).context[contextKey];
    } catch {
      return; // Not a readable message: decrypt reports why.
    }
    if (owner !== tenant) throw new RequestError('TENANT_MISMATCH', 'the message belongs to another tenant', 403);
  }

  return async function handler(event: any): Promise<any> {
    const started = Date.now();
    const http = isHttpEvent(event);
    let request: EnvelopeEvent;
    let operation: unknown;
    let response: EnvelopeResult | { ok: boolean; results: EnvelopeResult[] };
    let tenantLogged = false;
    try {
      request = http ? parseBody(event) : (event ?? {});
      operation = request.operation;
      const scope: Scope = tenants
        ? await tenants.resolveTenant(event, request).then(async (tenant) => ({ tenant, envelope: await tenants.envelopeFor(tenant) }))
        : { envelope: single! };
      tenantLogged = scope.tenant !== undefined;
      if (operation === 'batch') {
        if (!Array.isArray(request.records) || request.records.length === 0) {
          throw new RequestError('BAD_INPUT', 'records must be a non-empty array for a batch');
        }
        const results: EnvelopeResult[] = [];
        for (const r of request.records) results.push(await one(r, r.operation, scope));
        response = { ok: results.every((r) => r.ok), results };
      } else {
        response = await one(request, operation as string, scope);
      }
      const size = Buffer.byteLength(JSON.stringify(response));
      if (size > RESPONSE_LIMIT_BYTES) {
        response = { ok: false, error: { code: 'LIMIT', message: `the response would be ${size} bytes, over Lambda's ${RESPONSE_LIMIT_BYTES}: send fewer or smaller records` } };
      }
    } catch (err) {
      log({ level: 'error', operation, records: event?.records?.length ?? 1, code: (err as EnvelopeError).code ?? 'INTERNAL', durationMs: Date.now() - started });
      if (err instanceof RequestError) {
        const body = { ok: false, error: { code: err.code, message: err.message } };
        return http ? toHttp(err.status, body) : body;
      }
      throw err;
    }
    const results = 'results' in response ? response.results : [response];
    log({
      level: response.ok ? 'info' : 'warn',
      operation,
      records: results.length,
      failed: results.filter((r) => !r.ok).length,
      codes: [...new Set(results.flatMap((r) => (r.ok ? [] : [r.error.code])))],
      tenantResolved: tenantLogged,
      durationMs: Date.now() - started,
    });
    return http ? toHttp(response.ok ? 200 : statusOf(results), response) : response;
  };
}

/** A function URL or API Gateway proxy event (the request is in `body`). */
function isHttpEvent(event: any): boolean {
  return event !== null && typeof event === 'object' && typeof event.requestContext === 'object' && 'body' in event;
}

function parseBody(event: any): EnvelopeEvent {
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : String(event.body ?? '');
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed;
  } catch {
    throw new RequestError('BAD_INPUT', 'the request body must be a JSON object');
  }
}

function toHttp(status: number, body: unknown) {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function statusOf(results: EnvelopeResult[]): number {
  const codes = results.flatMap((r) => (r.ok ? [] : [r.error.code]));
  if (codes.includes('TENANT_MISMATCH')) return 403;
  if (results.length === 1 && codes.length === 1) return codes[0] === 'INTERNAL' ? 500 : 400;
  return 207;
}

function decode(value: unknown, field: string, limit: number): Buffer {
  if (typeof value !== 'string') throw new RequestError('BAD_INPUT', `${field} must be a base64 string`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new RequestError('BAD_INPUT', `${field} is not valid base64`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > limit) throw new RequestError('LIMIT', `${field} is ${bytes.length} bytes, over the ${limit}-byte limit per record`);
  return bytes;
}
