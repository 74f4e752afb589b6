/*
 * The envelope Lambda's records: each one checked field by field and encrypted or decrypted, and a batch of them in
 * order. Messages name the field and describe the value (its kind and length), never quote a payload or context value.
 */
import { RequestError } from './request-error';
import { EncryptionContext } from '../../envelope/context';
import { Envelope } from '../../envelope/envelope';
import { EnvelopeError, KeyringError } from '../../envelope/errors';
import { parseHeader } from '../../envelope/header';

/** A record's id, echoed in its result. */
const MAX_ID_LENGTH = 256;
/** The message format's bound on a serialized encryption context. */
const MAX_CONTEXT_BYTES = 0xffff;

export interface EnvelopeRecord {
  readonly id?: string;
  readonly operation?: 'encrypt' | 'decrypt';
  /** base64 plaintext, for encrypt. */
  readonly plaintext?: string;
  /** base64 message, for decrypt. */
  readonly ciphertext?: string;
  readonly context?: Record<string, string>;
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

/** What a request is served with: the envelope, and in tenant mode the caller's tenant. */
export interface Scope {
  readonly envelope: Envelope;
  readonly tenant?: string;
}

/** What serving a record needs of the handler's configuration. */
export interface RecordService {
  /** The context key that names a message's tenant (tenant mode). */
  readonly contextKey: string;
  readonly maxRecordBytes: number;
}

/** One record, checked field by field; transient KMS failures throw, everything else becomes its result. */
export async function serveRecord(service: RecordService, record: unknown, operation: unknown, scope: Scope, where: string): Promise<EnvelopeResult> {
  const id = idOf(record);
  // Top-level fields are named as they are; a batch record's with its place: records[3].context.
  const at = where === 'request' ? '' : `${where}.`;
  try {
    if (!isRecord(record)) throw new RequestError('BAD_INPUT', `${where} must be an object, got ${kindOf(record)}`);
    if (record.id !== undefined && id === undefined) throw new RequestError('BAD_INPUT', `${at}id must be a string of at most ${MAX_ID_LENGTH} characters`);
    const context = requestContext(record.context, `${at}context`);
    if (operation === 'encrypt') return await encryptRecord(service, record, context, scope, at, id);
    if (operation === 'decrypt') return await decryptRecord(service, record, context, scope, at, id);
    throw new RequestError('BAD_INPUT', `${at}operation must be encrypt${at ? ' or decrypt' : ', decrypt or batch'}, got ${describe(operation)}`);
  } catch (err) {
    // Transient KMS failures fail the invocation, so async callers retry and the DLQ catches what never succeeds.
    if (isTransient(err)) throw err;
    if (err instanceof RequestError || err instanceof EnvelopeError) return { ok: false, id, error: { code: err.code, message: err.message } };
    return { ok: false, id, error: { code: 'INTERNAL', message: `unexpected ${safeName(err)}` } };
  }
}

async function encryptRecord(service: RecordService, record: EnvelopeRecord, context: EncryptionContext | undefined, scope: Scope,
  at: string, id: string | undefined): Promise<EnvelopeResult> {
  const plaintext = decode(record.plaintext, `${at}plaintext`, service.maxRecordBytes);
  const message = await scope.envelope.encrypt(plaintext, tenantContext(service.contextKey, context ?? {}, scope.tenant));
  plaintext.fill(0);
  return { ok: true, id, ciphertext: message.toString('base64') };
}

async function decryptRecord(service: RecordService, record: EnvelopeRecord, context: EncryptionContext | undefined, scope: Scope,
  at: string, id: string | undefined): Promise<EnvelopeResult> {
  const message = decode(record.ciphertext, `${at}ciphertext`, service.maxRecordBytes + 64 * 1024);
  if (scope.tenant !== undefined) requireOwnMessage(service.contextKey, message, scope.tenant);
  const result = await scope.envelope.decrypt(message, { expectedContext: context });
  const plaintext = result.plaintext.toString('base64');
  result.plaintext.fill(0);
  return { ok: true, id, plaintext, context: result.context };
}

/**
 * A batch's records, in order. A transient KMS failure (after the keyring's retries) fails only that record and
 * the ones after it, marked retryable, and the results so far are returned: KMS is struggling, and each further
 * record would spend another retry budget. When no record has succeeded yet, the invocation fails instead, as a
 * single request does, so that async callers retry it whole.
 */
export async function serveBatch(service: RecordService, records: unknown[], scope: Scope): Promise<EnvelopeResult[]> {
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
      results.push(await serveRecord(service, r, operation, scope, where));
    } catch (err) {
      if (!results.some((x) => x.ok)) throw err;
      failure = err as KeyringError;
      results.push({ ok: false, id: idOf(r), error: { code: 'KEYRING', message: failure.message, retryable: true } });
    }
  }
  return results;
}

/** In tenant mode the context names the caller's tenant, whatever the request says. */
function tenantContext(contextKey: string, context: Record<string, string>, tenant: string | undefined): Record<string, string> {
  if (tenant === undefined) return context;
  if (context[contextKey] !== undefined && context[contextKey] !== tenant) {
    throw new RequestError('TENANT_MISMATCH', `context.${contextKey} must be the caller's tenant`, 403);
  }
  return { ...context, [contextKey]: tenant };
}

/** Another tenant's message is refused before any key is asked for it, whatever the key policy would allow. */
function requireOwnMessage(contextKey: string, message: Buffer, tenant: string): void {
  let owner: string | undefined;
  try {
    owner = parseHeader(message, { maxEncryptedDataKeys: 16 }).context[contextKey];
  } catch {
    return; // Not a readable message: decrypt reports why.
  }
  if (owner !== tenant) throw new RequestError('TENANT_MISMATCH', 'the message belongs to another tenant', 403);
}

function isTransient(err: unknown): err is KeyringError {
  return err instanceof KeyringError && err.transient;
}

export function isRecord(value: unknown): value is Record<string, unknown> & EnvelopeRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function idOf(record: unknown): string | undefined {
  return isRecord(record) && typeof record.id === 'string' && record.id.length <= MAX_ID_LENGTH ? record.id : undefined;
}

/** What a value is, for messages: never the value itself. */
export function kindOf(value: unknown): string {
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
export function safeName(err: unknown): string {
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

function decode(value: unknown, field: string, limit: number): Buffer {
  if (typeof value !== 'string') throw new RequestError('BAD_INPUT', `${field} must be a base64 string`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new RequestError('BAD_INPUT', `${field} is not valid base64`);
  // The decoded size, known before anything is allocated for it.
  const size = Math.floor((value.length * 3) / 4) - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
  if (size > limit) throw new RequestError('LIMIT', `${field} is ${size} bytes, over the ${limit}-byte limit per record`);
  return Buffer.from(value, 'base64');
}
