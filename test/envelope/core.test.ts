import { randomBytes } from 'crypto';
import { PassThrough, Readable } from 'stream';
import { buffer as collect } from 'stream/consumers';
import {
  AlgorithmSuite, AuthenticationError, BadInputError, DataKeyCache, Envelope, EncryptedDataKey, EncryptionContext, Keyring, MultiKeyring,
  RawAesKeyring, UnsupportedSuiteError,
} from '../../src/envelope';
import { chunked } from '../support/streams';

const WRAPPING_KEY = randomBytes(32);
const raw = (name = 'k1', key = WRAPPING_KEY) => new RawAesKeyring({ keyNamespace: 'tests', keyName: name, wrappingKey: key });
const SIGNED = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

/** A keyring that counts its calls and can be slowed down. */
class CountingKeyring implements Keyring {
  public readonly id = 'counting';
  public generated = 0;
  public unwrapped = 0;
  constructor(private readonly inner: Keyring, private readonly delayMs = 0) {}
  async generateDataKey(context: EncryptionContext) {
    this.generated += 1;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return this.inner.generateDataKey(context);
  }
  wrapDataKey(k: Buffer, c: EncryptionContext) { return this.inner.wrapDataKey(k, c); }
  async unwrapDataKey(e: readonly EncryptedDataKey[], c: EncryptionContext) {
    this.unwrapped += 1;
    return this.inner.unwrapDataKey(e, c);
  }
}

/** Where things sit in a one-frame 0x0478 message with an empty context and one raw-AES EDK. */
async function anatomy(suite = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY) {
  const env = new Envelope({ keyring: raw(), suite });
  const plaintext = Buffer.from('attack at dawn, bring the key');
  const msg = await env.encrypt(plaintext, { tenant: 'acme' });
  // version(1) suite(2) id(32) aadLen(2) [count(2) kLen(2) "tenant" vLen(2) "acme"] edkCount(2) ...
  const contextAt = 3 + 32 + 2 + 2 + 2;
  const edkAt = 3 + 32 + 2 + 16 + 2;
  return { env, plaintext, msg, contextAt, edkAt };
}

describe('authentication: a typed error and never plaintext', () => {
  const flip = (b: Buffer, at: number) => {
    const c = Buffer.from(b);
    c[at] ^= 0x01; // eslint-disable-line no-bitwise
    return c;
  };

  test.each<[string, (a: Awaited<ReturnType<typeof anatomy>>) => Buffer, RegExp]>([
    ['a tampered message id', (a) => flip(a.msg, 10), /key commitment does not match|header does not authenticate/],
    ['a tampered encryption context', (a) => flip(a.msg, a.contextAt + 3), /no data key decrypted|header does not authenticate/],
    ['a tampered encrypted data key', (a) => flip(a.msg, a.edkAt + 40), /no data key decrypted/],
    ['a tampered frame length', (a) => flip(a.msg, a.edkAt + 2 + 5 + 2 + 22 + 2 + 48 + 1), /header does not authenticate/],
    ['a tampered content type', (a) => flip(a.msg, a.edkAt + 2 + 5 + 2 + 22 + 2 + 48), /malformed header: content type 3/],
    ['a tampered commitment', (a) => { const i = a.msg.indexOf(Buffer.from([0x02, 0, 0, 16, 0])) + 5; return flip(a.msg, i + 3); }, /key commitment does not match/],
    ['a tampered body byte', (a) => flip(a.msg, a.msg.length - 20), /frame 1 does not authenticate/],
    ['a tampered auth tag', (a) => flip(a.msg, a.msg.length - 1), /frame 1 does not authenticate/],
    ['a truncated body', (a) => a.msg.subarray(0, a.msg.length - 5), /does not authenticate|truncated/],
    ['a truncated header', (a) => a.msg.subarray(0, 60), /truncated: its header is incomplete/],
    ['extra bytes after the final frame', (a) => Buffer.concat([a.msg, Buffer.from([0])]), /bytes after its final frame/],
  ])('%s', async (_what, mutate, message) => {
    const a = await anatomy();
    const err = await a.env.decrypt(mutate(a)).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.code).toBe('AUTHENTICATION');
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(a.plaintext.toString());
  });

  test('signed suite: a tampered or missing signature', async () => {
    const a = await anatomy(SIGNED);
    expect((await a.env.decrypt(a.msg)).plaintext.equals(a.plaintext)).toBe(true);
    await expect(a.env.decrypt(flip(a.msg, a.msg.length - 3))).rejects.toThrow(/signature does not verify/);
    const sigLength = a.msg.readUInt16BE(a.msg.length - 2 - (a.msg.length - a.msg.lastIndexOf(Buffer.from([0x30])) ));
    expect(sigLength).toBeGreaterThan(0);
    await expect(a.env.decrypt(a.msg.subarray(0, a.msg.length - 10))).rejects.toThrow(/signature is incomplete|truncated/);
  });

  test('the wrong key', async () => {
    const msg = await new Envelope({ keyring: raw('k1') }).encrypt(Buffer.from('secret'));
    const err = await new Envelope({ keyring: raw('k1', randomBytes(32)) }).decrypt(msg).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/no data key decrypted under the raw AES key/);
    await expect(new Envelope({ keyring: raw('other-name') }).decrypt(msg)).rejects.toThrow(/no keyring can decrypt this message's data keys \(held by tests\)/);
  });

  test('the wrong context: the caller expects another value, or a required key is missing', async () => {
    const env = new Envelope({ keyring: raw(), requiredContextKeys: ['tenant'] });
    const msg = await env.encrypt(Buffer.from('x'), { tenant: 'acme' });
    await expect(env.decrypt(msg, { expectedContext: { tenant: 'globex' } })).rejects.toThrow(new AuthenticationError("the message's encryption context does not match: tenant differs"));
    const other = await new Envelope({ keyring: raw() }).encrypt(Buffer.from('x'), { region: 'eu' });
    await expect(env.decrypt(other)).rejects.toThrow("the message's encryption context lacks required keys: tenant");
    await expect(env.encrypt(Buffer.from('x'), { region: 'eu' })).rejects.toThrow(new BadInputError('encryption context must contain tenant (required), got keys region'));
  });

  test('reserved context keys are refused', async () => {
    await expect(new Envelope({ keyring: raw() }).encrypt(Buffer.from('x'), { 'aws-crypto-public-key': 'AAAA' }))
      .rejects.toThrow("encryption context key 'aws-crypto-public-key' is reserved");
  });

  test('other suites: a clear error naming the suite', async () => {
    const a = await anatomy();
    const legacy = Buffer.from(a.msg);
    legacy.writeUInt16BE(0x0178, 1);
    await expect(a.env.decrypt(legacy)).rejects.toThrow(new UnsupportedSuiteError(0x0178));
    const v1 = Buffer.from([0x01, 0x80, 0x03, 0x78, ...randomBytes(40)]);
    await expect(a.env.decrypt(v1)).rejects.toThrow(/unsupported suite 0x0378/);
    expect(() => new Envelope({ keyring: raw(), suite: 0x0078 as AlgorithmSuite })).toThrow(/unsupported suite 0x0078/);
  });

  test('a message with too many encrypted data keys is refused before any key is unwrapped', async () => {
    const keyrings = Array.from({ length: 5 }, (_, i) => raw(`k${i}`));
    const msg = await new Envelope({ keyring: new MultiKeyring(keyrings[0], keyrings.slice(1)) }).encrypt(Buffer.from('x'));
    const counting = new CountingKeyring(keyrings[0]);
    await expect(new Envelope({ keyring: counting, maxEncryptedDataKeys: 4 }).decrypt(msg)).rejects.toThrow(/5 encrypted data keys, more than maxEncryptedDataKeys \(4\)/);
    expect(counting.unwrapped).toBe(0);
    expect((await new Envelope({ keyring: keyrings[4] }).decrypt(msg)).plaintext.toString()).toBe('x');
  });
});

describe('streams', () => {
  const env = new Envelope({ keyring: raw() });

  test('large input in small chunks round-trips, header event first', async () => {
    const plaintext = randomBytes(5 * 1024 * 1024 + 17);
    const source = () => chunked(plaintext, 3_001);
    const msg = await collect(source().pipe(env.encryptStream({ job: 'backup' }, { frameLength: 100_000 })));
    expect((await env.decrypt(msg)).plaintext.equals(plaintext)).toBe(true);
    const events: string[] = [];
    const d = env.decryptStream();
    d.on('header', () => events.push('header'));
    d.on('data', () => events.push('data'));
    const out = await collect(Readable.from([msg]).pipe(d));
    expect(out.equals(plaintext)).toBe(true);
    expect(events[0]).toBe('header');
  });

  test('a frame is released only after it authenticates: a tampered third frame stops the stream after two frames', async () => {
    const plaintext = randomBytes(10 * 1000);
    const msg = Buffer.from(await collect(Readable.from([plaintext]).pipe(env.encryptStream({}, { frameLength: 1000 }))));
    const headerLength = msg.length - (9 * (1000 + 32) + 1000 + 40);
    msg[headerLength + 2 * 1032 + 100] ^= 0xff; // eslint-disable-line no-bitwise
    const d = env.decryptStream();
    const released: Buffer[] = [];
    d.on('data', (c: Buffer) => released.push(c));
    const err = await new Promise((resolve) => { d.on('error', resolve); d.on('end', () => resolve(undefined)); Readable.from([msg]).pipe(d); });
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toBe('frame 3 does not authenticate: tampered or truncated body');
    expect(Buffer.concat(released).equals(plaintext.subarray(0, 2000))).toBe(true);
  });

  test.each([
    ['in the header', 50],
    ['between frames', -40 - 1000 - 32],
    ['inside the final frame', -10],
  ])('a message truncated %s fails the stream', async (_where, cut) => {
    const msg = await collect(Readable.from([randomBytes(5000)]).pipe(env.encryptStream({}, { frameLength: 1000 })));
    const d = env.decryptStream();
    d.resume();
    const input = new PassThrough();
    input.end(msg.subarray(0, cut > 0 ? cut : msg.length + cut));
    const err = await new Promise((resolve) => { d.on('error', resolve); d.on('end', () => resolve(undefined)); input.pipe(d); });
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/truncated/);
  });

  test('signed stream: a bad signature fails the stream at its end', async () => {
    const signed = new Envelope({ keyring: raw(), suite: SIGNED });
    const msg = Buffer.from(await collect(Readable.from([randomBytes(3000)]).pipe(signed.encryptStream({}, { frameLength: 1000 }))));
    expect((await signed.decrypt(msg)).plaintext.length).toBe(3000);
    msg[msg.length - 1] ^= 0x01; // eslint-disable-line no-bitwise
    const d = signed.decryptStream();
    d.resume();
    const err = await new Promise((resolve) => { d.on('error', resolve); d.on('end', () => resolve(undefined)); Readable.from([msg]).pipe(d); });
    expect((err as Error).message).toMatch(/signature does not verify/);
  });
});

describe('data-key cache', () => {
  test('32 concurrent encrypts on a cold cache make one data key; the messages share it', async () => {
    const counting = new CountingKeyring(raw(), 20);
    const env = new Envelope({ keyring: counting, cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
    const msgs = await Promise.all(Array.from({ length: 32 }, (_, i) => env.encrypt(Buffer.from(`record ${i}`), { tenant: 'acme' })));
    expect(counting.generated).toBe(1);
    const edkSection = (m: Buffer) => m.subarray(35, 100).toString('hex');
    expect(new Set(msgs.map(edkSection)).size).toBe(1);
    expect(new Set(msgs.map((m) => m.subarray(3, 35).toString('hex'))).size).toBe(32);
  });

  test('entries are keyed by context: another tenant gets another data key', async () => {
    const counting = new CountingKeyring(raw());
    const env = new Envelope({ keyring: counting, cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
    await env.encrypt(Buffer.from('a'), { tenant: 'a' });
    await env.encrypt(Buffer.from('a'), { tenant: 'a' });
    await env.encrypt(Buffer.from('b'), { tenant: 'b' });
    expect(counting.generated).toBe(2);
  });

  test('a context whose value looks like more entries is another entry, and its messages carry their own context', async () => {
    const counting = new CountingKeyring(raw());
    const env = new Envelope({ keyring: counting, cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
    const two = { a: 'x', b: 'y' };
    const one = { a: 'x|1:b=y' };
    const first = await env.encrypt(Buffer.from('two'), two);
    const second = await env.encrypt(Buffer.from('one'), one);
    expect(counting.generated).toBe(2);
    expect((await env.decrypt(first)).context).toEqual(two);
    expect((await env.decrypt(second)).context).toEqual(one);
  });

  test.each<[string, Partial<ConstructorParameters<typeof DataKeyCache>[0]>, (env: Envelope, clock: { t: number }) => Promise<void>, number]>([
    ['max age', { maxAgeMs: 1000 }, async (env, clock) => {
      await env.encrypt(Buffer.from('1')); clock.t += 999; await env.encrypt(Buffer.from('2')); clock.t += 1; await env.encrypt(Buffer.from('3'));
    }, 2],
    ['max messages', { maxMessages: 3 }, async (env) => { for (let i = 0; i < 7; i++) await env.encrypt(Buffer.from('x')); }, 3],
    ['max bytes', { maxBytes: 10 }, async (env) => { for (let i = 0; i < 4; i++) await env.encrypt(Buffer.alloc(4)); }, 2],
    ['a message larger than max bytes bypasses the cache', { maxBytes: 10 }, async (env) => { await env.encrypt(Buffer.alloc(11)); await env.encrypt(Buffer.alloc(11)); }, 2],
  ])('%s', async (_what, options, run, expected) => {
    const clock = { t: 0 };
    const counting = new CountingKeyring(raw());
    await run(new Envelope({ keyring: counting, cache: new DataKeyCache({ maxAgeMs: 60_000, now: () => clock.t, ...options }) }), clock);
    expect(counting.generated).toBe(expected);
  });

  test('capacity: the least recently used entry goes', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, capacity: 2 });
    const counting = new CountingKeyring(raw());
    const env = new Envelope({ keyring: counting, cache });
    for (const t of ['a', 'b', 'a', 'c', 'a', 'b']) await env.encrypt(Buffer.from('x'), { t });
    expect(counting.generated).toBe(4); // a, b, c, then b again
    expect(cache.size).toBe(2);
  });

  test('decryption reuses unwrapped data keys for the same encrypted data keys and context', async () => {
    const encryptor = new Envelope({ keyring: raw(), cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
    const msgs = await Promise.all([1, 2, 3].map((i) => encryptor.encrypt(Buffer.from(`r${i}`), { tenant: 'a' })));
    const counting = new CountingKeyring(raw());
    const decryptor = new Envelope({ keyring: counting, cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
    for (const m of msgs) await decryptor.decrypt(m);
    expect(counting.unwrapped).toBe(1);
  });

  test('limits: never more than 2^32 messages per data key (NIST SP 800-38D)', () => {
    expect(() => new DataKeyCache({ maxAgeMs: 1, maxMessages: 2 ** 32 + 1 })).toThrow('maxMessages must be between 1 and 2^32 (the NIST bound per data key), got 4294967297');
    expect(new DataKeyCache({ maxAgeMs: 1 }).maxMessages).toBe(2 ** 32);
    expect(() => new DataKeyCache({ maxAgeMs: 0 })).toThrow(/maxAgeMs must be a positive number/);
  });

  test('evicted data keys are wiped', async () => {
    const generated: Buffer[] = [];
    const keyring: Keyring = {
      id: 'capture',
      async generateDataKey(c) { const m = await raw().generateDataKey(c); generated.push(m.dataKey); return m; },
      wrapDataKey: (k, c) => raw().wrapDataKey(k, c),
      unwrapDataKey: (e, c) => raw().unwrapDataKey(e, c),
    };
    const env = new Envelope({ keyring, cache: new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 1, refreshAhead: 0 }) });
    await env.encrypt(Buffer.from('x'));
    expect(generated[0].equals(Buffer.alloc(32))).toBe(false);
    await env.encrypt(Buffer.from('y'));
    await new Promise((r) => setImmediate(r));
    expect(generated).toHaveLength(2);
    expect(generated[0].equals(Buffer.alloc(32))).toBe(true);
    expect(generated[1].equals(Buffer.alloc(32))).toBe(false);
  });

  test('refresh ahead: the next data key is fetched at 90% of the limit, so the switch does not wait for the keyring', async () => {
    const counting = new CountingKeyring(raw());
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 10, refreshAhead: 0.9 });
    const env = new Envelope({ keyring: counting, cache });
    for (let i = 0; i < 8; i++) await env.encrypt(Buffer.from('x'));
    expect(counting.generated).toBe(1);
    await env.encrypt(Buffer.from('x'));
    expect(counting.generated).toBe(2);
    for (let i = 0; i < 11; i++) await env.encrypt(Buffer.from('x'));
    // Messages 11 to 20 use the key fetched ahead; the second key's own successor was fetched at its 9th message.
    expect(counting.generated).toBe(3);
    expect(cache.loads).toBe(3);
  });
});

test('small messages share slabs but never each other\'s bytes; large ones stand alone', async () => {
  const env = new Envelope({ keyring: raw(), cache: new DataKeyCache({ maxAgeMs: 60_000 }) });
  const plaintexts = Array.from({ length: 40 }, (_, i) => randomBytes(i * 300));
  const messages: Buffer[] = [];
  for (const p of plaintexts) messages.push(await env.encrypt(p, { i: 'x' }));
  const small = messages.filter((m) => m.length <= 8 * 1024);
  const large = messages.filter((m) => m.length > 8 * 1024);
  expect(small.length).toBeGreaterThan(10);
  expect(large.length).toBeGreaterThan(3);
  // Several small messages in one slab, each in its own range.
  expect(new Set(small.map((m) => m.buffer)).size).toBeLessThan(small.length);
  const ranges = small.map((m) => [m.buffer, m.byteOffset, m.byteOffset + m.length] as const);
  for (const [buf, start, end] of ranges) {
    expect(ranges.filter(([b, s, e]) => b === buf && s < end && start < e)).toHaveLength(1);
  }
  for (const m of large) expect(m.byteLength).toBe(m.buffer.byteLength);
  // Written one after another, all still decrypt to their own plaintext.
  for (let i = 0; i < messages.length; i++) expect((await env.decrypt(messages[i])).plaintext.equals(plaintexts[i])).toBe(true);
});

test('a multi-keyring: either key decrypts', async () => {
  const a = raw('a');
  const b = raw('b', randomBytes(32));
  const msg = await new Envelope({ keyring: new MultiKeyring(a, [b]) }).encrypt(Buffer.from('both'), { x: '1' });
  expect((await new Envelope({ keyring: a }).decrypt(msg)).plaintext.toString()).toBe('both');
  expect((await new Envelope({ keyring: b }).decrypt(msg)).plaintext.toString()).toBe('both');
});

test('bad options are refused early', () => {
  expect(() => new Envelope({ keyring: raw(), frameLength: 0 })).toThrow(new BadInputError('frameLength must be between 1 and 2^32 - 1, got 0'));
  expect(() => new RawAesKeyring({ keyNamespace: 'aws-kms', keyName: 'k', wrappingKey: randomBytes(32) })).toThrow(/must not start with aws-kms/);
  expect(() => new RawAesKeyring({ keyNamespace: 'x', keyName: 'k', wrappingKey: randomBytes(16) })).toThrow('wrappingKey must be 32 bytes (AES-256), got 16');
});
