import { KMSClient } from '@aws-sdk/client-kms';
import { createHandler, ENV, MAX_BATCH_RECORDS } from '../../../src/aws/handlers/envelope-handler';
import { AwsKmsKeyring, Envelope, KeyringError } from '../../../src/envelope';
import { DataKeyCache } from '../../../src/envelope/cache';
import { FaultProxy } from '../../support/fault-proxy';
import { CREDENTIALS, Moto, REGION, startMoto } from '../../support/moto';

/*
 * The envelope handler against a caller who writes the event by hand: every field of the request in every JSON type
 * and in hostile sizes gets a typed BAD_INPUT (or LIMIT), never INTERNAL; nothing the caller wrote reaches a log line;
 * no plaintext or data key appears in any log or error. Then the configuration read at cold start, and what a batch
 * does when KMS fails part-way. KMS is moto behind a loopback fault proxy (forwarding unless a test plans faults).
 */
let moto: Moto;
let proxy: FaultProxy;
let arn: string;
const saved = { ...process.env };
const logs: string[] = [];
const consoleLines: string[] = [];
/** Every data key KMS handed out in this file, to look for in logs and errors. */
const dataKeys: string[] = [];
let handler: (event: any) => Promise<any>;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRET = 'card 4111 1111 1111 1111';
const env = () => ({
  ...process.env,
  [ENV.KEY_ARN]: arn,
  [ENV.REQUIRED_CONTEXT_KEYS]: 'tenant',
  [ENV.CACHE_MAX_AGE_MS]: '60000',
  [ENV.CACHE_MAX_MESSAGES]: '100',
  [ENV.MAX_RECORD_BYTES]: '65536',
});

beforeAll(async () => {
  moto = await startMoto();
  arn = await moto.createKey('envelope robustness');
  proxy = await new FaultProxy(moto.endpoint).start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: proxy.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => { consoleLines.push(args.map(String).join(' ')); });
  }
  const generate = AwsKmsKeyring.prototype.generateDataKey;
  jest.spyOn(AwsKmsKeyring.prototype, 'generateDataKey').mockImplementation(async function (this: AwsKmsKeyring, context) {
    const m = await generate.call(this, context);
    dataKeys.push(m.dataKey.toString('base64'), m.dataKey.toString('hex'));
    return m;
  });
  handler = createHandler(env(), (e) => logs.push(JSON.stringify(e)));
});
afterAll(async () => {
  jest.restoreAllMocks();
  process.env = saved;
  await proxy?.stop();
  await moto?.stop();
});
beforeEach(() => proxy.plan([]));

/** Nothing secret and nothing the caller wrote in what the function logs. */
function expectCleanLogs(lines: string[], hostile: string[] = []) {
  const all = lines.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(b64(SECRET));
  for (const k of dataKeys) expect(all).not.toContain(k);
  for (const h of hostile) expect(all).not.toContain(h);
  for (const line of lines) {
    expect(line).not.toMatch(/[\n\r]/);
    expect(line.length).toBeLessThan(400);
    const entry = JSON.parse(line);
    expect(['encrypt', 'decrypt', 'batch', 'invalid']).toContain(entry.operation);
    expect(typeof entry.records).toBe('number');
  }
}

describe('hostile request fields: a typed error, never INTERNAL', () => {
  const huge = 'x'.repeat(70_000);
  test.each<[string, unknown]>([
    ['a string', 'tenant=acme'],
    ['an array', ['acme']],
    ['a number', 42],
    ['a boolean', true],
    ['a nested object', { tenant: { id: 'acme' } }],
    ['a number value', { tenant: 7 }],
    ['a null value', { tenant: null }],
    ['a key named __proto__', JSON.parse('{"tenant":"acme","__proto__":"x"}')],
    ['a huge value', { tenant: huge }],
    ['many entries', Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v']))],
  ])('context as %s: BAD_INPUT on encrypt and decrypt', async (_what, context) => {
    logs.length = 0;
    const enc = await handler({ operation: 'encrypt', plaintext: b64(SECRET), context });
    expect(enc).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/^context /) } });
    const good = await handler({ operation: 'encrypt', plaintext: b64(SECRET), context: { tenant: 'acme' } });
    const dec = await handler({ operation: 'decrypt', ciphertext: good.ciphertext, context });
    expect(dec).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(/^context /) } });
    expect(JSON.stringify([enc, dec])).not.toContain(huge);
    expectCleanLogs(logs);
  });

  test('a string context through a function URL: 400, not 500', async () => {
    const res = await handler({ requestContext: {}, body: JSON.stringify({ operation: 'encrypt', plaintext: b64('x'), context: 'tenant=acme' }) });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  const injection = 'encrypt"}\n{"level":"info","operation":"decrypt","note":"forged';
  test.each<[string, unknown, RegExp]>([
    ['a log-injection string', injection, /got a string of \d+ characters$/],
    ['a 1 MB string', 'A'.repeat(1024 * 1024), /got a string of 1048576 characters$/],
    ['an object', { toString: 'encrypt', nested: { deep: [1, 2, 3] } }, /got an object$/],
    ['an array', ['encrypt'], /got an array$/],
    ['a number', 1e308, /got a number$/],
    ['null', null, /got null$/],
    ['missing', undefined, /got nothing$/],
    ['an unknown word', 'rot13', /got "rot13"$/],
  ])('operation as %s: BAD_INPUT, and the log line says only "invalid"', async (_what, operation, message) => {
    logs.length = 0;
    const res = await handler({ operation, plaintext: b64(SECRET), context: { tenant: 'acme' } });
    expect(res).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(message) } });
    expect(res.error.message.length).toBeLessThan(120);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0])).toMatchObject({ operation: 'invalid', records: 1 });
    expectCleanLogs(logs, typeof operation === 'string' && operation.length > 8 ? [operation.slice(0, 40)] : []);
  });

  test.each<[string, unknown, string, RegExp]>([
    ['null', null, 'BAD_INPUT', /the request must be a JSON object, got null/],
    ['a string', 'encrypt', 'BAD_INPUT', /got a string of 7 characters/],
    ['a number', 5, 'BAD_INPUT', /got a number/],
    ['an array', [{ operation: 'encrypt' }], 'BAD_INPUT', /got an array/],
  ])('the event as %s: BAD_INPUT', async (_what, event, code, message) => {
    await expect(handler(event)).resolves.toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
  });

  test.each<[string, unknown, string, RegExp]>([
    ['a number', 12345, 'BAD_INPUT', /plaintext must be a base64 string/],
    ['an object', { data: 'x' }, 'BAD_INPUT', /plaintext must be a base64 string/],
    ['an array', ['eA=='], 'BAD_INPUT', /plaintext must be a base64 string/],
    ['not base64 with a newline', 'eA==\n{"level":"info"}', 'BAD_INPUT', /plaintext is not valid base64/],
    ['8 MiB of base64', 'A'.repeat(8 * 1024 * 1024), 'LIMIT', /plaintext is 6291456 bytes, over the 65536-byte limit per record/],
  ])('plaintext as %s', async (_what, plaintext, code, message) => {
    logs.length = 0;
    const res = await handler({ operation: 'encrypt', plaintext, context: { tenant: 'acme' } });
    expect(res).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
    expectCleanLogs(logs);
  });

  test.each<[string, unknown, RegExp]>([
    ['a number', 7, /^id must be a string of at most 256 characters$/],
    ['an object', { a: 1 }, /^id must be a string of at most 256 characters$/],
    ['a long string', 'i'.repeat(300), /^id must be a string of at most 256 characters$/],
  ])('id as %s: BAD_INPUT and not echoed', async (_what, id, message) => {
    const res = await handler({ operation: 'encrypt', id, plaintext: b64('x'), context: { tenant: 'acme' } });
    expect(res).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringMatching(message) } });
  });

  test('batch records of every type: each its own BAD_INPUT, the good ones still served, the log counts only', async () => {
    logs.length = 0;
    const res = await handler({
      operation: 'batch',
      records: [
        null, 'encrypt', 42, ['x'],
        { id: 'nested', operation: 'batch', records: [] },
        { id: 'inj', operation: injection, plaintext: b64('x'), context: { tenant: 'a' } },
        { id: 'ctx', operation: 'encrypt', plaintext: b64('x'), context: 'tenant=a' },
        { id: 'good', operation: 'encrypt', plaintext: b64(SECRET), context: { tenant: 'a' } },
      ],
    });
    expect(res.ok).toBe(false);
    expect(res.results.map((r: any) => [r.id ?? null, r.ok, r.error?.code, r.error?.message])).toEqual([
      [null, false, 'BAD_INPUT', 'records[0] must be an object, got null'],
      [null, false, 'BAD_INPUT', 'records[1] must be an object, got a string of 7 characters'],
      [null, false, 'BAD_INPUT', 'records[2] must be an object, got a number'],
      [null, false, 'BAD_INPUT', 'records[3] must be an object, got an array'],
      ['nested', false, 'BAD_INPUT', 'records[4].operation must be encrypt or decrypt, got "batch"'],
      ['inj', false, 'BAD_INPUT', `records[5].operation must be encrypt or decrypt, got a string of ${injection.length} characters`],
      ['ctx', false, 'BAD_INPUT', 'records[6].context must be an object of string values, got a string of 8 characters'],
      ['good', true, undefined, undefined],
    ]);
    expect(JSON.parse(logs[0])).toMatchObject({ operation: 'batch', records: 8, failed: 7, codes: ['BAD_INPUT'] });
    expectCleanLogs(logs, ['forged']);
  });

  test.each<[string, unknown, string, RegExp]>([
    ['a string', 'x'.repeat(50), 'BAD_INPUT', /records must be a non-empty array/],
    ['an object with a length', { length: '"}\n{"forged":1' }, 'BAD_INPUT', /records must be a non-empty array/],
    ['too many records', Array.from({ length: MAX_BATCH_RECORDS + 1 }, () => ({})), 'LIMIT', /records has 1001 entries, over the 1000 per batch/],
  ])('batch records as %s: refused before any work', async (_what, records, code, message) => {
    logs.length = 0;
    const res = await handler({ operation: 'batch', records });
    expect(res).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
    expect(JSON.parse(logs[0])).toMatchObject({ level: 'error', operation: 'batch', code });
    expectCleanLogs(logs, ['forged']);
  });

  test('no plaintext or data key in any log line, response error or console output over a mixed run', async () => {
    expect(dataKeys.length).toBeGreaterThan(0);
    const enc = await handler({ operation: 'encrypt', plaintext: b64(SECRET), context: { tenant: 'acme' } });
    const bytes = Buffer.from(enc.ciphertext, 'base64');
    bytes[bytes.length - 3] ^= 1; // eslint-disable-line no-bitwise
    const errors = await Promise.all([
      handler({ operation: 'decrypt', ciphertext: bytes.toString('base64'), context: { tenant: 'acme' } }),
      handler({ operation: 'decrypt', ciphertext: enc.ciphertext, context: { tenant: 'globex' } }),
      handler({ operation: 'decrypt', ciphertext: enc.ciphertext.slice(0, 40) }),
    ]);
    expect(errors.map((e) => e.error.code)).toEqual(['AUTHENTICATION', 'AUTHENTICATION', 'AUTHENTICATION']);
    expectCleanLogs(logs);
    const everything = [...consoleLines, JSON.stringify(errors)].join('\n');
    expect(everything).not.toContain(b64(SECRET));
    for (const k of dataKeys) expect(everything).not.toContain(k);
  });
});

describe('configuration is checked at cold start', () => {
  test.each<[string, string]>([
    [ENV.MAX_RECORD_BYTES, 'abc'],
    [ENV.MAX_RECORD_BYTES, '-1'],
    [ENV.MAX_RECORD_BYTES, 'NaN'],
    [ENV.MAX_RECORD_BYTES, ''],
    [ENV.MAX_RECORD_BYTES, '4MB'],
    [ENV.MAX_RECORD_BYTES, '1e3'],
    [ENV.MAX_RECORD_BYTES, '0x10'],
    [ENV.MAX_RECORD_BYTES, '1.5'],
    [ENV.MAX_RECORD_BYTES, '0'],
    [ENV.MAX_RECORD_BYTES, '99999999'],
    [ENV.CACHE_MAX_AGE_MS, 'five minutes'],
    [ENV.CACHE_MAX_AGE_MS, '-300000'],
    [ENV.CACHE_MAX_AGE_MS, 'Infinity'],
    [ENV.CACHE_MAX_MESSAGES, '0'],
    [ENV.CACHE_MAX_MESSAGES, '4294967297'],
    [ENV.CACHE_MAX_MESSAGES, 'many'],
    [ENV.SUITE, 'abc'],
    [ENV.SUITE, '20'],
    [ENV.REQUIRED_CONTEXT_KEYS, 'tenant,aws-crypto-public-key'],
    [ENV.REQUIRED_CONTEXT_KEYS, 'has space'],
    [ENV.KEY_ARN, 'not a key\narn'],
  ])('%s=%j fails the init with a message naming the variable and the value', (variable, value) => {
    let err: Error | undefined;
    try {
      createHandler({ ...env(), [variable]: value }, () => undefined);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe('EnvelopeConfigError');
    expect(err?.message).toContain(`${variable} `);
    expect(err?.message).toContain(`got ${JSON.stringify(value)}`);
    expect(err?.message).not.toMatch(/\n/);
  });

  test.each<[string, string]>([
    [ENV.TENANT_SESSION_ROLE_ARN, 'arn:aws:iam::123456789012:user/not-a-role'],
    [ENV.TENANT_SOURCE, 'header'],
    [ENV.TENANT_ALIAS_PREFIX, 'tenant/'],
    [ENV.TENANT_ALIAS_PREFIX, 'alias/aws/'],
    [ENV.TENANT_CONTEXT_KEY, ''],
  ])('tenant mode: %s=%j fails the init', (variable, value) => {
    const tenantEnv = { ...env(), [ENV.KEY_ARN]: undefined, [ENV.TENANT_SESSION_ROLE_ARN]: 'arn:aws:iam::123456789012:role/tenant-session', [ENV.CALLER_PROOF_SERVER_ID]: 'x', [variable]: value };
    expect(() => createHandler(tenantEnv, () => undefined)).toThrow(new RegExp(`^invalid envelope function configuration: ${variable} .*got ${JSON.stringify(value).replace(/[/]/g, '\\/')}`));
  });

  test('the limits it reads are the limits it enforces; unset variables take the documented defaults', async () => {
    const h = createHandler({ ...env(), [ENV.MAX_RECORD_BYTES]: '10' }, () => undefined);
    await expect(h({ operation: 'encrypt', plaintext: b64('eleven byte'), context: { tenant: 'a' } }))
      .resolves.toMatchObject({ ok: false, error: { code: 'LIMIT', message: 'plaintext is 11 bytes, over the 10-byte limit per record' } });
    const defaults = createHandler({ ...process.env, [ENV.KEY_ARN]: arn }, () => undefined);
    const big = Buffer.alloc(4 * 1024 * 1024 + 1).toString('base64');
    await expect(defaults({ operation: 'encrypt', plaintext: big })).resolves.toMatchObject({ error: { code: 'LIMIT', message: expect.stringMatching(/over the 4194304-byte limit/) } });
  });
});

describe('failures under load: batches and shared loads', () => {
  test('a transient KMS failure mid-batch fails that record and the rest as retryable; earlier results are kept', async () => {
    const h = createHandler({ ...env(), [ENV.CACHE_MAX_AGE_MS]: '0' }, (e) => logs.push(JSON.stringify(e)));
    proxy.plan(['forward'], 'throttle'); // one GenerateDataKey goes through, then KMS throttles every call
    const res = await h({
      operation: 'batch',
      records: [
        { id: 'a', operation: 'encrypt', plaintext: b64('alpha'), context: { tenant: 'a' } },
        { id: 'b', operation: 'encrypt', plaintext: b64('beta'), context: { tenant: 'b' } },
        { id: 'c', operation: 'encrypt', plaintext: b64('gamma'), context: { tenant: 'c' } },
      ],
    });
    expect(res.results.map((r: any) => [r.id, r.ok, r.error?.code, r.error?.retryable])).toEqual([
      ['a', true, undefined, undefined], ['b', false, 'KEYRING', true], ['c', false, 'KEYRING', true],
    ]);
    expect(res.results[1].error.message).toBe('AWS KMS GenerateDataKey failed after retries: ThrottlingException (HTTP 400)');
    expect(res.results[2].error.message).toMatch(/^not attempted: an earlier record/);
    // One retry budget for the batch, not one per remaining record.
    expect(proxy.received.filter((r) => /GenerateDataKey/.test(r))).toHaveLength(1 + 4);
    proxy.plan([]);
    const dec = await h({ operation: 'decrypt', ciphertext: res.results[0].ciphertext, context: { tenant: 'a' } });
    expect(Buffer.from(dec.plaintext, 'base64').toString()).toBe('alpha');
  });

  test('when no record of a batch has succeeded, the invocation fails (async callers retry it whole)', async () => {
    const h = createHandler({ ...env(), [ENV.CACHE_MAX_AGE_MS]: '0' }, () => undefined);
    proxy.plan([], 'throttle');
    await expect(h({
      operation: 'batch',
      records: [{ id: 'bad', operation: 'encrypt', plaintext: '***' }, { id: 'a', operation: 'encrypt', plaintext: b64('alpha'), context: { tenant: 'a' } }],
    })).rejects.toMatchObject({ code: 'KEYRING', transient: true });
  });

  test('concurrent callers share one failed load (one retry budget); the next call loads afresh and succeeds', async () => {
    const client = new KMSClient({ region: REGION, endpoint: proxy.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
    const retry = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 2000, attemptTimeoutMs: 1000 };
    const keyring = new AwsKmsKeyring({ generatorKeyId: arn, client, retry });
    const envelope = new Envelope({ keyring, cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
    proxy.plan([], 'throttle');
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => envelope.encrypt(Buffer.from(`r${i}`), { tenant: 'a' })));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof KeyringError && r.reason.transient)).toBe(true);
    expect(proxy.received.filter((r) => /GenerateDataKey/.test(r))).toHaveLength(4);
    proxy.plan([]);
    const after = await Promise.all(Array.from({ length: 12 }, (_, i) => envelope.encrypt(Buffer.from(`r${i}`), { tenant: 'a' })));
    expect(after).toHaveLength(12);
    expect(proxy.received.filter((r) => /GenerateDataKey/.test(r))).toHaveLength(1);
  });
});
