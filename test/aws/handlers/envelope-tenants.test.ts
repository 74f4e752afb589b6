import { existsSync } from 'fs';
import { join } from 'path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAliasCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { createHandler, ENV } from '../../../src/aws/handlers/envelope-handler';
import { CREDENTIALS, Moto, REGION, startMoto } from '../../support/moto';

// Tenant mode against moto (KMS, IAM and STS): tenants resolved from the caller's role tags or a token claim, each
// tenant's key found by its alias. moto does not evaluate key policies, so these tests show what the function itself
// enforces; the key policies' ABAC conditions are asserted in tenant-key-hierarchy.test.ts.
const ASSET = join(__dirname, '..', '..', '..', 'assets', 'aws', 'handlers', 'envelope.lambda', 'index.js');
const ACCOUNT = '123456789012';
let moto: Moto;
const saved = { ...process.env };
const logs: string[] = [];
let env: NodeJS.ProcessEnv;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET = 'acme payroll 2026-11';

/** A function URL event from an IAM-authorized caller. */
function urlEvent(callerArn: string, body: object) {
  return {
    requestContext: { authorizer: { iam: { userArn: callerArn, accountId: ACCOUNT } } },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
const caller = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-1`;
const parse = (res: any) => ({ status: res.statusCode, body: JSON.parse(res.body) });

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
  const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
  for (const [role, tenant] of [['acme-app', 'acme'], ['globex-app', 'globex'], ['initech-app', 'initech'], ['hooli-app', 'hooli'], ['gone-app', 'umbrella']]) {
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust, Tags: [{ Key: 'tenantId', Value: tenant }] }));
  }
  await iam.send(new CreateRoleCommand({ RoleName: 'untagged-app', AssumeRolePolicyDocument: trust }));
  const session = await iam.send(new CreateRoleCommand({ RoleName: 'tenant-session', AssumeRolePolicyDocument: trust }));

  const kms = moto.kms();
  const alias = async (name: string, keyArn: string) => kms.send(new CreateAliasCommand({ AliasName: `alias/saas/${name}`, TargetKeyId: keyArn }));
  await alias('acme', await moto.createKey('acme'));
  await alias('globex', await moto.createKey('globex'));
  const pool = await moto.createKey('pool');
  await alias('initech', pool);
  await alias('hooli', pool);
  const offboarded = await moto.createKey('umbrella');
  await alias('umbrella', offboarded);
  await kms.send(new DisableKeyCommand({ KeyId: offboarded.split('/').pop() }));

  env = {
    ...process.env,
    [ENV.TENANT_SESSION_ROLE_ARN]: session.Role!.Arn!,
    [ENV.TENANT_ALIAS_PREFIX]: 'alias/saas/',
    [ENV.TENANT_TAG_KEY]: 'tenantId',
    [ENV.TENANT_CONTEXT_KEY]: 'tenantId',
    [ENV.TENANT_SOURCE]: 'principalTag',
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

test('the caller\'s role tag picks the tenant; its key encrypts with the tenant in the context', async () => {
  const h = handler();
  const enc = parse(await h(urlEvent(caller('acme-app'), { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'payroll' } })));
  expect(enc).toEqual({ status: 200, body: { ok: true, ciphertext: expect.any(String) } });
  const dec = parse(await h(urlEvent(caller('acme-app'), { operation: 'decrypt', ciphertext: enc.body.ciphertext })));
  expect(dec).toEqual({ status: 200, body: { ok: true, plaintext: b64(SECRET), context: { purpose: 'payroll', tenantId: 'acme' } } });
  // Logs say a tenant was resolved, never which, and never the payload.
  expect(logs.join('\n')).not.toContain('acme');
  expect(logs.join('\n')).not.toContain(b64(SECRET));
});

test('another tenant\'s message is refused before any key is used, even under a shared pool key', async () => {
  const h = handler();
  const acme = parse(await h(urlEvent(caller('acme-app'), { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } })));
  expect(parse(await h(urlEvent(caller('globex-app'), { operation: 'decrypt', ciphertext: acme.body.ciphertext }))))
    .toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT_MISMATCH', message: 'the message belongs to another tenant' } } });

  // initech and hooli share a pool key: the key would allow it, the function does not.
  const initech = parse(await h(urlEvent(caller('initech-app'), { operation: 'encrypt', plaintext: b64('initech data'), context: { purpose: 'x' } })));
  expect(initech.status).toBe(200);
  expect(parse(await h(urlEvent(caller('hooli-app'), { operation: 'decrypt', ciphertext: initech.body.ciphertext }))).body.error.code).toBe('TENANT_MISMATCH');
  expect(parse(await h(urlEvent(caller('initech-app'), { operation: 'decrypt', ciphertext: initech.body.ciphertext }))).body.plaintext).toBe(b64('initech data'));
});

test('a request cannot name another tenant in its context', async () => {
  const res = parse(await handler()(urlEvent(caller('acme-app'), { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x', tenantId: 'globex' } })));
  expect(res).toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT_MISMATCH', message: 'context.tenantId must be the caller\'s tenant' } } });
});

test('callers without a tenant, unknown tenants and offboarded tenants are refused', async () => {
  const h = handler();
  const body = { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } };
  expect(parse(await h(urlEvent(caller('untagged-app'), body)))).toEqual({ status: 403, body: { ok: false, error: { code: 'TENANT', message: 'the caller\'s IAM identity carries no tenantId tag' } } });
  expect(parse(await h(urlEvent(caller('gone-app'), body))).body.error).toEqual({ code: 'TENANT', message: 'tenant umbrella has no usable key (it is Disabled)' });
  expect(parse(await h(urlEvent('arn:aws:sts::999999999999:assumed-role/acme-app/s', body))).body.error.message).toMatch(/another account/);
  // A direct invocation carries no caller identity at all.
  expect(await h(body)).toEqual({ ok: false, error: { code: 'TENANT', message: expect.stringMatching(/not identified/) } });
});

test('a configured claim picks the tenant (API Gateway JWT authorizer)', async () => {
  const h = createHandler({ ...env, [ENV.TENANT_SOURCE]: 'claim', [ENV.TENANT_CLAIM]: 'custom:tenant' }, () => undefined);
  const event = (tenant: string | undefined, body: object) => ({
    requestContext: { authorizer: { jwt: { claims: tenant ? { 'custom:tenant': tenant } : {} } } },
    body: b64(JSON.stringify(body)),
    isBase64Encoded: true,
  });
  const enc = parse(await h(event('globex', { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } })));
  expect(enc.status).toBe(200);
  expect(parse(await h(event('globex', { operation: 'decrypt', ciphertext: enc.body.ciphertext }))).body.context).toEqual({ purpose: 'x', tenantId: 'globex' });
  expect(parse(await h(event('acme', { operation: 'decrypt', ciphertext: enc.body.ciphertext }))).body.error.code).toBe('TENANT_MISMATCH');
  expect(parse(await h(event(undefined, { operation: 'decrypt', ciphertext: enc.body.ciphertext }))).body.error.message).toMatch(/no custom:tenant claim/);
  expect(parse(await h(event('../etc', { operation: 'decrypt', ciphertext: enc.body.ciphertext }))).status).toBe(403);
});

test('batches are served for the caller\'s tenant only', async () => {
  const res = parse(await handler()(urlEvent(caller('globex-app'), {
    operation: 'batch',
    records: [
      { id: '1', operation: 'encrypt', plaintext: b64('one'), context: { purpose: 'x' } },
      { id: '2', operation: 'encrypt', plaintext: b64('two'), context: { purpose: 'x', tenantId: 'acme' } },
    ],
  })));
  expect(res.status).toBe(403);
  expect(res.body.results.map((r: any) => [r.id, r.ok, r.error?.code])).toEqual([['1', true, undefined], ['2', false, 'TENANT_MISMATCH']]);
});

test('the bundled asset runs in tenant mode', async () => {
  if (!existsSync(ASSET)) throw new Error(`the bundled handler is missing (${ASSET}): run npx projen bundle`);
  const before = { ...process.env };
  Object.assign(process.env, env);
  delete process.env[ENV.KEY_ARN];
  let asset: any;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    asset = require(ASSET);
  });
  process.env = before;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const enc = parse(await asset.handler(urlEvent(caller('acme-app'), { operation: 'encrypt', plaintext: b64(SECRET), context: { purpose: 'x' } })));
  const dec = parse(await asset.handler(urlEvent(caller('acme-app'), { operation: 'decrypt', ciphertext: enc.body.ciphertext })));
  expect(Buffer.from(dec.body.plaintext, 'base64').toString()).toBe(SECRET);
  jest.restoreAllMocks();
});
