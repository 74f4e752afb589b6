import { Readable } from 'stream';
import { KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeyring, Envelope, KeyringError } from '../../src/envelope';
import { RetryPolicy } from '../../src/envelope/retry';
import { FaultProxy } from '../support/fault-proxy';
import { CREDENTIALS, Moto, REGION, startMoto } from '../support/moto';

// A loopback proxy in front of moto injects throttling, 500s, connection resets and delays. The keyring retries
// within its budget (the SDK client's own retries are off), then fails with a KeyringError; no output is produced.
let moto: Moto;
let proxy: FaultProxy;
let arn: string;

beforeAll(async () => {
  moto = await startMoto();
  arn = await moto.createKey('faults');
  proxy = await new FaultProxy(moto.endpoint).start();
});
afterAll(async () => {
  await proxy?.stop();
  await moto?.stop();
});

function envelope(retry: RetryPolicy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 2000, attemptTimeoutMs: 300 }) {
  const client = new KMSClient({ region: REGION, endpoint: proxy.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  return new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: arn, client, retry }) });
}

test.each<[string, Parameters<FaultProxy['plan']>[0]]>([
  ['two throttles', ['throttle', 'throttle']],
  ['a 500 then a reset', ['error500', 'reset']],
  ['a reply slower than the request timeout', [{ delayMs: 800 }]],
  ['an HTML error page from a load balancer', ['html']],
  ['a reply cut off mid-body (issue 16: was a non-transient failure, not retried)', ['truncate']],
])('encrypt and decrypt succeed through %s', async (_what, script) => {
  const env = envelope();
  proxy.plan(script);
  const msg = await env.encrypt(Buffer.from('resilient'), { t: '1' });
  expect(proxy.received.filter((r) => /GenerateDataKey/.test(r))).toHaveLength(script.length + 1);
  proxy.plan(script);
  expect((await env.decrypt(msg)).plaintext.toString()).toBe('resilient');
  expect(proxy.received.filter((r) => /Decrypt/.test(r))).toHaveLength(script.length + 1);
});

test('persistent throttling: a transient KeyringError after the attempts, and no ciphertext', async () => {
  const env = envelope();
  proxy.plan([], 'throttle');
  const started = Date.now();
  const err = await env.encrypt(Buffer.from('never written')).catch((e) => e);
  expect(err).toBeInstanceOf(KeyringError);
  expect(err).toMatchObject({ code: 'KEYRING', transient: true });
  expect(err.message).toBe('AWS KMS GenerateDataKey failed after retries: ThrottlingException (HTTP 400)');
  expect(proxy.received).toHaveLength(4);
  expect(Date.now() - started).toBeLessThan(2000);
});

test('the time budget ends retries before the attempts do', async () => {
  const env = envelope({ attempts: 50, baseDelayMs: 100, maxDelayMs: 100, budgetMs: 400 });
  proxy.plan([], 'error500');
  const started = Date.now();
  await expect(env.encrypt(Buffer.from('x'))).rejects.toThrow(/failed after retries: KMSInternalException \(HTTP 500\)/);
  expect(Date.now() - started).toBeLessThan(1500);
  expect(proxy.received.length).toBeLessThan(50);
});

test('a stream whose data key cannot be had errors before writing a byte', async () => {
  const env = envelope({ attempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 500 });
  proxy.plan([], 'reset');
  const out: Buffer[] = [];
  const s = env.encryptStream({});
  s.on('data', (c) => out.push(c));
  const err = await new Promise((resolve) => { s.on('error', resolve); s.on('end', () => resolve(undefined)); Readable.from([Buffer.alloc(10_000)]).pipe(s); });
  expect(err).toBeInstanceOf(KeyringError);
  expect(out).toEqual([]);
});

test('a non-transient KMS error is not retried', async () => {
  const client = new KMSClient({ region: REGION, endpoint: proxy.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  const env = new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000', client }) });
  proxy.plan([]);
  await expect(env.encrypt(Buffer.from('x'))).rejects.toThrow(/AWS KMS GenerateDataKey failed: NotFoundException \(HTTP 400\)/);
  expect(proxy.received).toHaveLength(1);
});
