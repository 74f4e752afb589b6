import { generateKeyPairSync, KeyObject, sign } from 'crypto';
import { existsSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, DisableKeyCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createHandler, ENV } from '../../../src/aws/handlers/envelope-handler';
import { AwsKmsKeyring } from '../../../src/envelope';
import { CallerProof, createCallerProof } from '../../../src/envelope/caller-proof';
import { CREDENTIALS, Moto, REGION, startMoto } from '../../support/moto';

// Tenant mode against moto (KMS, IAM and STS): the caller's identity proven by a signed GetCallerIdentity request that
// the function forwards to STS (moto answers it, without checking signatures: the function's own checks of a proof are
// in caller-identity.test.ts), or by a JWT whose signature the function verifies; each tenant's key found by its alias
// and accepted only if it is one of the hierarchy's keys. moto does not evaluate key policies, so these tests show what
// the function itself enforces; the key policies' ABAC conditions are asserted in tenant-key-hierarchy.test.ts.
const ASSET = join(__dirname, '..', '..', '..', 'assets', 'aws', 'handlers', 'envelope.lambda', 'index.js');
const ACCOUNT = '123456789012';
const SERVER_ID = 'cloud-kms:Test/Envelope';
let moto: Moto;
const saved = { ...process.env };
const logs: string[] = [];
let env: NodeJS.ProcessEnv;
let sts: STSClient;
const kmsCalls: string[] = [];

const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET = 'acme payroll 2026-11';

/** A function URL event: the proof travels in the body; requestContext says whatever its author wants. */
function urlEvent(body: object, authorizerArn?: string) {
  return {
    requestContext: authorizerArn ? { authorizer: { iam: { userArn: authorizerArn, accountId: ACCOUNT } } } : {},
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
const roleArn = (role: string) => `arn:aws:iam::${ACCOUNT}:role/${role}`;
const assumedRole = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1`;
const parse = (res: any) => ({ status: res.statusCode, body: JSON.parse(res.body) });

/** A caller's proof: credentials of a session of `role` (from moto's STS), signed for this function. */
async function proofFor(role: string, serverId = SERVER_ID): Promise<CallerProof> {
  const res = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: 'session-1' }));
  const c = res.Credentials!;
  return createCallerProof({
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
    serverId,
    region: REGION,
  });
}

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_IAM: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  sts = new STSClient({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
  const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
  for (const [role, tenant] of [['acme-app', 'acme'], ['globex-app', 'globex'], ['initech-app', 'initech'], ['hooli-app', 'hooli'],
    ['gone-app', 'umbrella'], ['wayne-app', 'wayne']]) {
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust, Tags: [{ Key: 'tenantId', Value: tenant }] }));
  }
  await iam.send(new CreateRoleCommand({ RoleName: 'untagged-app', AssumeRolePolicyDocument: trust }));
  const session = await iam.send(new CreateRoleCommand({ RoleName: 'tenant-session', AssumeRolePolicyDocument: trust }));

  const kms = moto.kms();
  const alias = async (name: string, keyArn: string) => kms.send(new CreateAliasCommand({ AliasName: `alias/saas/${name}`, TargetKeyId: keyArn }));
  const keys: string[] = [];
  const key = async (d: string) => {
    const arn = await moto.createKey(d);
    keys.push(arn.split('/').pop()!);
    return arn;
  };
  await alias('acme', await key('acme'));
  await alias('globex', await key('globex'));
  await alias('wayne', await key('wayne'));
  const pool = await key('pool');
  await alias('initech', pool);
  await alias('hooli', pool);
  const offboarded = await key('umbrella');
  await alias('umbrella', offboarded);
  await kms.send(new DisableKeyCommand({ KeyId: offboarded.split('/').pop() }));

  env = {
    ...process.env,
    [ENV.TENANT_SESSION_ROLE_ARN]: session.Role!.Arn!,
    [ENV.TENANT_ALIAS_PREFIX]: 'alias/saas/',
    [ENV.TENANT_TAG_KEY]: 'tenantId',
    [ENV.TENANT_CONTEXT_KEY]: 'tenantId',
    [ENV.TENANT_SOURCE]: 'principalTag',
    [ENV.TENANT_KEY_IDS]: keys.join(','),
    [ENV.CALLER_PROOF_SERVER_ID]: SERVER_ID,
    [ENV.REQUIRED_CONTEXT_KEYS]: 'purpose',
    [ENV.CACHE_MAX_AGE_MS]: '60000',
    [ENV.CACHE_MAX_MESSAGES]: '100',
  };
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await moto?.stop();
});

const handler = () => createHandler(env, (e) => logs.push(JSON.stringify(e)));

test('the role that signed the caller\'s proof picks the tenant; its key encrypts with the tenant in the context', async () => {
  const h = handler();
  const callerProof = await proofFor('acme-app');
  const enc = parse(await h(urlEvent({ operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'payroll' }, callerProof })));
  expect(enc).toEqual({ status: 200, body: { ok: true, ciphertext: expect.any(String) } });
  // A proof may be reused while it is fresh.
  const dec = parse(await h(urlEvent({ operation: 'decrypt', ciphertext: enc.body.ciphertext, callerProof })));
  expect(dec).toEqual({ status: 200, body: { ok: true, plaintext: b64(SECRET), context: { purpose: 'payroll', tenantId: 'acme' } } });
  // Logs say a tenant was resolved, never which, and never the payload.
  expect(logs.join('\n')).not.toContain('acme');
  expect(logs.join('\n')).not.toContain(b64(SECRET));
});

describe('a forged event naming another tenant\'s role is refused before any key is used (finding 1)', () => {
  let globexMessage: string;
  beforeAll(async () => {
    const enc = parse(await handler()(urlEvent({ operation: 'encrypt', plaintext: b64('globex secret'), context: { purpose: 'x' }, callerProof: await proofFor('globex-app') })));
    expect(enc.status).toBe(200);
    globexMessage = enc.body.ciphertext;
  });

  test('an authorizer block naming globex\'s role, no proof: refused, through a URL-shaped event or a direct invoke', async () => {
    const h = handler();
    const forged = parse(await h(urlEvent({ operation: 'decrypt', ciphertext: globexMessage }, assumedRole('globex-app'))));
    expect(forged).toEqual({ status: 403, body: { ok: false, error: { code: 'IDENTITY', message: expect.stringMatching(/^the caller proof is refused: send callerProof/) } } });
    const direct = await h({ operation: 'decrypt', ciphertext: globexMessage, requestContext: { authorizer: { iam: { userArn: assumedRole('globex-app') } } } });
    expect(direct).toEqual({ ok: false, error: { code: 'IDENTITY', message: expect.stringMatching(/send callerProof/) } });
    const claims = await h({ operation: 'decrypt', ciphertext: globexMessage, requestContext: { authorizer: { jwt: { claims: { tenantId: 'globex' } } } } });
    expect(claims).toMatchObject({ ok: false, error: { code: 'IDENTITY' } });
  });

  test('acme\'s own valid proof with an authorizer block naming globex: the proof decides, the message is refused', async () => {
    const res = parse(await handler()(urlEvent({ operation: 'decrypt', ciphertext: globexMessage, callerProof: await proofFor('acme-app') }, assumedRole('globex-app'))));
    expect(res).toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT_MISMATCH', message: 'the message belongs to another tenant' } } });
  });

  test('a proof made for another service is refused', async () => {
    const res = parse(await handler()(urlEvent({ operation: 'decrypt', ciphertext: globexMessage, callerProof: await proofFor('globex-app', 'vault.example.com') })));
    expect(res.body.error).toEqual({ code: 'IDENTITY', message: 'the caller proof is refused: it was made for another service (x-cloud-kms-server-id)' });
  });
});

describe('the bundled handler (the deployed code)', () => {
  let asset: any;
  let counter: Server;
  let hits = 0;

  /** Loads the asset with its AWS endpoints (KMS, STS, IAM) pointed at `endpoint`. */
  function load(endpoint: string) {
    if (!existsSync(ASSET)) throw new Error(`the bundled handler is missing (${ASSET}): run npx projen bundle`);
    const before = { ...process.env };
    Object.assign(process.env, env, { AWS_ENDPOINT_URL_KMS: endpoint, AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint });
    delete process.env[ENV.KEY_ARN];
    let loaded: any;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(ASSET);
    });
    process.env = before;
    return loaded;
  }

  beforeAll(async () => {
    // Stands in for every AWS endpoint and counts what reaches it: a forged request must reach none.
    counter = createServer((req, res) => {
      hits++;
      kmsCalls.push(`${req.method} ${req.headers['x-amz-target'] ?? req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => counter.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => new Promise<void>((r) => counter.close(() => r())));
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('a hand-made event naming another tenant\'s role is refused before any AWS call at all', async () => {
    asset = load(`http://127.0.0.1:${(counter.address() as AddressInfo).port}`);
    const message = parse(await handler()(urlEvent({ operation: 'encrypt', plaintext: b64('globex data'), context: { purpose: 'x' }, callerProof: await proofFor('globex-app') }))).body.ciphertext;
    const forged = {
      requestContext: { accountId: ACCOUNT, authorizer: { iam: { userArn: assumedRole('globex-app'), accountId: ACCOUNT } } },
      body: JSON.stringify({ operation: 'decrypt', ciphertext: message }),
      isBase64Encoded: false,
    };
    expect(parse(await asset.handler(forged))).toEqual({ status: 403, body: { ok: false, error: { code: 'IDENTITY', message: expect.any(String) } } });
    expect(await asset.handler({ operation: 'decrypt', ciphertext: message, requestContext: forged.requestContext }))
      .toMatchObject({ ok: false, error: { code: 'IDENTITY' } });
    expect(kmsCalls).toEqual([]);
    expect(hits).toBe(0);
  });

  test('in claim mode, forged authorizer claims are refused by the bundled handler (aws-jwt-verify is in the asset)', async () => {
    const port = (counter.address() as AddressInfo).port;
    const claimEnv = {
      [ENV.TENANT_SOURCE]: 'claim',
      [ENV.TENANT_CLAIM]: 'custom:tenant',
      [ENV.JWT_ISSUER]: 'https://issuer.example.com',
      [ENV.JWT_AUDIENCE]: 'api',
      [ENV.JWT_JWKS_URI]: `https://127.0.0.1:${port}/jwks.json`,
    };
    const before = { ...env };
    Object.assign(env, claimEnv);
    try {
      asset = load(`http://127.0.0.1:${port}`);
    } finally {
      env = before;
    }
    const forged = { requestContext: { authorizer: { jwt: { claims: { 'custom:tenant': 'globex' } } } }, body: JSON.stringify({ operation: 'encrypt', plaintext: b64('x'), context: { purpose: 'x' } }) };
    expect(parse(await asset.handler(forged)).body.error).toEqual({ code: 'IDENTITY', message: 'send the caller\'s token (Authorization: Bearer, or the token field)' });
    expect(await asset.handler({ operation: 'encrypt', plaintext: b64('x'), token: 'not.a.jwt' })).toEqual({ ok: false, error: { code: 'IDENTITY', message: 'the caller\'s token is refused (malformed)' } });
    expect(hits).toBe(0);
  });

  test('a valid proof round-trips through the bundled handler against moto', async () => {
    asset = load(moto.endpoint);
    const callerProof = await proofFor('acme-app');
    const enc = parse(await asset.handler(urlEvent({ operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' }, callerProof })));
    const dec = parse(await asset.handler(urlEvent({ operation: 'decrypt', ciphertext: enc.body.ciphertext, callerProof })));
    expect(Buffer.from(dec.body.plaintext, 'base64').toString()).toBe(SECRET);
  });
});

test('another tenant\'s message is refused before any key is used, even under a shared pool key', async () => {
  const h = handler();
  const [acmeProof, globexProof, initechProof, hooliProof] = await Promise.all(['acme-app', 'globex-app', 'initech-app', 'hooli-app'].map((r) => proofFor(r)));
  const acme = parse(await h(urlEvent({ operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' }, callerProof: acmeProof })));
  expect(parse(await h(urlEvent({ operation: 'decrypt', ciphertext: acme.body.ciphertext, callerProof: globexProof }))))
    .toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT_MISMATCH', message: 'the message belongs to another tenant' } } });

  // initech and hooli share a pool key: the key would allow it, the function does not.
  const initech = parse(await h(urlEvent({ operation: 'encrypt', plaintext: b64('initech data'), context: { purpose: 'x' }, callerProof: initechProof })));
  expect(initech.status).toBe(200);
  expect(parse(await h(urlEvent({ operation: 'decrypt', ciphertext: initech.body.ciphertext, callerProof: hooliProof }))).body.error.code).toBe('TENANT_MISMATCH');
  expect(parse(await h(urlEvent({ operation: 'decrypt', ciphertext: initech.body.ciphertext, callerProof: initechProof }))).body.plaintext).toBe(b64('initech data'));
});

test('a request cannot name another tenant in its context', async () => {
  const res = parse(await handler()(urlEvent({ operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x', tenantId: 'globex' }, callerProof: await proofFor('acme-app') })));
  expect(res).toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT_MISMATCH', message: 'context.tenantId must be the caller\'s tenant' } } });
});

test('callers without a tenant, unknown tenants, offboarded tenants and other accounts are refused', async () => {
  const h = handler();
  const body = { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } };
  expect(parse(await h(urlEvent({ ...body, callerProof: await proofFor('untagged-app') }))))
    .toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT', message: 'the caller\'s IAM identity carries no tenantId tag' } } });
  expect(parse(await h(urlEvent({ ...body, callerProof: await proofFor('gone-app') }))).body.error).toEqual({ code: 'TENANT', message: 'tenant umbrella has no usable key (it is Disabled)' });
  // STS vouches for an identity in another account: its tags are not ours to read.
  const elsewhere = createHandler(env, () => undefined, {
    sendProof: async () => ({ status: 200, body: '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::999999999999:assumed-role/acme-app/s</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>' }),
  });
  expect(parse(await elsewhere(urlEvent({ ...body, callerProof: await proofFor('acme-app') }))).body.error.message).toMatch(/another account/);
  // STS refuses the signature (a tampered or expired proof): so does the function.
  const refused = createHandler(env, () => undefined, {
    sendProof: async () => ({ status: 403, body: '<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>' }),
  });
  expect(parse(await refused(urlEvent({ ...body, callerProof: await proofFor('acme-app') }))).body.error)
    .toEqual({ code: 'IDENTITY', message: 'the caller proof is refused: STS did not accept it (SignatureDoesNotMatch)' });
});

test('an alias re-pointed at a key outside the hierarchy is refused (finding 3: kms:UpdateAlias cannot redirect a tenant)', async () => {
  const callerProof = await proofFor('wayne-app');
  const before = parse(await handler()(urlEvent({ operation: 'encrypt', plaintext: b64('wayne data'), context: { purpose: 'x' }, callerProof })));
  expect(before.status).toBe(200);
  // An administrator with kms:UpdateAlias points wayne's alias at a key of their own.
  const rogue = await moto.createKey('rogue');
  await moto.kms().send(new UpdateAliasCommand({ AliasName: 'alias/saas/wayne', TargetKeyId: rogue }));
  const after = parse(await handler()(urlEvent({ operation: 'encrypt', plaintext: b64('wayne data'), context: { purpose: 'x' }, callerProof })));
  expect(after).toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT', message: 'tenant wayne\'s alias names a key outside the hierarchy: refused' } } });
  expect(JSON.stringify(after)).not.toContain(rogue.split('/').pop());
});

describe('claim resolution: the function verifies the token itself', () => {
  const ISSUER = 'https://issuer.example.com/pool-1';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const now = () => Math.floor(Date.now() / 1000);

  function jwt(claims: Record<string, unknown>, key: KeyObject = privateKey): string {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part(claims)}`;
    return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
  }
  const good = (extra: Record<string, unknown> = {}) => jwt({ 'iss': ISSUER, 'aud': 'envelope-api', 'exp': now() + 300, 'custom:tenant': 'globex', ...extra });
  const h = () => createHandler({
    ...env,
    [ENV.TENANT_SOURCE]: 'claim',
    [ENV.TENANT_CLAIM]: 'custom:tenant',
    [ENV.JWT_ISSUER]: ISSUER,
    [ENV.JWT_AUDIENCE]: 'envelope-api,other-api',
    [ENV.JWT_JWKS_URI]: `${ISSUER}/.well-known/jwks.json`,
  }, () => undefined, { jwks });
  /** An API Gateway event with a bearer token, and whatever authorizer claims its author likes. */
  const event = (token: string | undefined, body: object, claims: object = {}) => ({
    requestContext: { authorizer: { jwt: { claims } } },
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    body: b64(JSON.stringify(body)),
    isBase64Encoded: true,
  });

  test('a valid token picks the tenant; authorizer claims are ignored', async () => {
    const fn = h();
    const enc = parse(await fn(event(good(), { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } }, { 'custom:tenant': 'acme' })));
    expect(enc.status).toBe(200);
    expect(parse(await fn(event(good(), { operation: 'decrypt', ciphertext: enc.body.ciphertext }))).body.context).toEqual({ purpose: 'x', tenantId: 'globex' });
    // The token may also travel in the request (a direct or function-URL invocation).
    expect(await fn({ operation: 'decrypt', ciphertext: enc.body.ciphertext, token: good() })).toMatchObject({ ok: true, context: { tenantId: 'globex' } });
    expect(parse(await fn(event(good({ 'custom:tenant': 'acme' }), { operation: 'decrypt', ciphertext: enc.body.ciphertext }))).body.error.code).toBe('TENANT_MISMATCH');
  });

  test.each<[string, () => string | undefined, RegExp]>([
    ['no token, only forged authorizer claims', () => undefined, /send the caller's token/],
    ['a bad signature', () => jwt({ 'iss': ISSUER, 'aud': 'envelope-api', 'exp': now() + 300, 'custom:tenant': 'globex' }, other), /refused \(bad signature\)/],
    ['another issuer', () => good({ iss: 'https://evil.example.com' }), /refused \(wrong issuer\)/],
    ['another audience', () => good({ aud: 'someone-else' }), /refused \(wrong audience\)/],
    ['an expired token', () => good({ exp: now() - 60 }), /refused \(expired\)/],
    ['a token not yet valid', () => good({ nbf: now() + 600 }), /refused \(not yet valid\)/],
    ['a token without exp', () => good({ exp: undefined }), /refused \(it has no exp\)/],
  ])('%s: refused', async (_what, token, message) => {
    const res = parse(await h()(event(token(), { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } }, { 'custom:tenant': 'globex' })));
    expect(res).toEqual({ status: 403, body: { ok: false, error: { code: 'IDENTITY', message: expect.stringMatching(message) } } });
    expect(JSON.stringify(res)).not.toContain(b64(SECRET));
  });

  test('a valid token without the claim, or with a bad tenant id, is refused', async () => {
    expect(parse(await h()(event(good({ 'custom:tenant': undefined }), { operation: 'encrypt', plaintext: b64('x'), context: { purpose: 'x' } }))).body.error.message)
      .toMatch(/no custom:tenant claim/);
    expect(parse(await h()(event(good({ 'custom:tenant': '../etc' }), { operation: 'encrypt', plaintext: b64('x'), context: { purpose: 'x' } }))).status).toBe(403);
  });
});

test('batches are served for the caller\'s tenant only', async () => {
  const res = parse(await handler()(urlEvent({
    operation: 'batch',
    callerProof: await proofFor('globex-app'),
    records: [
      { id: '1', operation: 'encrypt', plaintext: b64('one'), context: { purpose: 'x' } },
      { id: '2', operation: 'encrypt', plaintext: b64('two'), context: { purpose: 'x', tenantId: 'acme' } },
    ],
  })));
  expect(res.status).toBe(403);
  expect(res.body.results.map((r: any) => [r.id, r.ok, r.error?.code])).toEqual([['1', true, undefined], ['2', false, 'TENANT_MISMATCH']]);
});

test('a tenant that leaves the tenant cache takes its data keys with it: they are zeroed (issue 16)', async () => {
  const handed: Buffer[] = [];
  const generate = AwsKmsKeyring.prototype.generateDataKey;
  const spy = jest.spyOn(AwsKmsKeyring.prototype, 'generateDataKey').mockImplementation(async function (this: AwsKmsKeyring, context) {
    const m = await generate.call(this, context);
    handed.push(m.dataKey);
    return m;
  });
  try {
    const h = createHandler(env, () => undefined, { maxTenants: 1 });
    const acme = await h(urlEvent({ operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'p' }, callerProof: await proofFor('acme-app') }));
    expect(parse(acme).body.ok).toBe(true);
    expect(handed).toHaveLength(1);
    const zero = Buffer.alloc(32);
    expect(handed[0].equals(zero)).toBe(false); // cached for acme's next messages
    const globex = await h(urlEvent({ operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'p' }, callerProof: await proofFor('globex-app') }));
    expect(parse(globex).body.ok).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(handed[0].equals(zero)).toBe(true); // acme left the cache of one tenant
    expect(handed[1].equals(zero)).toBe(false);
  } finally {
    spy.mockRestore();
  }
});
