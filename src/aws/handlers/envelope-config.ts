/*
 * The envelope function's configuration, read from its environment once, at cold start. A value that is not what the
 * construct writes fails the init with a message naming the variable and the value: a typo in a console edit or a
 * pipeline must never silently drop a limit (Number('4MB') is NaN, and every comparison with NaN is false).
 */
import { ENV } from './envelope-env';
import { MAX_MESSAGES_PER_DATA_KEY } from '../../envelope/cache';
import { RESERVED_PREFIX } from '../../envelope/context';
import { AlgorithmSuite } from '../../envelope/suites';

/** Lambda's synchronous response limit; the handler keeps its responses under it. */
export const RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

/** The function's configuration could not be read: the init fails, so no request is served under a wrong limit. */
export class EnvelopeConfigError extends Error {
  constructor(variable: string, rule: string, value: string) {
    super(`invalid envelope function configuration: ${variable} ${rule}, got ${showValue(value)}`);
    this.name = 'EnvelopeConfigError';
  }
}

export interface EnvelopeConfig {
  readonly keyArn?: string;
  readonly sessionRoleArn?: string;
  /** Context keys every message must carry (tenant mode adds the tenant's). */
  readonly requiredContextKeys: string[];
  readonly tenantContextKey: string;
  readonly suite: AlgorithmSuite;
  /** 0: no data-key cache. */
  readonly cacheMaxAgeMs: number;
  readonly cacheMaxMessages: number;
  readonly maxRecordBytes: number;
  readonly tenantAliasPrefix: string;
  readonly tenantTagKey: string;
  readonly tenantSource: 'principalTag' | 'claim';
}

const SUITES = new Set<number>([AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384]);
/**
 * A KMS key or alias ARN, a key id or an alias name: what AwsKmsKeyring accepts as a generator. Alias names may hold
 * ':' (the AliasName pattern `^[a-zA-Z0-9:/_-]+$`, which the constructs' aliases also allow), so a kms.Alias given as
 * the function's key does not fail the cold start.
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html#KMS-CreateAlias-request-AliasName
 */
const KMS_KEY = /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_+=,.@:-]{1,256}|alias\/[A-Za-z0-9:/_-]{1,250}|(mrk-)?[0-9a-fA-F-]{32,36})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const CONTEXT_KEY = /^[^\s,]{1,256}$/;

/** Reads and checks every variable the handler uses. */
export function readEnvelopeConfig(env: NodeJS.ProcessEnv): EnvelopeConfig {
  const keyArn = optional(env, ENV.KEY_ARN);
  const sessionRoleArn = optional(env, ENV.TENANT_SESSION_ROLE_ARN);
  if (keyArn === undefined && sessionRoleArn === undefined) throw new Error(`${ENV.KEY_ARN} or ${ENV.TENANT_SESSION_ROLE_ARN} must be set`);
  if (keyArn !== undefined && !KMS_KEY.test(keyArn)) throw new EnvelopeConfigError(ENV.KEY_ARN, 'must be a KMS key ARN, alias ARN, key id or alias name', keyArn);
  if (sessionRoleArn !== undefined && !ROLE_ARN.test(sessionRoleArn)) {
    throw new EnvelopeConfigError(ENV.TENANT_SESSION_ROLE_ARN, 'must be an IAM role ARN', sessionRoleArn);
  }
  const tenantContextKey = contextKey(ENV.TENANT_CONTEXT_KEY, env[ENV.TENANT_CONTEXT_KEY] ?? 'tenantId');
  const listed = (env[ENV.REQUIRED_CONTEXT_KEYS] ?? '').split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  for (const k of listed) contextKey(ENV.REQUIRED_CONTEXT_KEYS, k, env[ENV.REQUIRED_CONTEXT_KEYS]);
  const requiredContextKeys = [...listed, ...(sessionRoleArn ? [tenantContextKey] : [])].filter((k, i, all) => all.indexOf(k) === i);

  const suite = integer(env, ENV.SUITE, AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, 0, 0xffff);
  if (!SUITES.has(suite)) throw new EnvelopeConfigError(ENV.SUITE, 'must be 1144 (0x0478) or 1400 (0x0578), the committing suites', String(env[ENV.SUITE]));
  const tenantSource = env[ENV.TENANT_SOURCE] ?? 'principalTag';
  if (tenantSource !== 'principalTag' && tenantSource !== 'claim') throw new EnvelopeConfigError(ENV.TENANT_SOURCE, 'must be principalTag or claim', tenantSource);
  const tenantAliasPrefix = env[ENV.TENANT_ALIAS_PREFIX] ?? 'alias/tenant/';
  if (!/^alias\/[A-Za-z0-9/_-]*\/$/.test(tenantAliasPrefix) || tenantAliasPrefix.startsWith('alias/aws/')) {
    throw new EnvelopeConfigError(ENV.TENANT_ALIAS_PREFIX, "must be 'alias/<prefix>/' (not under alias/aws/)", tenantAliasPrefix);
  }
  const tenantTagKey = env[ENV.TENANT_TAG_KEY] ?? 'tenantId';
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(tenantTagKey)) throw new EnvelopeConfigError(ENV.TENANT_TAG_KEY, 'must be an IAM tag key', tenantTagKey);

  return {
    keyArn,
    sessionRoleArn,
    requiredContextKeys,
    tenantContextKey,
    suite,
    cacheMaxAgeMs: integer(env, ENV.CACHE_MAX_AGE_MS, 0, 0, Number.MAX_SAFE_INTEGER),
    cacheMaxMessages: integer(env, ENV.CACHE_MAX_MESSAGES, 1000, 1, MAX_MESSAGES_PER_DATA_KEY),
    maxRecordBytes: integer(env, ENV.MAX_RECORD_BYTES, 4 * 1024 * 1024, 1, RESPONSE_LIMIT_BYTES),
    tenantAliasPrefix,
    tenantTagKey,
    tenantSource,
  };
}

/** Unset means the default; set but empty is a mistake for an identifier. */
function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A whole decimal number in range: no '', '1e3', '0x10', ' 5', '4MB' or '-1' (Number() takes some of these). */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const rule = `must be a whole number from ${min} to ${max}`;
  if (!/^\d{1,16}$/.test(raw)) throw new EnvelopeConfigError(name, rule, raw);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new EnvelopeConfigError(name, rule, raw);
  return n;
}

/** A context key from the environment; a list's error shows the whole list. */
function contextKey(variable: string, key: string, whole: string = key): string {
  if (!CONTEXT_KEY.test(key) || key.startsWith(RESERVED_PREFIX)) {
    throw new EnvelopeConfigError(variable, `must name encryption context keys (1 to 256 characters, no spaces or commas, not starting with ${RESERVED_PREFIX})`, whole);
  }
  return key;
}

/** A configured value as shown in an error: quoted, control characters escaped, at most 80 characters. */
function showValue(value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return value.length > 80 ? `${shown} (${value.length} characters)` : shown;
}
