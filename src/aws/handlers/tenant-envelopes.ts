/*
 * The tenant side of the envelope function: who the caller's tenant is (a principal tag on the IAM role or user that
 * signed the caller's proof, or a claim of a token whose signature the function verified), and an Envelope per tenant
 * whose KMS calls run in a session tagged with that tenant, so the key policies' attribute-based conditions decide,
 * not this code alone. Nothing in the event's `requestContext` is trusted: a principal allowed to invoke the function
 * directly can write any event.
 */
import { IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CallerProofVerifier, StsSender, stsSender, TokenCheck, TokenVerifier } from './caller-identity';
import { RequestError } from './request-error';
import type { Envelope } from '../../envelope/envelope';
import { AwsKmsKeyring } from '../../envelope/keyrings/aws-kms';

/** Where the caller's tenant comes from. */
export type TenantSource = 'principalTag' | 'claim';

export interface TenantEnvelopesOptions {
  /** The role assumed (with the tenant as a session tag) for every KMS call made for a tenant. */
  readonly sessionRoleArn: string;
  /** `alias/<prefix>/`: a tenant's key is the alias plus its id. */
  readonly aliasPrefix: string;
  readonly tagKey: string;
  readonly source: TenantSource;
  /** The claim that names the tenant, for `claim`. */
  readonly claim?: string;
  /** principalTag: the server id a caller's proof must carry, signed. */
  readonly serverId?: string;
  /** principalTag: the function's region (its STS endpoint is the one proofs must be signed for). */
  readonly region?: string;
  /** principalTag: where proofs are sent. @default - the STS endpoint the proof is signed for */
  readonly sendProof?: StsSender;
  /** principalTag: connect to this endpoint instead (the signed Host header is unchanged). */
  readonly stsEndpoint?: string;
  /** claim: the token checks. */
  readonly tokenCheck?: TokenCheck;
  /**
   * The ids of the hierarchy's keys: a tenant's alias must name one of them, so re-pointing an alias at another key
   * (kms:UpdateAlias) cannot redirect a tenant's data. Empty: no pinning (refused by the construct).
   */
  readonly pinnedKeyIds: ReadonlySet<string>;
  readonly makeEnvelope: (keyring: AwsKmsKeyring) => Envelope;
  /** Tenants whose sessions and data keys stay cached. @default 1000 */
  readonly maxTenants?: number;
  /** Called with the Envelope of a tenant that leaves the cache, to wipe its cached data keys. */
  readonly release?: (envelope: Envelope) => void;
}

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TAG_TTL_MS = 5 * 60 * 1000;
const SESSION_SECONDS = 900;

interface TenantEntry {
  readonly envelope: Promise<Envelope>;
}

export class TenantEnvelopes {
  private readonly sts = new STSClient({});
  private readonly iam = new IAMClient({});
  private readonly tags = new Map<string, { tenant: string | undefined; at: number }>();
  private readonly entries = new Map<string, TenantEntry>();
  private readonly account: string;
  private readonly proofs?: CallerProofVerifier;
  private readonly tokens?: TokenVerifier;

  constructor(private readonly options: TenantEnvelopesOptions) {
    this.account = options.sessionRoleArn.split(':')[4] ?? '';
    if (options.source === 'claim') {
      if (!options.claim || !options.tokenCheck?.issuer || !options.tokenCheck.jwksUri || options.tokenCheck.audience.length === 0) {
        throw new Error('claim mode needs a claim, an issuer, an audience and a JWKS URI');
      }
      this.tokens = new TokenVerifier(options.tokenCheck);
    } else {
      if (!options.serverId || !options.region) throw new Error('principal-tag mode needs a server id and the function\'s region');
      const send = options.sendProof ?? stsSender(options.stsEndpoint);
      this.proofs = new CallerProofVerifier({ serverId: options.serverId, region: options.region }, send);
    }
  }

  /**
   * The caller's tenant, from proof the request carries: `callerProof` (principalTag) or a token (claim: the
   * `token` field, or an `Authorization: Bearer` header of an HTTP event).
   */
  public async resolveTenant(event: any, request: { callerProof?: unknown; token?: unknown }): Promise<string> {
    let tenant: unknown;
    if (this.options.source === 'claim') {
      const claims = await this.tokens!.claims(request.token ?? bearer(event));
      tenant = claims[this.options.claim!];
      if (tenant === undefined) throw new RequestError('TENANT', `the caller's token carries no ${this.options.claim} claim`, 403);
    } else {
      const arn = await this.proofs!.callerArn(request.callerProof);
      tenant = await this.tagOf(arn);
      if (tenant === undefined) throw new RequestError('TENANT', `the caller's IAM identity carries no ${this.options.tagKey} tag`, 403);
    }
    if (typeof tenant !== 'string' || !TENANT_ID.test(tenant)) {
      throw new RequestError('TENANT', 'the caller\'s tenant must be 1 to 64 letters, digits, \'_\' or \'-\'', 403);
    }
    return tenant;
  }

  /** The tenant's Envelope: its own key or its pool's, used through a session tagged with the tenant. */
  public envelopeFor(tenant: string): Promise<Envelope> {
    const hit = this.entries.get(tenant);
    if (hit) {
      // Least recently used goes first when the map is full.
      this.entries.delete(tenant);
      this.entries.set(tenant, hit);
      return hit.envelope;
    }
    const entry: TenantEntry = { envelope: this.open(tenant) };
    entry.envelope.catch(() => this.entries.delete(tenant));
    this.entries.set(tenant, entry);
    if (this.entries.size > (this.options.maxTenants ?? 1000)) {
      const [oldest, old] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      old.envelope.then((e) => this.options.release?.(e), () => undefined);
    }
    return entry.envelope;
  }

  private async open(tenant: string): Promise<Envelope> {
    const kms = new KMSClient({ maxAttempts: 1, credentials: () => this.session(tenant) });
    let arn: string | undefined;
    try {
      const res = await kms.send(new DescribeKeyCommand({ KeyId: `${this.options.aliasPrefix}${tenant}` }));
      if (res.KeyMetadata?.KeyState !== 'Enabled') throw new RequestError('TENANT', `tenant ${tenant} has no usable key (it is ${res.KeyMetadata?.KeyState ?? 'unknown'})`, 403);
      arn = res.KeyMetadata.Arn;
      // The alias is only a lookup: the key it names must be one the hierarchy made, in the function's account.
      if (!this.options.pinnedKeyIds.has(res.KeyMetadata.KeyId ?? '') || arn?.split(':')[4] !== this.account) {
        throw new RequestError('TENANT', `tenant ${tenant}'s alias names a key outside the hierarchy: refused`, 403);
      }
    } catch (err) {
      if (err instanceof RequestError) throw err;
      const name = (err as Error)?.name ?? 'Error';
      if (name === 'NotFoundException') throw new RequestError('TENANT', `tenant ${tenant} has no key: unknown or offboarded`, 403);
      if (name === 'AccessDeniedException') throw new RequestError('TENANT', `the tenant session may not use tenant ${tenant}'s key`, 403);
      throw new RequestError('UNAVAILABLE', `could not look up tenant ${tenant}'s key (${name})`, 503);
    }
    return this.options.makeEnvelope(new AwsKmsKeyring({ generatorKeyId: arn!, client: kms }));
  }

  private async session(tenant: string) {
    const res = await this.sts.send(new AssumeRoleCommand({
      RoleArn: this.options.sessionRoleArn,
      RoleSessionName: `tenant-${tenant}`.slice(0, 64),
      DurationSeconds: SESSION_SECONDS,
      Tags: [{ Key: this.options.tagKey, Value: tenant }],
    }));
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new RequestError('UNAVAILABLE', 'STS returned no credentials for the tenant session', 503);
    // The SDK reuses these until shortly before they expire.
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }

  /** The tenant tag of the role or user behind a caller ARN, cached for a few minutes. */
  private async tagOf(callerArn: string): Promise<string | undefined> {
    const cached = this.tags.get(callerArn);
    if (cached && Date.now() - cached.at < TAG_TTL_MS) return cached.tenant;
    const m = /^arn:[^:]+:(sts|iam)::(\d{12}):(assumed-role|role|user)\/(.+)$/.exec(callerArn);
    if (!m) throw new RequestError('TENANT', 'the caller is neither an IAM role nor an IAM user', 403);
    const [, , account, kind, rest] = m;
    if (this.account && account !== this.account) throw new RequestError('TENANT', 'the caller is in another account: its tags cannot be read', 403);
    const parts = rest.split('/');
    // assumed-role/<role>/<session>; role/<path>/<role>; user/<path>/<user>
    const name = kind === 'assumed-role' ? parts[0] : parts[parts.length - 1];
    let tagList: Array<{ Key?: string; Value?: string }> | undefined;
    try {
      tagList = kind === 'user'
        ? (await this.iam.send(new ListUserTagsCommand({ UserName: name }))).Tags
        : (await this.iam.send(new ListRoleTagsCommand({ RoleName: name }))).Tags;
    } catch (err) {
      throw new RequestError('UNAVAILABLE', `could not read the caller's tags (${(err as Error)?.name ?? 'Error'})`, 503);
    }
    const tenant = tagList?.find((t) => t.Key === this.options.tagKey)?.Value;
    this.tags.set(callerArn, { tenant, at: Date.now() });
    return tenant;
  }
}

/** The token of an `Authorization: Bearer` header (API Gateway, function URL). */
function bearer(event: any): string | undefined {
  const headers = event?.headers;
  if (headers === null || typeof headers !== 'object') return undefined;
  const value = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  const m = typeof value === 'string' ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(value) : null;
  return m?.[1];
}
