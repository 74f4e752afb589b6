import { randomBytes } from 'crypto';
import fc from 'fast-check';
import { DataKeyCache, Disposable, EncryptionContext, Envelope, Keyring } from '../../src/envelope';
import { parseHeader } from '../../src/envelope/header';

/*
 * The data-key cache's promises, on a fake clock: a data key's age counts from when it arrived from the keyring
 * (keys fetched ahead included), no key is served at or past its max age or beyond its message and byte budgets, and
 * every key that leaves the cache (ended, evicted, swept, cleared, or a successor of one of those) is zeroed.
 */

const turn = () => new Promise((r) => setImmediate(r));
async function settle(rounds = 8) {
  for (let i = 0; i < rounds; i++) await turn();
}

/** A value the cache holds, with the time its load resolved and a buffer to inspect. */
class Key implements Disposable {
  public readonly secret = randomBytes(32);
  constructor(public readonly id: number, public readonly madeAt: number) {}
  dispose() { this.secret.fill(0); }
  get wiped() { return this.secret.equals(Buffer.alloc(32)); }
}

/** A cache on a fake clock and a loader that makes numbered keys at once (the clock stands still meanwhile). */
function harness(options: Partial<ConstructorParameters<typeof DataKeyCache>[0]> = {}) {
  const clock = { t: 0 };
  const made: Key[] = [];
  const cache = new DataKeyCache({ maxAgeMs: 1000, now: () => clock.t, ...options });
  const load = async () => {
    const k = new Key(made.length, clock.t);
    made.push(k);
    return k;
  };
  /** An encrypt-style use at the current time; which key served it. */
  const encrypt = async (key = 'k', bytes = 1) => {
    const hit = cache.tryUse<Key>(key, { bytes, countMessages: true }, load);
    const served = hit ?? (await cache.use<Key>(key, { bytes, countMessages: true }, load)).value;
    return served;
  };
  return { clock, made, cache, load, encrypt };
}

describe('age counts from creation (issue 16 reproducers)', () => {
  test('maxAgeMs 1000: a key fetched ahead at 800 ms is not served at 1,990 ms', async () => {
    const { clock, cache, encrypt } = harness({ maxAgeMs: 1000 });
    expect((await encrypt()).id).toBe(0);
    clock.t = 800; // past 75% of the age: the next key is fetched now and arrives now
    expect((await encrypt()).id).toBe(0);
    await settle();
    expect(cache.successors).toBe(1);
    clock.t = 1000;
    const successor = await encrypt();
    expect(successor).toMatchObject({ id: 1, madeAt: 800 });
    clock.t = 1990;
    const served = await encrypt();
    // Before the fix the successor's clock started when it was installed (1,000 ms): served 1,190 ms after it was made.
    expect(clock.t - served.madeAt).toBeLessThan(1000);
    expect(served.id).not.toBe(1);
  });

  test('a key fetched ahead on the message count is not served for up to twice its max age', async () => {
    const { clock, encrypt } = harness({ maxAgeMs: 1000, maxMessages: 4 });
    for (let i = 0; i < 3; i++) expect((await encrypt()).id).toBe(0); // the 3rd message (75%) fetches key 1 at 0 ms
    await settle();
    clock.t = 999;
    expect((await encrypt()).id).toBe(0); // the 4th and last message of key 0
    const successor = await encrypt(); // key 1, made at 0 ms, 999 ms old
    expect(successor).toMatchObject({ id: 1, madeAt: 0 });
    clock.t = 1990;
    const served = await encrypt();
    // Before the fix key 1 counted from 999 ms and was served here, 1,990 ms after it was made.
    expect(served.id).not.toBe(1);
    expect(clock.t - served.madeAt).toBeLessThan(1000);
  });

  test('a successor already past its max age when its predecessor ends is wiped unused, and a fresh key is loaded', async () => {
    const { clock, made, encrypt } = harness({ maxAgeMs: 1000, maxMessages: 4 });
    for (let i = 0; i < 4; i++) await encrypt(); // key 1 fetched ahead at 0 ms
    await settle();
    clock.t = 1500; // key 0 is spent and key 1 has expired before ever being used
    const served = await encrypt();
    expect(served.madeAt).toBe(1500);
    await settle();
    expect(made[1].wiped).toBe(true);
    expect(made[0].wiped).toBe(true);
    expect(served.wiped).toBe(false);
  });
});

describe('eviction wipes the entry and its successor', () => {
  test('a full cache over many keys: every evicted data key and successor is zeroed, successors stay bounded', async () => {
    const capacity = 8;
    const { cache, made, encrypt } = harness({ maxAgeMs: 60_000, maxMessages: 4, capacity });
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 200; k++) {
        // Three messages per key: the third fetches the key's successor ahead, then the key is evicted for capacity.
        for (let m = 0; m < 3; m++) await encrypt(`key-${k}`);
        expect(cache.size).toBeLessThanOrEqual(capacity);
        expect(cache.successors).toBeLessThanOrEqual(capacity);
      }
    }
    await settle();
    expect(made.length).toBe(3 * 200 * 2);
    const live = made.filter((k) => !k.wiped);
    // Only the entries still cached and their successors hold a key.
    expect(live.length).toBeLessThanOrEqual(2 * capacity);
    cache.clear();
    await settle();
    expect(made.filter((k) => !k.wiped)).toEqual([]);
    expect(cache.size).toBe(0);
    expect(cache.successors).toBe(0);
  });

  test('a key fetched ahead for an entry evicted for capacity is never served later (issue 16: served an hour on)', async () => {
    const { clock, cache, made, encrypt } = harness({ maxAgeMs: 60_000, maxMessages: 4, capacity: 1 });
    for (let i = 0; i < 3; i++) await encrypt('a'); // key 1 is fetched ahead for 'a'
    await encrypt('b'); // 'a' is evicted for capacity
    await settle();
    expect(made.slice(0, 2).map((k) => [k.id, k.wiped])).toEqual([[0, true], [1, true]]);
    clock.t = 3_600_000;
    const served = await encrypt('a');
    expect(served.madeAt).toBe(3_600_000);
    expect(cache.size).toBe(1);
  });

  test('an idle entry past its max age is swept and zeroed with its successor', async () => {
    const { clock, cache, made, encrypt } = harness({ maxAgeMs: 1000 });
    await encrypt('idle');
    clock.t = 900;
    await encrypt('idle'); // fetches ahead
    await settle();
    clock.t = 2500;
    await encrypt('busy'); // any use of the cache sweeps
    await settle();
    expect(made.slice(0, 2).map((k) => k.wiped)).toEqual([true, true]);
    expect(cache.size).toBe(1);
    expect(cache.successors).toBe(0);
  });
});

describe('failure semantics of a shared load', () => {
  test('concurrent waiters share one failed load; the failure is not cached and the next call loads afresh', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000 });
    let calls = 0;
    const failing = async (): Promise<Key> => {
      calls += 1;
      await turn();
      throw new Error('throttled after retries');
    };
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => cache.use('k', { bytes: 1, countMessages: true }, failing)));
    expect(calls).toBe(1);
    expect(results.map((r) => r.status)).toEqual(Array(16).fill('rejected'));
    const ok = await cache.use('k', { bytes: 1, countMessages: true }, async () => new Key(7, 0));
    expect(ok.value.id).toBe(7);
  });

  test('a successor that fails to load is replaced by a fresh load when it is needed', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxMessages: 4 });
    let n = 0;
    const flaky = async () => {
      n += 1;
      if (n === 2) throw new Error('the fetch ahead failed');
      return new Key(n, 0);
    };
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((cache.tryUse<Key>('k', { bytes: 1, countMessages: true }, flaky) ?? (await cache.use('k', { bytes: 1, countMessages: true }, flaky)).value).id);
    expect(ids).toEqual([1, 1, 1, 1, 3, 3]);
  });
});

/** A keyring whose calls take fake time: each reply arrives when the test moves the clock past its due time. */
class SlowKeyring implements Keyring {
  public readonly id = 'slow';
  public readonly made: Array<{ created: number; key: Buffer; copy: Buffer }> = [];
  public readonly pending: Array<{ due: number; reply: () => void }> = [];
  private calls = 0;
  constructor(private readonly clock: { t: number }, private readonly latencies: number[]) {}
  generateDataKey(_context: EncryptionContext) {
    const latency = this.latencies[this.calls++ % this.latencies.length];
    return new Promise<{ dataKey: Buffer; edks: any[] }>((resolve) => {
      const call = {
        due: this.clock.t + latency,
        reply: () => {
          const n = this.made.length;
          const key = randomBytes(32);
          this.made.push({ created: this.clock.t, key, copy: Buffer.from(key) });
          resolve({ dataKey: key, edks: [{ providerId: 'slow', providerInfo: Buffer.from(String(n)), ciphertext: Buffer.from(String(n)) }] });
        },
      };
      // A reply without latency arrives at once (at the time of the call), one with latency when the clock gets there.
      if (latency === 0) call.reply();
      else this.pending.push(call);
    });
  }
  async wrapDataKey(): Promise<never> { throw new Error('not used'); }
  async unwrapDataKey(edks: readonly { ciphertext: Buffer }[]) { return Buffer.from(this.made[Number(edks[0].ciphertext.toString())].copy); }
  /** Moves the clock and delivers the replies now due. */
  async advance(dt: number) {
    this.clock.t += dt;
    const due = this.pending.filter((p) => p.due <= this.clock.t);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.due > this.clock.t));
    for (const p of due) p.reply();
    await settle();
  }
}

const SEED = Number(process.env.FC_SEED ?? 160_001);
const RUNS = Number(process.env.FC_RUNS ?? 150);

test(`property: no message uses a data key at or past its max age or budgets, all decrypt, all keys end zeroed (seed ${SEED})`, async () => {
  // eslint-disable-next-line no-console
  console.info(`fast-check seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);
  const step = fc.oneof(
    fc.record({ kind: fc.constant('encrypt' as const), context: fc.integer({ min: 0, max: 1 }), sizes: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 4 }) }),
    // Time moves in twentieths of the max age (up to 1.5 times it), so that keys get used near the end of their life.
    fc.record({ kind: fc.constant('tick' as const), twentieths: fc.integer({ min: 0, max: 30 }) }),
  );
  const config = fc.record({
    maxAgeMs: fc.integer({ min: 100, max: 5000 }),
    maxMessages: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
    maxBytes: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
    capacity: fc.integer({ min: 1, max: 4 }),
    refreshAhead: fc.constantFrom(0, 0.5, 0.75, 0.9),
    latencies: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 5 }),
  });
  await fc.assert(fc.asyncProperty(config, fc.array(step, { minLength: 10, maxLength: 80 }), async (c, steps) => {
    const clock = { t: 0 };
    const keyring = new SlowKeyring(clock, c.latencies.map((l) => Math.floor((l * c.maxAgeMs) / 20)));
    const cache = new DataKeyCache({
      maxAgeMs: c.maxAgeMs, maxMessages: c.maxMessages, maxBytes: c.maxBytes, capacity: c.capacity, refreshAhead: c.refreshAhead, now: () => clock.t,
    });
    const env = new Envelope({ keyring, cache });
    const uses: Array<{ message: Buffer; plaintext: Buffer; at: number; context: EncryptionContext }> = [];
    const inFlight: Promise<void>[] = [];
    for (const s of steps) {
      if (s.kind === 'tick') {
        await keyring.advance(Math.floor((s.twentieths * c.maxAgeMs) / 20));
        continue;
      }
      for (const size of s.sizes) {
        const plaintext = randomBytes(size);
        const context = { tenant: `t${s.context}` };
        inFlight.push(env.encrypt(plaintext, context).then((message) => { uses.push({ message, plaintext, at: clock.t, context }); }));
      }
      await settle();
    }
    while (keyring.pending.length > 0) await keyring.advance(2 * c.maxAgeMs);
    await Promise.all(inFlight);
    const maxMessages = c.maxMessages ?? Infinity;
    const maxBytes = c.maxBytes ?? Infinity;
    const perKey = new Map<number, { messages: number; bytes: number }>();
    for (const u of uses) {
      const n = Number(parseHeader(u.message, { maxEncryptedDataKeys: 1 }).edks[0].ciphertext.toString());
      const age = u.at - keyring.made[n].created;
      if (age >= c.maxAgeMs) throw new Error(`key ${n} served ${age} ms after it was made (max age ${c.maxAgeMs} ms)`);
      const counts = perKey.get(n) ?? { messages: 0, bytes: 0 };
      counts.messages += 1;
      counts.bytes += u.plaintext.length;
      perKey.set(n, counts);
    }
    for (const [n, counts] of perKey) {
      // A message larger than max bytes bypasses the cache with a key of its own.
      const alone = counts.messages === 1 && counts.bytes > maxBytes;
      if (!alone && (counts.messages > maxMessages || counts.bytes > maxBytes)) {
        throw new Error(`key ${n} carried ${counts.messages} messages and ${counts.bytes} bytes (max ${maxMessages} and ${maxBytes})`);
      }
    }
    const reader = new Envelope({ keyring });
    for (const u of uses) {
      const out = await reader.decrypt(u.message, { expectedContext: u.context });
      if (!out.plaintext.equals(u.plaintext)) throw new Error('a message decrypted to another plaintext');
    }
    expect(cache.size).toBeLessThanOrEqual(c.capacity);
    expect(cache.successors).toBeLessThanOrEqual(c.capacity);
    cache.clear();
    await settle();
    const unwiped = keyring.made.filter((m) => !m.key.equals(Buffer.alloc(32))).length;
    if (unwiped > 0) throw new Error(`${unwiped} of ${keyring.made.length} data keys were never zeroed`);
  }), { seed: SEED, numRuns: RUNS });
}, 60_000);
