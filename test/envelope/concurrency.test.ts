/*
 * Many encrypt and decrypt calls (whole messages and streams) in flight at once, of different sizes and suites, with
 * and without a data-key cache, and with keyrings that answer after random delays, so that every step of one call can
 * fall between the steps of another. Every message must decrypt to its own plaintext and context, also when decrypted
 * again after all calls finished (a message must not share bytes another message later overwrote).
 */
import { createHash, randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Readable } from 'stream';
import { buffer as collect } from 'stream/consumers';
import { AlgorithmSuite, DataKeyCache, EncryptedDataKey, Envelope, EncryptionContext, Keyring, RawAesKeyring } from '../../src/envelope';

const WRAPPING_KEY = randomBytes(32);
const SIGNED = AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384;

/** A pseudo-random sequence from a seed, so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let counter = 0;
  return (n) => createHash('sha256').update(`${seed}:${counter++}`).digest().readUInt32BE(0) % n;
}

/** Yields to the event loop: a timer, an immediate, a microtask or nothing, chosen by `pick`. */
async function yieldSomehow(pick: number): Promise<void> {
  if (pick === 0) await new Promise((r) => setTimeout(r, 1));
  else if (pick === 1) await new Promise((r) => setImmediate(r));
  else if (pick === 2) await Promise.resolve();
}

/** A keyring whose every answer comes after a random pause, so key work of different calls interleaves. */
class JitteryKeyring implements Keyring {
  public readonly id = 'jittery';
  private readonly inner = new RawAesKeyring({ keyNamespace: 'tests', keyName: 'concurrency', wrappingKey: WRAPPING_KEY });
  constructor(private readonly random: (n: number) => number) {}
  async generateDataKey(context: EncryptionContext) {
    await yieldSomehow(this.random(4));
    return this.inner.generateDataKey(context);
  }
  async wrapDataKey(key: Buffer, context: EncryptionContext) {
    await yieldSomehow(this.random(4));
    return this.inner.wrapDataKey(key, context);
  }
  async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext) {
    await yieldSomehow(this.random(4));
    return this.inner.unwrapDataKey(edks, context);
  }
}

/** A stream of `data` in chunks of random sizes, with a random pause before each. */
function jitteryStream(data: Buffer, random: (n: number) => number): Readable {
  return Readable.from((async function* chunks() {
    for (let at = 0; at < data.length;) {
      const size = 1 + random(700);
      await yieldSomehow(random(4));
      yield data.subarray(at, at + size);
      at += size;
    }
  })());
}

interface Case {
  readonly plaintext: Buffer;
  readonly context: EncryptionContext;
  readonly stream: boolean;
}

test.each([
  ['cached, unsigned', AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, true, 1],
  ['uncached, unsigned', AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, false, 2],
  ['cached, signed', SIGNED, true, 3],
  ['uncached, signed', SIGNED, false, 4],
])('150 concurrent encrypts and decrypts (%s), whole and streamed, each get their own bytes back', async (_what, suite, cached, seed) => {
  const random = rng(seed);
  // Frames of 100 bytes: a message of a few KiB is tens of frames, each a separate write into the message.
  const envelope = new Envelope({
    keyring: new JitteryKeyring(random),
    suite,
    frameLength: 100,
    cache: cached ? new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 1_000_000 }) : undefined,
  });
  // Sizes around frame and slab boundaries (0, a frame, 8 KiB) and some that are neither.
  const sizes = [0, 1, 99, 100, 101, 4096, 8191, 8192, 8193, 12_000];
  const cases: Case[] = Array.from({ length: 150 }, (_, i) => ({
    plaintext: randomBytes(i < sizes.length ? sizes[i] : random(9_000)),
    context: { tenant: `t${random(3)}`, record: String(i) },
    stream: random(4) === 0,
  }));

  const messages = await Promise.all(cases.map(async (c) => {
    await yieldSomehow(random(4));
    const message = c.stream
      ? await collect(jitteryStream(c.plaintext, random).pipe(envelope.encryptStream(c.context, { frameLength: 100 })))
      : await envelope.encrypt(c.plaintext, c.context);
    await yieldSomehow(random(4));
    const decrypted = c.stream
      ? { plaintext: await collect(jitteryStream(message, random).pipe(envelope.decryptStream({ expectedContext: c.context }))), context: c.context }
      : await envelope.decrypt(message, { expectedContext: c.context });
    expect(decrypted.plaintext.equals(c.plaintext)).toBe(true);
    expect(decrypted.context).toMatchObject(c.context);
    return message;
  }));

  // Afterwards, by an envelope that shares nothing with the one that wrote them.
  const fresh = new Envelope({ keyring: new RawAesKeyring({ keyNamespace: 'tests', keyName: 'concurrency', wrappingKey: WRAPPING_KEY }), suite });
  for (const [i, message] of messages.entries()) {
    const again = await fresh.decrypt(message, { expectedContext: cases[i].context });
    expect(again.plaintext.equals(cases[i].plaintext)).toBe(true);
  }
  expect(new Set(messages.map((m) => m.subarray(3, 35).toString('hex'))).size).toBe(messages.length);
});

/** A file's code without its comments. */
const code = (file: string) => readFileSync(join(__dirname, '../../src/envelope', file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
/** The body of a top-level function, up to its closing brace at the start of a line. */
const body = (text: string, name: string) => {
  const at = text.search(new RegExp(`\\n(export )?function ${name}\\(`));
  expect(at).toBeGreaterThan(-1);
  return text.slice(at).split('\n}\n')[0];
};
/** What would let another call run between two statements: then the shared state below would no longer be safe. */
const ASYNC = /\b(await|async|Promise|setTimeout|setImmediate|nextTick|then)\b/;

test('the module-level state of the envelope core is what the file headers say, and is used synchronously only', () => {
  // kdf.ts: scratch buffers shared by every derivation, safe only while nothing in the file is asynchronous.
  expect(code('kdf.ts')).not.toMatch(ASYNC);
  // message.ts: only the slab of small messages is mutable; the module-level buffers are labels and the zero IV.
  const message = code('message.ts');
  expect([...message.matchAll(/^(?:let|var) (\w+)/gm)].map((m) => m[1]).sort()).toEqual(['slab', 'slabOffset']);
  expect([...message.matchAll(/^const (\w+) = Buffer\.\w+\(/gm)].map((m) => m[1]).sort()).toEqual(['FINAL_AAD', 'FRAME_AAD', 'ZERO_IV']);
  expect(message).not.toMatch(/\b(FINAL_AAD|FRAME_AAD|ZERO_IV)\.(write|fill|set)|\.copy\((FINAL_AAD|FRAME_AAD|ZERO_IV)\b/);
  expect(body(message, 'allocMessage')).not.toMatch(ASYNC);
  // materials.ts: only the pool of random message ids.
  const materials = code('materials.ts');
  expect([...materials.matchAll(/^(?:let|var) (\w+)/gm)].map((m) => m[1])).toEqual(['poolOffset']);
  expect(body(materials, 'randomMessageId')).not.toMatch(ASYNC);
  // No other file of the envelope core keeps mutable module-level state.
  for (const file of ['cache.ts', 'caller-proof.ts', 'context.ts', 'envelope.ts', 'errors.ts', 'header.ts', 'retry.ts', 'stream.ts', 'suites.ts']) {
    expect([file, code(file).match(/^(let|var) \w+/m)?.[0]]).toEqual([file, undefined]);
  }
});
