/*
 * Who is calling the tenant-aware envelope function, proven rather than read from the event: a signed
 * sts:GetCallerIdentity request (principal-tag mode) forwarded to STS, or a JWT verified against its issuer's keys
 * (claim mode). Anything in `requestContext.authorizer` is ignored: a principal allowed to invoke the function directly
 * can write any event it likes.
 */
import { createHash } from 'crypto';
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { RequestError } from './request-error';
import {
  CALLER_PROOF_MAX_AGE_MS, CALLER_PROOF_SERVER_ID_HEADER, GET_CALLER_IDENTITY_BODY, partitionDnsSuffix, stsHost,
} from '../../envelope/caller-proof';

/** Clock skew tolerated for a proof signed "in the future". */
const FUTURE_SKEW_MS = 60 * 1000;

/** Headers a proof may carry; every signed header must be one of them, and only these are forwarded. */
const FORWARDED_HEADERS = new Set([
  'host', 'authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'content-type', 'content-length',
  CALLER_PROOF_SERVER_ID_HEADER,
]);

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/sts\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export interface CallerProofCheck {
  /** The server id the proof must carry, signed. */
  readonly serverId: string;
  /** The function's region: the proof must be signed for this region's STS endpoint (or, in `aws`, the global one). */
  readonly region: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What `checkCallerProof` accepts: the STS host to send it to and the headers to send. */
export interface CheckedProof {
  readonly host: string;
  readonly headers: Record<string, string>;
  /** When the proof stops being accepted (ms since the epoch). */
  readonly expiresAt: number;
}

const refuse = (why: string) => new RequestError('IDENTITY', `the caller proof is refused: ${why}`, 403);

/**
 * The STS hosts the function will talk to: its own region's endpoint, and the global one in the `aws` partition
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html; China regions end in
 * amazonaws.com.cn, https://docs.amazonaws.cn/en_us/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html).
 */
export function allowedStsHosts(region: string): string[] {
  return [stsHost(region), ...(partitionDnsSuffix(region) === 'amazonaws.com' && !region.startsWith('us-gov-') ? ['sts.amazonaws.com'] : [])];
}

/**
 * Checks a proof before anything is sent: a POST of exactly GetCallerIdentity to one of our STS hosts, SigV4-signed
 * recently with our server id among the signed headers. STS checks the signature itself; this keeps the function from
 * ever sending anything else, anywhere else.
 */
export function checkCallerProof(proof: unknown, check: CallerProofCheck): CheckedProof {
  if (proof === null || typeof proof !== 'object') throw refuse('send callerProof: a signed sts:GetCallerIdentity request (see createCallerProof)');
  const p = proof as Record<string, unknown>;
  if (p.method !== 'POST') throw refuse('the method must be POST');
  if (p.body !== GET_CALLER_IDENTITY_BODY) throw refuse(`the body must be exactly ${GET_CALLER_IDENTITY_BODY}`);
  if (p.headers === null || typeof p.headers !== 'object' || Array.isArray(p.headers)) throw refuse('headers must be an object');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(p.headers as Record<string, unknown>)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw refuse(`header ${lower} must be a single-line string`);
    if (!FORWARDED_HEADERS.has(lower)) continue;
    if (lower in headers) throw refuse(`header ${lower} is given twice`);
    headers[lower] = value;
  }
  const hosts = allowedStsHosts(check.region);
  const host = headers.host;
  if (!host || !hosts.includes(host)) throw refuse(`it must be signed for ${hosts.join(' or ')}`);
  if (typeof p.url !== 'string' || p.url !== `https://${host}/`) throw refuse(`the url must be https://${host}/`);
  if (headers[CALLER_PROOF_SERVER_ID_HEADER] !== check.serverId) throw refuse(`it was made for another service (${CALLER_PROOF_SERVER_ID_HEADER})`);

  const auth = AUTHORIZATION.exec(headers.authorization ?? '');
  if (!auth) throw refuse('it carries no SigV4 signature for sts');
  const [, , scopeDate, scopeRegion, signedList] = auth;
  const signed = signedList.split(';');
  for (const required of ['host', 'x-amz-date', CALLER_PROOF_SERVER_ID_HEADER]) {
    if (!signed.includes(required)) throw refuse(`${required} must be a signed header`);
  }
  for (const name of signed) {
    if (!(name in headers)) throw refuse(`signed header ${name} is missing or not accepted`);
  }
  const expectedRegion = host === 'sts.amazonaws.com' ? 'us-east-1' : check.region;
  if (scopeRegion !== expectedRegion) throw refuse(`it must be signed for region ${expectedRegion}`);

  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(headers['x-amz-date'] ?? '');
  if (!date || `${date[1]}${date[2]}${date[3]}` !== scopeDate) throw refuse('x-amz-date is missing or does not match the signature scope');
  const signedAt = Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]);
  const now = (check.now ?? Date.now)();
  if (signedAt > now + FUTURE_SKEW_MS) throw refuse('it is dated in the future');
  if (now - signedAt > CALLER_PROOF_MAX_AGE_MS) throw refuse(`it is older than ${CALLER_PROOF_MAX_AGE_MS / 60000} minutes`);
  headers['content-length'] = String(Buffer.byteLength(GET_CALLER_IDENTITY_BODY));
  return { host, headers, expiresAt: signedAt + CALLER_PROOF_MAX_AGE_MS };
}

/** Sends a checked proof to STS and returns its status and body. Replaceable in tests. */
export type StsSender = (proof: CheckedProof) => Promise<{ status: number; body: string }>;

/**
 * Sends to `https://<host>/`, the host being one of ours. `endpointOverride` (AWS_ENDPOINT_URL_STS, which only whoever
 * controls the function's configuration can set) redirects the connection, e.g. to a test double; the signed Host
 * header still names the real endpoint.
 */
export function stsSender(endpointOverride?: string): StsSender {
  return (proof) => new Promise((resolve, reject) => {
    const target = new URL(endpointOverride ?? `https://${proof.host}/`);
    const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = send({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port || undefined,
      path: '/',
      method: 'POST',
      headers: { ...proof.headers, accept: 'text/xml' },
      timeout: 5000,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) req.destroy(new Error('response too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(GET_CALLER_IDENTITY_BODY);
  });
}

/**
 * The ARN STS reports for a proof, cached until the proof's own expiry (a caller may reuse a proof for a few
 * minutes, as STS would accept it anyway).
 */
export class CallerProofVerifier {
  private readonly verified = new Map<string, { arn: string; until: number }>();

  constructor(private readonly check: CallerProofCheck, private readonly send: StsSender) {}

  public async callerArn(proof: unknown): Promise<string> {
    const checked = checkCallerProof(proof, this.check);
    const now = (this.check.now ?? Date.now)();
    const id = createHash('sha256').update(JSON.stringify(checked.headers)).digest('base64');
    const hit = this.verified.get(id);
    if (hit && hit.until > now) return hit.arn;
    let res: { status: number; body: string };
    try {
      res = await this.send(checked);
    } catch (err) {
      throw new RequestError('UNAVAILABLE', `could not reach STS to verify the caller (${(err as Error)?.name ?? 'Error'})`, 503);
    }
    if (res.status !== 200) {
      const code = /<Code>([A-Za-z.]{1,64})<\/Code>/.exec(res.body)?.[1] ?? `HTTP ${res.status}`;
      if (res.status >= 500) throw new RequestError('UNAVAILABLE', `STS could not verify the caller (${code})`, 503);
      throw refuse(`STS did not accept it (${code})`);
    }
    const arn = /<Arn>(arn:[^<]{1,2048})<\/Arn>/.exec(res.body)?.[1];
    if (!arn) throw new RequestError('UNAVAILABLE', 'STS answered without a caller ARN', 503);
    if (this.verified.size >= 1000) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(id, { arn, until: checked.expiresAt });
    return arn;
  }
}

/** JWT checks of claim mode: signature against the issuer's JWKS, `iss`, `aud`, `exp` (required) and `nbf`. */
export interface TokenCheck {
  readonly issuer: string;
  readonly audience: string[];
  readonly jwksUri: string;
  /** Preloaded JWKS (tests, or a function without internet access). */
  readonly jwks?: unknown;
}

/** Verifies bearer tokens; aws-jwt-verify is loaded only in claim mode. */
export class TokenVerifier {
  private readonly verifier: { verify(token: string): Promise<Record<string, unknown>> };
  private readonly errors: typeof import('aws-jwt-verify/error');

  constructor(check: TokenCheck) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { JwtVerifier } = require('aws-jwt-verify') as typeof import('aws-jwt-verify');
    this.errors = require('aws-jwt-verify/error') as typeof import('aws-jwt-verify/error');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const v = JwtVerifier.create({ issuer: check.issuer, audience: check.audience, jwksUri: check.jwksUri });
    if (check.jwks) v.cacheJwks(check.jwks as any);
    this.verifier = v as any;
  }

  public async claims(token: unknown): Promise<Record<string, unknown>> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 16 * 1024) {
      throw new RequestError('IDENTITY', 'send the caller\'s token (Authorization: Bearer, or the token field)', 403);
    }
    let payload: Record<string, unknown>;
    try {
      payload = await this.verifier.verify(token);
    } catch (err) {
      throw this.refusal(err);
    }
    if (typeof payload.exp !== 'number') throw new RequestError('IDENTITY', 'the caller\'s token is refused (it has no exp)', 403);
    return payload;
  }

  /** Why a token was refused, in words that name no token content. */
  private refusal(err: unknown): RequestError {
    const e = this.errors;
    if (err instanceof e.FetchError || err instanceof e.JwksValidationError || err instanceof e.JwksNotAvailableInCacheError) {
      return new RequestError('UNAVAILABLE', 'could not load the issuer\'s signing keys', 503);
    }
    const why = err instanceof e.JwtInvalidSignatureError || err instanceof e.JwtInvalidSignatureAlgorithmError ? 'bad signature'
      : err instanceof e.JwtInvalidIssuerError ? 'wrong issuer'
        : err instanceof e.JwtInvalidAudienceError ? 'wrong audience'
          : err instanceof e.JwtExpiredError ? 'expired'
            : err instanceof e.JwtNotBeforeError ? 'not yet valid'
              : err instanceof e.KidNotFoundInJwksError || err instanceof e.JwtWithoutValidKidError ? 'unknown signing key'
                : err instanceof e.JwtParseError ? 'malformed'
                  : 'not verifiable';
    return new RequestError('IDENTITY', `the caller's token is refused (${why})`, 403);
  }
}
