/*
 * The envelope-encryption Lambda: encrypt, decrypt and batch operations over base64 payloads, with the key, the
 * required context keys and the cache set by the construct through the environment. Logs are structured and carry
 * no payload, context value or key material.
 */
import { EnvelopeConfig, readEnvelopeConfig, RESPONSE_LIMIT_BYTES } from './envelope-config';
import { ENV } from './envelope-env';
import { EnvelopeRecord, EnvelopeResult, isRecord, kindOf, RecordService, safeName, Scope, serveBatch, serveRecord } from './envelope-records';
import { RequestError } from './request-error';
import type { TenantSource } from './tenant-envelopes';
import { DataKeyCache } from '../../envelope/cache';
import { Envelope } from '../../envelope/envelope';
import { EnvelopeError } from '../../envelope/errors';
import { Keyring } from '../../envelope/keyring';
import { AwsKmsKeyring } from '../../envelope/keyrings/aws-kms';
import { isMultiRegionKey, parseAwsKmsArn } from '../../envelope/keyrings/aws-kms-arn';
import { AwsKmsMrkAwareKeyring } from '../../envelope/keyrings/aws-kms-mrk';

export { ENV, RESPONSE_LIMIT_BYTES };
export type { EnvelopeErrorBody, EnvelopeRecord, EnvelopeResult } from './envelope-records';

/** Records per batch: bounds one invocation's work (the 6 MB request limit alone allows millions of empty records). */
export const MAX_BATCH_RECORDS = 1000;
/** What a log line may say about the operation: a fixed value, never the caller's text. */
type LoggedOperation = 'encrypt' | 'decrypt' | 'batch' | 'invalid';

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

type Log = (entry: Record<string, unknown>) => void;

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
  const service: Service = {
    ...createEnvelopes(config, env, overrides),
    contextKey: config.tenantContextKey,
    maxRecordBytes: config.maxRecordBytes,
  };
  return async function handler(event: any): Promise<any> {
    return handle(service, event, log);
  };
}

/** What every request is served from: the one envelope, or the tenants' (tenant mode), and the record limits. */
interface Service extends RecordService {
  readonly single?: Envelope;
  readonly tenants?: import('./tenant-envelopes').TenantEnvelopes;
}

/** The envelope of the configured key, or in tenant mode the tenants' envelopes, each with its own data-key cache. */
function createEnvelopes(config: EnvelopeConfig, env: NodeJS.ProcessEnv, overrides: HandlerOverrides): Pick<Service, 'single' | 'tenants'> {
  const { keyArn, sessionRoleArn } = config;
  /** Each Envelope's cache, so that a tenant leaving the tenant cache takes its data keys with it (zeroed). */
  const caches = new WeakMap<Envelope, DataKeyCache>();
  const makeEnvelope = (keyring: Keyring) => {
    const cache = config.cacheMaxAgeMs > 0 ? new DataKeyCache({ maxAgeMs: config.cacheMaxAgeMs, maxMessages: config.cacheMaxMessages }) : undefined;
    const envelope = new Envelope({ keyring, suite: config.suite, requiredContextKeys: config.requiredContextKeys, cache });
    if (cache) caches.set(envelope, cache);
    return envelope;
  };
  const single = keyArn ? makeEnvelope(keyringFor(keyArn)) : undefined;
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
  return { single, tenants };
}

/**
 * The configured key's keyring. For a multi-Region key ARN, the MRK-aware keyring: it decrypts messages whose data keys
 * name the same key in any region (the AWS Encryption SDK's MRK match), always by calling Decrypt with the configured
 * ARN in that ARN's region. The construct configures the replica in the function's own region (localKeyArn) and grants
 * the role that ARN alone; the handler never changes it, so what it calls is what the role may call. Whatever the
 * caller's message names, an EDK of another account's key, of a single-Region key elsewhere or of another key is
 * never tried.
 */
export function keyringFor(keyArn: string): Keyring {
  if (keyArn.startsWith('arn:') && parseAwsKmsArn(keyArn) && isMultiRegionKey(keyArn)) return new AwsKmsMrkAwareKeyring({ generatorKeyId: keyArn });
  return new AwsKmsKeyring({ generatorKeyId: keyArn });
}

/** What the request's log line may say: filled in as the request is read, so a refused request logs how far it got. */
interface RequestLog {
  operation: LoggedOperation;
  records: number;
  tenantResolved: boolean;
}

type Response = EnvelopeResult | { ok: boolean; results: EnvelopeResult[] };

/** One invocation: the request checked, served, bounded in size, logged (without data) and answered. */
async function handle(service: Service, event: any, log: Log): Promise<any> {
  const started = Date.now();
  const http = isHttpEvent(event);
  const logged: RequestLog = { operation: 'invalid', records: 1, tenantResolved: false };
  let response: Response;
  try {
    response = limitResponse(await serve(service, event, http, logged));
  } catch (err) {
    const code = err instanceof RequestError || err instanceof EnvelopeError ? err.code : 'INTERNAL';
    log({ level: 'error', operation: logged.operation, records: logged.records, code, durationMs: Date.now() - started });
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
    operation: logged.operation,
    records: results.length,
    failed: results.filter((r) => !r.ok).length,
    codes: [...new Set(results.flatMap((r) => (r.ok ? [] : [r.error.code])))],
    tenantResolved: logged.tenantResolved,
    durationMs: Date.now() - started,
  });
  return http ? toHttp(response.ok ? 200 : statusOf(results), response) : response;
}

/** The request read and checked, its scope (envelope, tenant) resolved, and its one record or batch served. */
async function serve(service: Service, event: any, http: boolean, logged: RequestLog): Promise<Response> {
  const request = validateRequest(http ? parseBody(event) : event, logged);
  const scope = await scopeOf(service, event, request);
  logged.tenantResolved = scope.tenant !== undefined;
  if (logged.operation === 'batch') {
    const results = await serveBatch(service, request.records as unknown[], scope);
    return { ok: results.every((r) => r.ok), results };
  }
  return serveRecord(service, request, request.operation, scope, 'request');
}

/** The request is an object; a batch has between 1 and MAX_BATCH_RECORDS records. */
function validateRequest(request: unknown, logged: RequestLog): Record<string, unknown> & EnvelopeEvent {
  if (!isRecord(request)) throw new RequestError('BAD_INPUT', `the request must be a JSON object, got ${kindOf(request)}`);
  logged.operation = loggedOperation(request.operation);
  if (logged.operation === 'batch') {
    if (!Array.isArray(request.records) || request.records.length === 0) {
      throw new RequestError('BAD_INPUT', 'records must be a non-empty array for a batch');
    }
    if (request.records.length > MAX_BATCH_RECORDS) {
      throw new RequestError('LIMIT', `records has ${request.records.length} entries, over the ${MAX_BATCH_RECORDS} per batch`);
    }
    logged.records = request.records.length;
  }
  return request;
}

/** The envelope a request is served with: the one key's, or in tenant mode the caller's tenant's. */
async function scopeOf(service: Service, event: any, request: { callerProof?: unknown; token?: unknown }): Promise<Scope> {
  const tenants = service.tenants;
  if (!tenants) return { envelope: service.single! };
  const tenant = await tenants.resolveTenant(event, request);
  return { tenant, envelope: await tenants.envelopeFor(tenant) };
}

/** A response over Lambda's limit is replaced by an error that says so. */
function limitResponse(response: Response): Response {
  const size = Buffer.byteLength(JSON.stringify(response));
  if (size <= RESPONSE_LIMIT_BYTES) return response;
  return { ok: false, error: { code: 'LIMIT', message: `the response would be ${size} bytes, over Lambda's ${RESPONSE_LIMIT_BYTES}: send fewer or smaller records` } };
}

function loggedOperation(operation: unknown): LoggedOperation {
  return operation === 'encrypt' || operation === 'decrypt' || operation === 'batch' ? operation : 'invalid';
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
