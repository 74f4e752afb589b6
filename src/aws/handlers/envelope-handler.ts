/*
 * The envelope-encryption Lambda: encrypt, decrypt and batch operations over base64 payloads, with the key, the
 * required context keys and the cache set by the construct through the environment. Logs are structured and carry
 * no payload, context value or key material.
 */
import { DataKeyCache } from '../../envelope/cache';
import { Envelope } from '../../envelope/envelope';
import { EnvelopeError } from '../../envelope/errors';
import { AwsKmsKeyring } from '../../envelope/keyrings/aws-kms';
import { AlgorithmSuite } from '../../envelope/suites';

/** Environment variables the construct sets. */
export const ENV = {
  KEY_ARN: 'ENVELOPE_KEY_ARN',
  REQUIRED_CONTEXT_KEYS: 'ENVELOPE_REQUIRED_CONTEXT_KEYS',
  SUITE: 'ENVELOPE_SUITE',
  CACHE_MAX_AGE_MS: 'ENVELOPE_CACHE_MAX_AGE_MS',
  CACHE_MAX_MESSAGES: 'ENVELOPE_CACHE_MAX_MESSAGES',
  MAX_RECORD_BYTES: 'ENVELOPE_MAX_RECORD_BYTES',
} as const;

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
}

export interface EnvelopeErrorBody {
  readonly code: string;
  readonly message: string;
}

export type EnvelopeResult =
  | { readonly ok: true; readonly id?: string; readonly ciphertext?: string; readonly plaintext?: string; readonly context?: Record<string, string> }
  | { readonly ok: false; readonly id?: string; readonly error: EnvelopeErrorBody };

class RequestError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
  }
}

type Log = (entry: Record<string, unknown>) => void;

/** Builds the handler from an environment (the Lambda's, or a test's). */
export function createHandler(env: NodeJS.ProcessEnv, log: Log = (e) => console.log(JSON.stringify(e))) {
  const keyArn = env[ENV.KEY_ARN];
  if (!keyArn) throw new Error(`${ENV.KEY_ARN} is not set`);
  const required = (env[ENV.REQUIRED_CONTEXT_KEYS] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  const maxRecordBytes = Number(env[ENV.MAX_RECORD_BYTES] ?? 4 * 1024 * 1024);
  const maxAgeMs = Number(env[ENV.CACHE_MAX_AGE_MS] ?? 0);
  const envelope = new Envelope({
    keyring: new AwsKmsKeyring({ generatorKeyId: keyArn }),
    suite: Number(env[ENV.SUITE] ?? AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY) as AlgorithmSuite,
    requiredContextKeys: required,
    cache: maxAgeMs > 0 ? new DataKeyCache({ maxAgeMs, maxMessages: Number(env[ENV.CACHE_MAX_MESSAGES] ?? 1000) }) : undefined,
  });

  async function one(record: EnvelopeRecord, operation: string | undefined): Promise<EnvelopeResult> {
    const id = record.id;
    try {
      if (operation === 'encrypt') {
        const plaintext = decode(record.plaintext, 'plaintext', maxRecordBytes);
        const message = await envelope.encrypt(plaintext, record.context ?? {});
        plaintext.fill(0);
        return { ok: true, id, ciphertext: message.toString('base64') };
      }
      if (operation === 'decrypt') {
        const message = decode(record.ciphertext, 'ciphertext', maxRecordBytes + 64 * 1024);
        const result = await envelope.decrypt(message, { expectedContext: record.context });
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

  return async function handler(event: EnvelopeEvent): Promise<EnvelopeResult | { ok: boolean; results: EnvelopeResult[] }> {
    const started = Date.now();
    const operation = event?.operation;
    let response: EnvelopeResult | { ok: boolean; results: EnvelopeResult[] };
    try {
      if (operation === 'batch') {
        if (!Array.isArray(event.records) || event.records.length === 0) {
          throw new RequestError('BAD_INPUT', 'records must be a non-empty array for a batch');
        }
        const results: EnvelopeResult[] = [];
        for (const r of event.records) results.push(await one(r, r.operation));
        response = { ok: results.every((r) => r.ok), results };
      } else {
        response = await one(event ?? {}, operation);
      }
      const size = Buffer.byteLength(JSON.stringify(response));
      if (size > RESPONSE_LIMIT_BYTES) {
        response = { ok: false, error: { code: 'LIMIT', message: `the response would be ${size} bytes, over Lambda's ${RESPONSE_LIMIT_BYTES}: send fewer or smaller records` } };
      }
    } catch (err) {
      log({ level: 'error', operation, records: event?.records?.length ?? 1, code: (err as EnvelopeError).code ?? 'INTERNAL', durationMs: Date.now() - started });
      if (err instanceof RequestError) return { ok: false, error: { code: err.code, message: err.message } };
      throw err;
    }
    const results = 'results' in response ? response.results : [response];
    log({
      level: response.ok ? 'info' : 'warn',
      operation,
      records: results.length,
      failed: results.filter((r) => !r.ok).length,
      codes: [...new Set(results.flatMap((r) => (r.ok ? [] : [r.error.code])))],
      durationMs: Date.now() - started,
    });
    return response;
  };
}

function decode(value: unknown, field: string, limit: number): Buffer {
  if (typeof value !== 'string') throw new RequestError('BAD_INPUT', `${field} must be a base64 string`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new RequestError('BAD_INPUT', `${field} is not valid base64`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length > limit) throw new RequestError('LIMIT', `${field} is ${bytes.length} bytes, over the ${limit}-byte limit per record`);
  return bytes;
}
