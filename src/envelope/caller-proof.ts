/*
 * Proof of an AWS identity for a service that cannot trust what its caller says about itself (the tenant-aware
 * envelope function): a signed sts:GetCallerIdentity request that the caller makes but does not send. The service
 * forwards it to STS, which answers with the ARN of whoever signed it. Altering any signed part breaks the signature;
 * the server-id header is signed too, so a proof made for another service cannot be replayed to this one. This is
 * the scheme of HashiCorp Vault's AWS IAM auth method
 * (https://developer.hashicorp.com/vault/docs/auth/aws#iam-auth-method).
 *
 * Runtime code: no construct imports.
 */
import { createHash, createHmac, Hash, Hmac } from 'crypto';
// The AWS SDK's own SigV4 signer (a bundled dependency of this package).
import { SignatureV4 } from '@smithy/signature-v4';

/** The header that names the service a proof is for; it must be among the signed headers. */
export const CALLER_PROOF_SERVER_ID_HEADER = 'x-cloud-kms-server-id';

/** The only request a proof may carry. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** How long a proof is accepted after it was signed (STS itself accepts 15 minutes). */
export const CALLER_PROOF_MAX_AGE_MS = 5 * 60 * 1000;

/** A signed, unsent sts:GetCallerIdentity request. Send it as the `callerProof` field of a request. */
export interface CallerProof {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** AWS credentials, as the SDK's credential providers return them. */
export interface CallerCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface CallerProofOptions {
  /** The caller's credentials, or a provider of them (e.g. `fromNodeProviderChain()` of @aws-sdk/credential-providers). */
  readonly credentials: CallerCredentials | (() => Promise<CallerCredentials>);
  /** The server id of the service the proof is for (the envelope function's `callerProofServerId`). */
  readonly serverId: string;
  /**
   * The region of the STS endpoint the proof is signed for; the envelope function accepts its own region's endpoint.
   * @default - AWS_REGION, then AWS_DEFAULT_REGION
   */
  readonly region?: string;
  /** @default - now */
  readonly signingDate?: Date;
}

/**
 * Makes a proof of the caller's AWS identity, for `serverId`. A proof is a bearer credential for about five minutes:
 * send it over TLS only (the function URL is HTTPS), and to the service it names.
 *
 * ```ts
 * const callerProof = await createCallerProof({ credentials: fromNodeProviderChain(), serverId: fn.callerProofServerId });
 * // POST to the function URL, SigV4-signed for service 'lambda':
 * //   { "operation": "encrypt", "plaintext": "...", "context": { "purpose": "..." }, "callerProof": callerProof }
 * ```
 */
export async function createCallerProof(options: CallerProofOptions): Promise<CallerProof> {
  if (!options.serverId) throw new Error('serverId is required for a caller proof');
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region || !REGION.test(region)) throw new Error(`region must be an AWS region for a caller proof, got ${JSON.stringify(region ?? null)}`);
  const credentials = typeof options.credentials === 'function' ? await options.credentials() : options.credentials;
  const hostname = stsHost(region);
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname,
    path: '/',
    query: {},
    headers: {
      'host': hostname,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      [CALLER_PROOF_SERVER_ID_HEADER]: options.serverId,
    },
    body: GET_CALLER_IDENTITY_BODY,
  }, { signingDate: options.signingDate });
  return { method: 'POST', url: `https://${hostname}/`, headers: { ...signed.headers }, body: GET_CALLER_IDENTITY_BODY };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The DNS suffix of a region's partition. */
export function partitionDnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

/** A region's STS endpoint host. */
export function stsHost(region: string): string {
  return `sts.${region}.${partitionDnsSuffix(region)}`;
}

/** SHA-256 and HMAC-SHA256 from node:crypto, in the shape the SDK signer takes. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  public update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }

  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  public reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
