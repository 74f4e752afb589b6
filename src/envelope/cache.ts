import { BadInputError } from './errors';

/** The NIST SP 800-38D bound on invocations per GCM key, which the SDK also applies to messages per cached data key. */
export const MAX_MESSAGES_PER_DATA_KEY = 2 ** 32;

/**
 * Limits of a data-key cache, with the AWS Encryption SDK's caching semantics.
 * @see https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/thresholds.html
 */
export interface DataKeyCacheOptions {
  /** How long a data key may be used after it was made, in milliseconds. */
  readonly maxAgeMs: number;
  /** Messages encrypted per data key, at most 2^32. @default 2^32 */
  readonly maxMessages?: number;
  /** Plaintext bytes encrypted per data key. @default Number.MAX_SAFE_INTEGER */
  readonly maxBytes?: number;
  /** Entries kept (least recently used go first). @default 1000 */
  readonly capacity?: number;
  /**
   * Start getting the next data key when an entry has used this share of its messages or age, so the switch does not
   * wait for KMS. 0 turns it off. @default 0.75
   */
  readonly refreshAhead?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: T;
  /** When the data key arrived from the keyring (not when it entered the cache): its age counts from here. */
  readonly createdAt: number;
  messages: number;
  bytes: number;
  /** A successor being loaded ahead of this entry's end. */
  next?: Promise<Made<T>>;
}

/** A loaded value and the time its load resolved. */
interface Made<T> {
  readonly value: T;
  readonly at: number;
}

/** What the cache holds: something with secrets to wipe when it leaves. */
export interface Disposable {
  dispose(): void;
}

/** How a cached value is used: encryption counts messages and bytes against the limits, decryption only ages. */
export interface CacheUse {
  readonly bytes: number;
  readonly countMessages: boolean;
}

/**
 * A data-key cache for encryption and decryption materials. Entries are keyed by keyring, suite and encryption context
 * (decryption: and the encrypted data keys), expire by age, and for encryption by message count and bytes, and are
 * wiped on eviction. Concurrent misses for the same key share one load, so N simultaneous encrypts on a cold cache make
 * one KMS call; near an entry's end the next data key is fetched ahead.
 *
 * A data key's age counts from the moment its load resolved (the keyring's response), for keys fetched ahead too: a
 * successor that arrived early has been ageing since it arrived, and one already past its max age when its
 * predecessor ends is wiped unused. An entry that ends, is evicted for capacity or is swept after its max age is
 * wiped together with any successor fetched for it (when that arrives); nothing outlives its entry.
 *
 * Failures are not cached: the callers waiting on one load share its outcome (the keyring already retried within its
 * budget, so each retrying again would multiply the calls a throttled KMS sees), and the next call after a failure
 * loads afresh. A successor that fails to load is replaced by a fresh load when it is needed.
 */
export class DataKeyCache {
  public readonly maxAgeMs: number;
  public readonly maxMessages: number;
  public readonly maxBytes: number;
  public readonly capacity: number;
  public readonly refreshAhead: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry<Disposable>>();
  private readonly loading = new Map<string, Promise<Disposable>>();
  /** Expired entries are swept (wiped) at most this often, on the cache's own calls. */
  private readonly sweepEveryMs: number;
  private nextSweep = 0;
  /** Loads performed (misses and refreshes that reached a keyring). */
  public loads = 0;
  /** Data keys being fetched ahead right now. */
  public prefetching = 0;

  constructor(options: DataKeyCacheOptions) {
    if (!(options.maxAgeMs > 0) || !Number.isFinite(options.maxAgeMs)) {
      throw new BadInputError(`maxAgeMs must be a positive number of milliseconds, got ${options.maxAgeMs}`);
    }
    const maxMessages = options.maxMessages ?? MAX_MESSAGES_PER_DATA_KEY;
    if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_MESSAGES_PER_DATA_KEY) {
      throw new BadInputError(`maxMessages must be between 1 and 2^32 (the NIST bound per data key), got ${maxMessages}`);
    }
    const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
    if (!(maxBytes >= 1)) throw new BadInputError(`maxBytes must be at least 1, got ${maxBytes}`);
    const capacity = options.capacity ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 1) throw new BadInputError(`capacity must be a positive integer, got ${capacity}`);
    const refreshAhead = options.refreshAhead ?? 0.75;
    if (!(refreshAhead >= 0 && refreshAhead < 1)) throw new BadInputError(`refreshAhead must be at least 0 and below 1, got ${refreshAhead}`);
    this.maxAgeMs = options.maxAgeMs;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.capacity = capacity;
    this.refreshAhead = refreshAhead;
    this.now = options.now ?? Date.now;
    this.sweepEveryMs = Math.min(this.maxAgeMs, 1000);
  }

  /** Entries held now. */
  public get size(): number {
    return this.entries.size;
  }

  /** Successors fetched ahead and not yet installed (at most one per entry). */
  public get successors(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.next) n += 1;
    return n;
  }

  /**
   * Without waiting: a cached value that may carry one more use, with the use counted; undefined on a miss. `load`
   * makes the next value when this one nears its end.
   */
  public tryUse<T extends Disposable>(key: string, use: CacheUse, load?: () => Promise<T>): T | undefined {
    const now = this.now();
    // The entry asked for is left to the code below, which hands its successor on rather than wiping it.
    if (now >= this.nextSweep) this.sweep(now, key);
    const e = this.entries.get(key);
    if (!e) return undefined;
    const age = now - e.createdAt;
    if (age >= this.maxAgeMs || (use.countMessages && (e.messages + 1 > this.maxMessages || e.bytes + use.bytes > this.maxBytes))) {
      this.end(key, e, load);
      return undefined;
    }
    if (use.countMessages) {
      e.messages += 1;
      e.bytes += use.bytes;
    }
    // Most recently used last (a Map keeps insertion order).
    if (this.entries.size > 1) {
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    if (load && this.refreshAhead > 0 && !e.next && !this.loading.has(key)
      && (age >= this.maxAgeMs * this.refreshAhead || (use.countMessages && e.messages >= this.maxMessages * this.refreshAhead))) {
      this.prefetching += 1;
      const next = this.fetch(load);
      next.then(() => { this.prefetching -= 1; }, () => { this.prefetching -= 1; });
      e.next = next;
    }
    return e.value as T;
  }

  /**
   * A cached value that may carry one more use, counting it; otherwise loads a new one (once for all concurrent callers
   * with the same key), caches it and counts the use. `owned` is true when the value was not cached (one message larger
   * than maxBytes): the caller disposes of it. When the shared load fails, every caller waiting on it gets its error.
   */
  public async use<T extends Disposable>(key: string, use: CacheUse, load: () => Promise<T>): Promise<{ value: T; owned: boolean }> {
    if (use.bytes > this.maxBytes) return { value: await load(), owned: true };
    for (;;) {
      const hit = this.tryUse(key, use, load);
      if (hit) return { value: hit, owned: false };
      let pending = this.loading.get(key);
      if (!pending) {
        pending = this.install(key, this.fetch(load));
        this.loading.set(key, pending);
      }
      await pending;
    }
  }

  /** Empties the cache, wiping every entry and every successor fetched ahead. */
  public clear(): void {
    for (const [key, e] of [...this.entries]) this.evict(key, e);
  }

  /** Wipes the entries past their max age (the cache's calls do this at most once a second). */
  public evictExpired(): void {
    this.sweep(this.now());
  }

  private sweep(now: number, except?: string): void {
    this.nextSweep = now + this.sweepEveryMs;
    for (const [key, e] of [...this.entries]) if (key !== except && now - e.createdAt >= this.maxAgeMs) this.evict(key, e);
  }

  private fetch<T extends Disposable>(load: () => Promise<T>): Promise<Made<T>> {
    this.loads += 1;
    return load().then((value) => ({ value, at: this.now() }));
  }

  /**
   * Installs a loaded value as the key's entry. A successor that failed, or arrived so long ago that it is past its
   * max age, is replaced by a fresh load (when `load` is given).
   */
  private async install(key: string, pending: Promise<Made<Disposable>>, load?: () => Promise<Disposable>): Promise<Disposable> {
    try {
      let made = load ? await pending.catch(() => this.fetch(load)) : await pending;
      if (load && this.now() - made.at >= this.maxAgeMs) {
        wipe(made.value);
        made = await this.fetch(load);
      }
      const old = this.entries.get(key);
      if (old) this.evict(key, old);
      this.entries.set(key, { value: made.value, createdAt: made.at, messages: 0, bytes: 0 });
      while (this.entries.size > this.capacity) {
        const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry<Disposable>];
        this.evict(oldestKey, oldest);
      }
      return made.value;
    } finally {
      this.loading.delete(key);
    }
  }

  /** An entry at the end of its life: its successor, if any, becomes the key's pending load. */
  private end(key: string, e: Entry<Disposable>, load?: () => Promise<Disposable>): void {
    if (this.entries.get(key) === e) this.entries.delete(key);
    wipe(e.value);
    if (e.next && load && !this.loading.has(key)) {
      const pending = this.install(key, e.next, load);
      pending.catch(() => undefined); // A caller that waits on it sees the failure; nobody else must.
      this.loading.set(key, pending);
    } else {
      wipeWhenLoaded(e.next);
    }
  }

  /** An entry dropped (capacity, sweep, clear): it and its successor are wiped. */
  private evict(key: string, e: Entry<Disposable>): void {
    if (this.entries.get(key) === e) this.entries.delete(key);
    wipe(e.value);
    wipeWhenLoaded(e.next);
    e.next = undefined;
  }
}

/** Wiped on the next turn: a caller that took it this turn derives its message key synchronously first. */
function wipe(value: Disposable): void {
  setImmediate(() => value.dispose());
}

function wipeWhenLoaded(next: Promise<Made<Disposable>> | undefined): void {
  next?.then((m) => wipe(m.value), () => undefined);
}
