import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import { buildClient, CommitmentPolicy, getClient, KmsKeyringNode } from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';
import { createHandler, ENV } from '../../../src/aws/handlers/envelope-handler';
import { CREDENTIALS, Moto, REGION, startMoto } from '../../support/moto';

// The bundled asset itself (the file that would be deployed) runs in-process against moto, with
// AWS_ENDPOINT_URL_KMS pointing the Lambda runtime's SDK at it.
const ASSET = join(__dirname, '..', '..', '..', 'assets', 'aws', 'handlers', 'envelope.lambda', 'index.js');
let moto: Moto;
let arn: string;
const saved = { ...process.env };
let handler: (event: any) => Promise<any>;
const logs: string[] = [];
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

beforeAll(async () => {
  if (!existsSync(ASSET)) throw new Error(`the bundled handler is missing (${ASSET}): run npx projen bundle`);
  moto = await startMoto();
  arn = await moto.createKey('envelope lambda');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    [ENV.KEY_ARN]: arn,
    [ENV.REQUIRED_CONTEXT_KEYS]: 'tenant',
    [ENV.CACHE_MAX_AGE_MS]: '60000',
    [ENV.CACHE_MAX_MESSAGES]: '100',
    [ENV.MAX_RECORD_BYTES]: '65536',
  });
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(String(line)); });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  handler = require(ASSET).handler;
});
afterAll(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await moto?.stop();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET = 'card 4111 1111 1111 1111';

test('encrypt then decrypt through the deployed asset; the SDK decrypts its ciphertext', async () => {
  const enc = await handler({ operation: 'encrypt', plaintext: b64(SECRET), context: { tenant: 'acme' } });
  expect(enc).toEqual({ ok: true, ciphertext: expect.any(String) });
  const dec = await handler({ operation: 'decrypt', ciphertext: enc.ciphertext, context: { tenant: 'acme' } });
  expect(dec).toEqual({ ok: true, plaintext: b64(SECRET), context: { tenant: 'acme' } });
  const clientProvider = getClient(KMS, { endpoint: moto.endpoint, credentials: CREDENTIALS, region: REGION } as any);
  const keyring = new KmsKeyringNode({ generatorKeyId: arn, clientProvider });
  expect((await sdk.decrypt(keyring, Buffer.from(enc.ciphertext, 'base64'))).plaintext.toString()).toBe(SECRET);
});

test('batch: many records in one invocation, each with its own result', async () => {
  const enc = await handler({
    operation: 'batch',
    records: [
      { id: 'a', operation: 'encrypt', plaintext: b64('alpha'), context: { tenant: 'acme' } },
      { id: 'b', operation: 'encrypt', plaintext: b64('beta'), context: { tenant: 'globex' } },
      { id: 'c', operation: 'encrypt', plaintext: b64('gamma'), context: { region: 'eu' } },
    ],
  });
  expect(enc.ok).toBe(false);
  expect(enc.results.map((r: any) => [r.id, r.ok, r.error?.code])).toEqual([['a', true, undefined], ['b', true, undefined], ['c', false, 'BAD_INPUT']]);
  const dec = await handler({ operation: 'batch', records: enc.results.slice(0, 2).map((r: any) => ({ id: r.id, operation: 'decrypt', ciphertext: r.ciphertext })) });
  expect(dec.results.map((r: any) => Buffer.from(r.plaintext, 'base64').toString())).toEqual(['alpha', 'beta']);
});

test.each<[string, any, string, RegExp]>([
  ['a missing required context key', { operation: 'encrypt', plaintext: b64('x'), context: {} }, 'BAD_INPUT', /must contain tenant/],
  ['bad base64', { operation: 'encrypt', plaintext: '***', context: { tenant: 'a' } }, 'BAD_INPUT', /not valid base64/],
  ['a record over the limit', { operation: 'encrypt', plaintext: Buffer.alloc(70_000).toString('base64'), context: { tenant: 'a' } }, 'LIMIT', /70000 bytes, over the 65536-byte limit/],
  ['an unknown operation', { operation: 'rot13' }, 'BAD_INPUT', /operation must be encrypt, decrypt or batch, got "rot13"/],
  ['an empty batch', { operation: 'batch', records: [] }, 'BAD_INPUT', /records must be a non-empty array/],
])('typed JSON error: %s', async (_what, event, code, message) => {
  const res = await handler(event);
  expect(res).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
});

test('a tampered message or another context: AUTHENTICATION, no plaintext', async () => {
  const enc = await handler({ operation: 'encrypt', plaintext: b64(SECRET), context: { tenant: 'acme' } });
  const bytes = Buffer.from(enc.ciphertext, 'base64');
  bytes[bytes.length - 5] ^= 1; // eslint-disable-line no-bitwise
  const tampered = await handler({ operation: 'decrypt', ciphertext: bytes.toString('base64') });
  expect(tampered).toMatchObject({ ok: false, error: { code: 'AUTHENTICATION' } });
  const wrongContext = await handler({ operation: 'decrypt', ciphertext: enc.ciphertext, context: { tenant: 'globex' } });
  expect(wrongContext).toMatchObject({ ok: false, error: { code: 'AUTHENTICATION', message: "the message's encryption context does not match: tenant differs" } });
  expect(JSON.stringify([tampered, wrongContext])).not.toContain(b64(SECRET));
});

test('structured logs: one line per invocation, no payload, no context value', async () => {
  logs.length = 0;
  await handler({ operation: 'encrypt', plaintext: b64(SECRET), context: { tenant: 'tenant-secret-name' } });
  expect(logs).toHaveLength(1);
  expect(JSON.parse(logs[0])).toMatchObject({ level: 'info', operation: 'encrypt', records: 1, failed: 0, durationMs: expect.any(Number) });
  expect(logs.join()).not.toMatch(/tenant-secret-name|card|NDExMSAx/);
});

test('KMS down: the invocation fails (so async callers retry, then the DLQ), after bounded retries', async () => {
  const endpoint = process.env.AWS_ENDPOINT_URL_KMS;
  process.env.AWS_ENDPOINT_URL_KMS = 'http://127.0.0.1:1';
  try {
    const down = createHandler({ ...process.env, [ENV.CACHE_MAX_AGE_MS]: '0' }, () => undefined);
    await expect(down({ operation: 'encrypt', plaintext: b64('x'), context: { tenant: 'a' } })).rejects.toThrow(/AWS KMS GenerateDataKey failed after retries/);
  } finally {
    process.env.AWS_ENDPOINT_URL_KMS = endpoint;
  }
});

test('a function for one key does not load the IAM and STS clients of tenant mode at cold start', () => {
  // A fresh process, as a Lambda cold start: only what the asset itself requires is loaded.
  const probe = `require(${JSON.stringify(ASSET)});
    const loaded = Object.keys(require.cache).filter((f) => /@aws-sdk[\\\\/]client-/.test(f)).map((f) => f.match(/client-[a-z]+/)[0]);
    process.stdout.write(JSON.stringify([...new Set(loaded)]));`;
  const run = (env: Record<string, string>) => {
    const res = spawnSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH, AWS_REGION: REGION, ...env }, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(res.stderr);
    return JSON.parse(res.stdout) as string[];
  };
  expect(run({ [ENV.KEY_ARN]: 'arn:aws:kms:us-east-1:111111111111:key/x' })).toEqual(['client-kms']);
  expect(run({ [ENV.TENANT_SESSION_ROLE_ARN]: 'arn:aws:iam::111111111111:role/t', [ENV.CALLER_PROOF_SERVER_ID]: 'cloud-kms:Test/Envelope' }).sort())
    .toEqual(['client-iam', 'client-kms', 'client-sts']);
});
