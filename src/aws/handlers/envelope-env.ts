/*
 * The environment variables through which EnvelopeEncryptionFunction configures its Lambda. No imports: construct
 * code loads this file, and it must not pull the envelope runtime and the AWS SDK into a CDK app.
 */
/** Environment variables the construct sets. */
export const ENV = {
  KEY_ARN: 'ENVELOPE_KEY_ARN',
  REQUIRED_CONTEXT_KEYS: 'ENVELOPE_REQUIRED_CONTEXT_KEYS',
  SUITE: 'ENVELOPE_SUITE',
  CACHE_MAX_AGE_MS: 'ENVELOPE_CACHE_MAX_AGE_MS',
  CACHE_MAX_MESSAGES: 'ENVELOPE_CACHE_MAX_MESSAGES',
  MAX_RECORD_BYTES: 'ENVELOPE_MAX_RECORD_BYTES',
  /** Tenant mode: the role assumed, tagged with the tenant, for each tenant's KMS calls. */
  TENANT_SESSION_ROLE_ARN: 'ENVELOPE_TENANT_SESSION_ROLE_ARN',
  /** Tenant mode: `alias/<prefix>/`, to which the tenant id is appended. */
  TENANT_ALIAS_PREFIX: 'ENVELOPE_TENANT_ALIAS_PREFIX',
  TENANT_TAG_KEY: 'ENVELOPE_TENANT_TAG_KEY',
  TENANT_CONTEXT_KEY: 'ENVELOPE_TENANT_CONTEXT_KEY',
  /** `principalTag` or `claim`. */
  TENANT_SOURCE: 'ENVELOPE_TENANT_SOURCE',
  TENANT_CLAIM: 'ENVELOPE_TENANT_CLAIM',
  /** Tenant mode: comma-separated ids of the hierarchy's keys; a tenant's alias must name one of them. */
  TENANT_KEY_IDS: 'ENVELOPE_TENANT_KEY_IDS',
  /** principalTag: the server id callers sign into their proofs. */
  CALLER_PROOF_SERVER_ID: 'ENVELOPE_CALLER_PROOF_SERVER_ID',
  /** claim: the token issuer (`iss`), the accepted audiences (`aud`, comma-separated) and the issuer's JWKS URI. */
  JWT_ISSUER: 'ENVELOPE_JWT_ISSUER',
  JWT_AUDIENCE: 'ENVELOPE_JWT_AUDIENCE',
  JWT_JWKS_URI: 'ENVELOPE_JWT_JWKS_URI',
} as const;
