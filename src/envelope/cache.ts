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
  /** Messages per data key, at most 2^32. @default 2^32 */
  readonly maxMessages?: number;
  /** Plaintext bytes per data key. @default Number.MAX_SAFE_INTEGER */
  readonly maxBytes?: number;
  /** Entries kept (least recently used go first). @default 1000 */
  readonly capacity?: number;
  /** Clock, for tests. @default Date.now */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly value: T;
  readonly createdAt: number;
  messages: number;
  bytes: number;
}

/** What the cache holds: something with secrets to wipe when it leaves. */
export interface Disposable {
  dispose(): void;
}

/**
 * A data-key cache for encryption and decryption materials. Entries are keyed by keyring, suite and encryption context
 * (decryption: and the encrypted data keys), expire by age, message count and bytes, and are wiped on eviction.
 * Concurrent misses for the same key share one load, so N simultaneous encrypts on a cold cache make one KMS call.
 */
export class DataKeyCache {
  public readonly maxAgeMs: number;
  public readonly maxMessages: number;
  public readonly maxBytes: number;
  public readonly capacity: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry<Disposable>>();
  private readonly loading = new Map<string, Promise<Disposable>>();
  /** Loads performed (cache misses that reached a keyring). */
  public loads = 0;

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
    this.maxAgeMs = options.maxAgeMs;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.capacity = capacity;
    this.now = options.now ?? Date.now;
  }

  /** Entries held now. */
  public get size(): number {
    return this.entries.size;
  }

  /**
   * Returns a cached value that may carry one more message of `bytes` bytes, counting that use; otherwise loads a new
   * one (once for all concurrent callers with the same key), caches it and counts the use against it. `owned` is true
   * when the value was not cached (one message larger than maxBytes): the caller disposes of it.
   */
  public async use<T extends Disposable>(key: string, bytes: number, load: () => Promise<T>): Promise<{ value: T; owned: boolean }> {
    if (bytes > this.maxBytes) return { value: await load(), owned: true };
    for (;;) {
      const hit = this.take(key, bytes);
      if (hit) return { value: hit as T, owned: false };
      let pending = this.loading.get(key);
      if (!pending) {
        pending = this.load(key, load);
        this.loading.set(key, pending);
      }
      await pending;
    }
  }

  /** Empties the cache, wiping every entry. */
  public clear(): void {
    for (const e of this.entries.values()) e.value.dispose();
    this.entries.clear();
  }

  private take(key: string, bytes: number): Disposable | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const expired = this.now() - e.createdAt >= this.maxAgeMs;
    if (expired || e.messages + 1 > this.maxMessages || e.bytes + bytes > this.maxBytes) {
      this.evict(key, e);
      return undefined;
    }
    e.messages += 1;
    e.bytes += bytes;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  private async load(key: string, load: () => Promise<Disposable>): Promise<Disposable> {
    try {
      this.loads += 1;
      const value = await load();
      const old = this.entries.get(key);
      if (old) this.evict(key, old);
      this.entries.set(key, { value, createdAt: this.now(), messages: 0, bytes: 0 });
      while (this.entries.size > this.capacity) {
        const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry<Disposable>];
        this.evict(oldestKey, oldest);
      }
      return value;
    } finally {
      this.loading.delete(key);
    }
  }

  private evict(key: string, e: Entry<Disposable>): void {
    this.entries.delete(key);
    // Wiped on the next turn: a caller that took it this turn derives its message key synchronously first.
    setImmediate(() => e.value.dispose());
  }
}
