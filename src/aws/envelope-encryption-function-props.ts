import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { quoted } from './private/input';
import type { TenantKeyHierarchy } from './tenant-key-hierarchy';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';

/** The message format suite the function writes (it reads both). */
export enum EnvelopeSuite {
  /** 0x0478: AES-256-GCM, HKDF-SHA512, key commitment. */
  COMMITTING = 0x0478,
  /** 0x0578: as COMMITTING, plus an ECDSA P-384 signature (the AWS Encryption SDK's default; about 2 ms more a message). */
  COMMITTING_SIGNED = 0x0578,
}

/**
 * How a tenant-aware function verifies the caller's token (claim resolution): the signature against the issuer's
 * published keys, and the `iss`, `aud`, `exp` (required) and `nbf` claims.
 */
export interface TokenVerification {
  /** The `iss` every token must carry: an https URL (e.g. `https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly issuer: string;

  /**
   * Accepted `aud` values. A Cognito ID token's `aud` is the app client id; Cognito access tokens carry no `aud` and are
   * refused (send the ID token).
   */
  readonly audience: string[];

  /**
   * The issuer's JSON Web Key Set: an https URL the function fetches (and caches) the signing keys from.
   * @see https://datatracker.ietf.org/doc/html/rfc7517
   */
  readonly jwksUri: string;
}

/**
 * Where a tenant-aware envelope function learns the caller's tenant. Either way the function proves the caller's
 * identity itself: it never reads identity from the event's `requestContext`, which a direct invoker can forge.
 */
export class TenantResolution {
  /**
   * The tenant tag (the hierarchy's `tenantTagKey`) of the IAM role or user that signed the caller's proof: a signed,
   * unsent `sts:GetCallerIdentity` request (`createCallerProof` in `cloud-kms-constructs/lib/envelope`) that the function
   * forwards to its own region's STS endpoint, as HashiCorp Vault's AWS IAM auth method does. The tag is read with IAM.
   * Session tags are not visible to the function: tag the roles themselves.
   */
  public static principalTag(): TenantResolution {
    return new TenantResolution('principalTag');
  }

  /**
   * A claim of the caller's JWT, whose signature, issuer, audience and lifetime the function verifies itself against
   * the issuer's JWKS (what an API Gateway authorizer passed in is not trusted).
   */
  public static claim(name: string, token: TokenVerification): TenantResolution {
    if (typeof name !== 'string' || !/^[\w:./-]{1,128}$/.test(name)) throw new ValidationError(`claim must be 1 to 128 letters, digits and _:./-, got ${quoted(name)}`);
    if (!token) throw new ValidationError(`token must say how to verify the caller's token for claim '${name}', got none`);
    requireHttpsUrl('token.issuer', token.issuer);
    requireHttpsUrl('token.jwksUri', token.jwksUri);
    if (!Array.isArray(token.audience) || token.audience.length === 0) {
      throw new ValidationError(`token.audience must name at least one audience, got ${JSON.stringify(token.audience ?? null)}`);
    }
    for (const aud of token.audience) {
      if (typeof aud !== 'string' || (!Token.isUnresolved(aud) && !/^[^\s,]{1,256}$/.test(aud))) {
        throw new ValidationError(`token.audience must be non-empty values without spaces or commas, got ${quoted(aud)}`);
      }
    }
    return new TenantResolution('claim', name, token);
  }

  private constructor(public readonly source: string, public readonly claimName?: string, public readonly token?: TokenVerification) {}
}

function requireHttpsUrl(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (typeof value !== 'string' || !url || url.protocol !== 'https:' || !url.hostname || url.username || url.password || /[\s,]/.test(value)) {
    throw new ValidationError(`${prop} must be an https URL, got ${quoted(value)}`);
  }
}

/**
 * Properties of an `EnvelopeEncryptionFunction`.
 */
export interface EnvelopeEncryptionFunctionProps {
  /**
   * The KMS key: a ManagedKey, CustomerManagedKey, ByokImport, a key in a HyokExternalStore, or any symmetric IKey.
   * Give either `key` or `tenants`.
   * @default - none: `tenants` is required
   */
  readonly key?: kms.IKey;

  /**
   * Serve the tenants of a hierarchy: each request uses its caller's tenant's key (or pool key, with the tenant in the
   * context), through a role session tagged with that tenant, so the key policies' ABAC conditions apply; a message of
   * another tenant is refused before any key is asked. Give either `key` or `tenants`.
   * @default - none: `key` is required
   */
  readonly tenants?: TenantKeyHierarchy;

  /**
   * How a tenant-aware function learns the caller's tenant.
   * @default TenantResolution.principalTag()
   */
  readonly tenantResolution?: TenantResolution;

  /**
   * Principal-tag resolution: the server id callers sign into their proofs (the `x-cloud-kms-server-id` header), so a
   * proof made for another service is refused here. Give every function its own.
   * @default - `cloud-kms:<this construct's path>`
   */
  readonly callerProofServerId?: string;

  /**
   * Encryption-context keys every request must carry. The function refuses requests without them, and its KMS grant
   * is conditioned on them, so key-policy and CloudTrail records always show them. A tenant-aware function always adds
   * the hierarchy's context key.
   * @default - none beyond the tenant context key (required when `key` is given)
   */
  readonly requiredContextKeys?: string[];

  /**
   * The compliance profile the function's logs follow.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /** @default EnvelopeSuite.COMMITTING */
  readonly suite?: EnvelopeSuite;

  /**
   * How long a data key is reused for messages with the same context (0 turns the cache off).
   * @default Duration.minutes(5)
   */
  readonly cacheMaxAge?: Duration;

  /**
   * Messages per cached data key (at most 2^32).
   * @default 1000
   */
  readonly cacheMaxMessages?: number;

  /**
   * Largest plaintext per record, in bytes; the 6 MB response limit caps it further for base64.
   * @default 4194304 (4 MiB)
   */
  readonly maxRecordBytes?: number;

  /** @default 10 */
  readonly reservedConcurrentExecutions?: number;

  /** @default 1024 (crypto work scales with the CPU share that memory buys) */
  readonly memorySize?: number;

  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;

  /**
   * Run inside this VPC (KMS through its interface endpoint or NAT).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /** @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** @default - a security group with egress only */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Retention of the function's logs.
   * @default - the shortest CloudWatch retention that covers the profile's audit retention (at least a year)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Key for the function's logs and dead-letter queue.
   * @default - a new key with rotation, usable by CloudWatch Logs and SQS only
   */
  readonly logEncryptionKey?: kms.IKey;
}
