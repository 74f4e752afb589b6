/*
 * The envelope-encryption Lambda: encrypt, decrypt and batch operations over base64 payloads, with the key, the
 * required context keys and the cache set by the construct through the environment. Logs are structured and carry
 * no payload, context value or key material.
 */
import { readEnvelopeConfig, RESPONSE_LIMIT_BYTES } from './envelope-config';
import { ENV } from './envelope-env';
import { RequestError } from './request-error';
import type { TenantSource } from './tenant-envelopes';
import { DataKeyCache } from '../../envelope/cache';
import { EncryptionContext } from '../../envelope/context';
import { Envelope } from '../../envelope/envelope';
import { EnvelopeError, KeyringError } from '../../envelope/errors';
import { parseHeader } from '../../envelope/header';
import { AwsKmsKeyring } from '../../envelope/keyrings/aws-kms';

export { ENV, RESPONSE_LIMIT_BYTES };

/** Records per batch: bounds one invocation's work (the 6 MB request limit alone allows millions of empty records). */
export const MAX_BATCH_RECORDS = 1000;
/** A record's id, echoed in its result. */
const MAX_ID_LENGTH = 256;
/** The message format's bound on a serialized encryption context. */
const MAX_CONTEXT_BYTES = 0xffff;
/** What a log line may say about the operation: a fixed value, never the caller's text. */
type LoggedOperation = 'encrypt' | 'decrypt' | 'batch' | 'invalid';

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
  /** Tenants kept (each with its own data-key cache). @default 1000 */
  readonly maxTenants?: number;
}

export interface EnvelopeErrorBody {
  readonly code: string;
  readonly message: string;
  /** In a batch: the record failed on a transient KMS error (or was not attempted after one); send it again later. */
  readonly retryable?: boolean;
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

/**
 * Builds the handler from an environment (the Lambda's, or a test's). The environment is read and checked here, at
 * cold start: a bad value throws EnvelopeConfigError and the init fails.
 */
export function createHandler(env: NodeJS.ProcessEnv, log: Log = (e) => console.log(JSON.stringify(e)), overrides: HandlerOverrides = {}) {
  const config = readEnvelopeConfig(env);
  const { keyArn, sessionRoleArn, maxRecordBytes } = config;
  const contextKey = config.tenantContextKey;
  /** Each Envelope's cache, so that a tenant leaving the tenant cache takes its data keys with it (zeroed). */
  const caches = new WeakMap<Envelope, DataKeyCache>();
  const makeEnvelope = (keyring: AwsKmsKeyring) => {
    const cache = config.cacheMaxAgeMs > 0 ? new DataKeyCache({ maxAgeMs: config.cacheMaxAgeMs, maxMessages: config.cacheMaxMessages }) : undefined;
    const envelope = new Envelope({ keyring, suite: config.suite, requiredContextKeys: config.requiredContextKeys, cache });
    if (cache) caches.set(envelope, cache);
    return envelope;
  };
  const single = keyArn ? makeEnvelope(new AwsKmsKeyring({ generatorKeyId: keyArn })) : undefined;
  const tenants = sessionRoleArn ? new (tenantEnvelopes().TenantEnvelopes)({
    sessionRoleArn,
    aliasPrefix: config.tenantAliasPrefix,
    tagKey: config.tenantTagKey,
    source: config.tenantSource as TenantSource,
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
    maxTenants: overrides.maxTenants,
    release: (envelope) => caches.get(envelope)?.clear(),
  }) : undefined;

  /** One record, checked field by field; transient KMS failures throw, everything else becomes its result. */
  async function one(record: unknown, operation: unknown, scope: Scope, where: string): Promise<EnvelopeResult> {
    const id = idOf(record);
    // Top-level fields are named as they are; a batch record's with its place: records[3].context.
    const at = where === 'request' ? '' : `${where}.`;
    try {
      if (!isRecord(record)) throw new RequestError('BAD_INPUT', `${where} must be an object, got ${kindOf(record)}`);
      if (record.id !== undefined && id === undefined) throw new RequestError('BAD_INPUT', `${at}id must be a string of at most ${MAX_ID_LENGTH} characters`);
      const context = requestContext(record.context, `${at}context`);
      if (operation === 'encrypt') {
        const plaintext = decode(record.plaintext, `${at}plaintext`, maxRecordBytes);
        const message = await scope.envelope.encrypt(plaintext, tenantContext(context ?? {}, scope.tenant));
        plaintext.fill(0);
        return { ok: true, id, ciphertext: message.toString('base64') };
      }
      if (operation === 'decrypt') {
        const message = decode(record.ciphertext, `${at}ciphertext`, maxRecordBytes + 64 * 1024);
        if (scope.tenant !== undefined) requireOwnMessage(message, scope.tenant);
        const result = await scope.envelope.decrypt(message, { expectedContext: context });
        const plaintext = result.plaintext.toString('base64');
        result.plaintext.fill(0);
        return { ok: true, id, plaintext, context: result.context };
      }
      throw new RequestError('BAD_INPUT', `${at}operation must be encrypt${at ? ' or decrypt' : ', decrypt or batch'}, got ${describe(operation)}`);
    } catch (err) {
      // Transient KMS failures fail the invocation, so async callers retry and the DLQ catches what never succeeds.
      if (isTransient(err)) throw err;
      if (err instanceof RequestError || err instanceof EnvelopeError) return { ok: false, id, error: { code: err.code, message: err.message } };
      return { ok: false, id, error: { code: 'INTERNAL', message: `unexpected ${safeName(err)}` } };
    }
  }

  /**
   * A batch's records, in order. A transient KMS failure (after the keyring's retries) fails only that record and
   * the ones after it, marked retryable, and the results so far are returned: KMS is struggling, and each further
   * record would spend another retry budget. When no record has succeeded yet, the invocation fails instead, as a
   * single request does, so that async callers retry it whole.
   */
  async function batch(records: unknown[], scope: Scope): Promise<EnvelopeResult[]> {
    const results: EnvelopeResult[] = [];
    let failure: KeyringError | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const where = `records[${i}]`;
      const operation = isRecord(r) ? r.operation : undefined;
      if (failure) {
        results.push({ ok: false, id: idOf(r), error: { code: 'KEYRING', message: 'not attempted: an earlier record of this batch failed on a transient KMS error', retryable: true } });
        continue;
      }
      try {
        results.push(await one(r, operation, scope, where));
      } catch (err) {
        if (!results.some((x) => x.ok)) throw err;
        failure = err as KeyringError;
        results.push({ ok: false, id: idOf(r), error: { code: 'KEYRING', message: failure.message, retryable: true } });
      }
    }
    return results;
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
    let operation: LoggedOperation = 'invalid';
    let records = 1;
    let response: EnvelopeResult | { ok: boolean; results: EnvelopeResult[] };
    let tenantLogged = false;
    try {
      const request: unknown = http ? parseBody(event) : event;
      if (!isRecord(request)) throw new RequestError('BAD_INPUT', `the request must be a JSON object, got ${kindOf(request)}`);
      operation = loggedOperation(request.operation);
      if (operation === 'batch') {
        if (!Array.isArray(request.records) || request.records.length === 0) {
          throw new RequestError('BAD_INPUT', 'records must be a non-empty array for a batch');
        }
        if (request.records.length > MAX_BATCH_RECORDS) {
          throw new RequestError('LIMIT', `records has ${request.records.length} entries, over the ${MAX_BATCH_RECORDS} per batch`);
        }
        records = request.records.length;
      }
      const proof = request as { callerProof?: unknown; token?: unknown };
      const scope: Scope = tenants
        ? await tenants.resolveTenant(event, proof).then(async (tenant) => ({ tenant, envelope: await tenants.envelopeFor(tenant) }))
        : { envelope: single! };
      tenantLogged = scope.tenant !== undefined;
      if (operation === 'batch') {
        const results = await batch(request.records as unknown[], scope);
        response = { ok: results.every((r) => r.ok), results };
      } else {
        response = await one(request, request.operation, scope, 'request');
      }
      const size = Buffer.byteLength(JSON.stringify(response));
      if (size > RESPONSE_LIMIT_BYTES) {
        response = { ok: false, error: { code: 'LIMIT', message: `the response would be ${size} bytes, over Lambda's ${RESPONSE_LIMIT_BYTES}: send fewer or smaller records` } };
      }
    } catch (err) {
      const code = err instanceof RequestError || err instanceof EnvelopeError ? err.code : 'INTERNAL';
      log({ level: 'error', operation, records, code, durationMs: Date.now() - started });
      if (err instanceof RequestError) {
        const body = { ok: false, error: { code: err.code, message: err.message } };
        return http ? toHttp(err.status, body) : body;
      }
      // The runtime logs what a handler throws: our own errors say what failed without data; anything else is
      // replaced, since a foreign error's message may quote its input.
      if (err instanceof EnvelopeError) throw err;
      throw new EnvelopeError('INTERNAL', `internal error (${safeName(err)})`);
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

function isTransient(err: unknown): err is KeyringError {
  return err instanceof KeyringError && err.transient;
}

function isRecord(value: unknown): value is Record<string, unknown> & EnvelopeRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function idOf(record: unknown): string | undefined {
  return isRecord(record) && typeof record.id === 'string' && record.id.length <= MAX_ID_LENGTH ? record.id : undefined;
}

function loggedOperation(operation: unknown): LoggedOperation {
  return operation === 'encrypt' || operation === 'decrypt' || operation === 'batch' ? operation : 'invalid';
}

/** What a value is, for messages: never the value itself. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}

/** A caller's value in a message: short plain words quoted, anything else described. */
function describe(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,32}$/.test(value) ? JSON.stringify(value) : value === undefined ? 'nothing' : kindOf(value);
}

/** An unexpected error's class name, as a bounded identifier. */
function safeName(err: unknown): string {
  const name = (err as Error)?.name;
  return typeof name === 'string' && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) ? name : 'error';
}

/**
 * A request's encryption context: absent, or an object of string values within the format's 64 KiB. Arrays, strings
 * and nested objects are refused here (an array would otherwise pass as {"0": ...}).
 */
function requestContext(value: unknown, field: string): EncryptionContext | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new RequestError('BAD_INPUT', `${field} must be an object of string values, got ${kindOf(value)}`);
  let bytes = 2;
  const out: EncryptionContext = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v !== 'string') throw new RequestError('BAD_INPUT', `${field} values must be strings, got ${kindOf(v)}`);
    // JSON.parse makes "__proto__" an own key; plain objects downstream would turn it into a prototype.
    if (key === '__proto__') throw new RequestError('BAD_INPUT', `${field} must not have a key named __proto__`);
    bytes += 4 + Buffer.byteLength(key) + Buffer.byteLength(v);
    if (bytes > MAX_CONTEXT_BYTES) throw new RequestError('BAD_INPUT', `${field} must serialize to at most ${MAX_CONTEXT_BYTES} bytes (the message format's limit)`);
    out[key] = v;
  }
  return out;
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
  // The decoded size, known before anything is allocated for it.
  const size = Math.floor((value.length * 3) / 4) - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
  if (size > limit) throw new RequestError('LIMIT', `${field} is ${size} bytes, over the ${limit}-byte limit per record`);
  return Buffer.from(value, 'base64');
}
