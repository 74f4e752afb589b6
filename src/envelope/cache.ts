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
  readonly createdAt: number;
  messages: number;
  bytes: number;
  /** A successor being loaded ahead of this entry's end. */
  next?: Promise<T>;
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
  /** Data keys fetched ahead for entries that have ended. */
  private readonly successors = new Map<string, Promise<Disposable>>();
  /** Loads performed (misses and refreshes that reached a keyring). */
  public loads = 0;
  /** Data keys being fetched ahead right now. */
  public prefetching = 0;

  constructor(options: DataKeyCacheOptions) {
    if (!(options.maxAgeMs > 0)) throw new BadInputError(`maxAgeMs must be a positive number of milliseconds, got ${options.maxAgeMs}`);
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
  }

  /** Entries held now. */
  public get size(): number {
    return this.entries.size;
  }

  /**
   * Without waiting: a cached value that may carry one more use, with the use counted; undefined on a miss. `load`
   * makes the next value when this one nears its end.
   */
  public tryUse<T extends Disposable>(key: string, use: CacheUse, load?: () => Promise<T>): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const age = this.now() - e.createdAt;
    if (age >= this.maxAgeMs || (use.countMessages && (e.messages + 1 > this.maxMessages || e.bytes + use.bytes > this.maxBytes))) {
      this.retire(key, e);
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
      e.next = this.fetch(load);
      e.next.then(() => { this.prefetching -= 1; }, () => { this.prefetching -= 1; });
    }
    return e.value as T;
  }

  /**
   * A cached value that may carry one more use, counting it; otherwise loads a new one (once for all concurrent callers
   * with the same key), caches it and counts the use. `owned` is true when the value was not cached (one message larger
   * than maxBytes): the caller disposes of it.
   */
  public async use<T extends Disposable>(key: string, use: CacheUse, load: () => Promise<T>): Promise<{ value: T; owned: boolean }> {
    if (use.bytes > this.maxBytes) return { value: await load(), owned: true };
    for (;;) {
      const hit = this.tryUse(key, use, load);
      if (hit) return { value: hit, owned: false };
      let pending = this.loading.get(key);
      if (!pending) {
        const successor = this.takeSuccessor(key);
        pending = this.install(key, successor ? successor.catch(() => this.fetch(load)) : this.fetch(load));
        this.loading.set(key, pending);
      }
      await pending;
    }
  }

  /** Empties the cache, wiping every entry. */
  public clear(): void {
    for (const [key, e] of [...this.entries]) this.retire(key, e);
  }

  private takeSuccessor(key: string): Promise<Disposable> | undefined {
    const next = this.successors.get(key);
    this.successors.delete(key);
    return next;
  }

  private fetch<T extends Disposable>(load: () => Promise<T>): Promise<T> {
    this.loads += 1;
    return load();
  }

  private async install(key: string, value: Promise<Disposable>): Promise<Disposable> {
    try {
      const v = await value;
      const old = this.entries.get(key);
      if (old) this.retire(key, old);
      this.entries.set(key, { value: v, createdAt: this.now(), messages: 0, bytes: 0 });
      while (this.entries.size > this.capacity) {
        const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry<Disposable>];
        this.retire(oldestKey, oldest);
      }
      return v;
    } finally {
      this.loading.delete(key);
    }
  }

  private retire(key: string, e: Entry<Disposable>): void {
    if (this.entries.get(key) === e) this.entries.delete(key);
    // A successor fetched ahead becomes the next entry; if it never is, it is wiped when it arrives.
    if (e.next && !this.successors.has(key)) this.successors.set(key, e.next);
    else e.next?.then((v) => setImmediate(() => v.dispose()), () => undefined);
    // Wiped on the next turn: a caller that took it this turn derives its message key synchronously first.
    setImmediate(() => e.value.dispose());
  }
}
