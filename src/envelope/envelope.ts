import { DataKeyCache } from './cache';
import { EncryptionContext, PUBLIC_KEY_CONTEXT_KEY, RESERVED_PREFIX, validateUserContext } from './context';
import { AuthenticationError, BadInputError } from './errors';
import { INCOMPLETE, ParsedHeader, parseHeader } from './header';
import { Keyring } from './keyring';
import { buildEncryptionMaterials, DecryptionMaterials, EncryptionMaterials, newSigningKey, verificationKeyFrom } from './materials';
import { encryptMessage, openMessage, verifyFooter } from './message';
import { DecryptStream, EncryptStream } from './stream';
import { AlgorithmSuite, suiteInfo } from './suites';

export interface EnvelopeOptions {
  /** Wraps and unwraps the data keys. */
  readonly keyring: Keyring;
  /** @default AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY (0x0478) */
  readonly suite?: AlgorithmSuite;
  /** Plaintext bytes per frame for `encrypt`. @default 4096 (the SDK's default) */
  readonly frameLength?: number;
  /** Reuse data keys across messages (SDK caching semantics). @default - a new data key for every message */
  readonly cache?: DataKeyCache;
  /** Context keys every message must carry, on encrypt and on decrypt. @default - none */
  readonly requiredContextKeys?: string[];
  /** Decrypt refuses messages with more encrypted data keys than this. @default 16 */
  readonly maxEncryptedDataKeys?: number;
  /** Decrypt refuses messages whose frames are larger than this (a frame is held until it authenticates). @default 64 MiB */
  readonly maxFrameLength?: number;
}

export interface DecryptOptions {
  /** Entries the message's context must contain, with these values. @default - none */
  readonly expectedContext?: EncryptionContext;
}

export interface DecryptResult {
  readonly plaintext: Buffer;
  /** The message's encryption context, without the format's reserved entries. */
  readonly context: EncryptionContext;
  readonly suite: AlgorithmSuite;
  readonly frameLength: number;
}

const MAX_FRAME_LENGTH_DEFAULT = 64 * 1024 * 1024;
/** Cached encrypts between event-loop turns while a data key is fetched ahead. */
const PREFETCH_YIELD_EVERY = 8;

/**
 * Envelope encryption in the AWS Encryption SDK message format (v2, committing suites 0x0478 and 0x0578), on
 * node:crypto: a data key per message or per cached batch, wrapped by a keyring, stored in the message header. Any
 * message this writes, the SDK reads, and the other way round.
 */
export class Envelope {
  public readonly suite: AlgorithmSuite;
  public readonly frameLength: number;
  private readonly keyring: Keyring;
  private readonly cache?: DataKeyCache;
  private readonly required: string[];
  private readonly maxEdks: number;
  private readonly maxFrameLength: number;
  private sincePrefetchYield = 0;
  /** The encryption cache key's start for this envelope's own frame length. */
  private readonly cacheKeyPrefix: string;

  constructor(options: EnvelopeOptions) {
    if (!options?.keyring) throw new BadInputError('keyring is required');
    this.suite = options.suite ?? AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    suiteInfo(this.suite);
    this.frameLength = options.frameLength ?? 4096;
    checkFrameLength(this.frameLength);
    this.keyring = options.keyring;
    this.cache = options.cache;
    this.required = options.requiredContextKeys ?? [];
    this.maxEdks = options.maxEncryptedDataKeys ?? 16;
    this.maxFrameLength = options.maxFrameLength ?? MAX_FRAME_LENGTH_DEFAULT;
    this.cacheKeyPrefix = `e|${this.keyring.id}|${this.suite}|${this.frameLength}`;
  }

  /**
   * Encrypts a whole plaintext into one message. Messages up to 8 KiB share 32 KiB slabs, as Node's small Buffers
   * share its pool: use `byteOffset` and `length` with `message.buffer`, and `Buffer.from(message)` for a copy that
   * keeps no neighbours alive.
   */
  public async encrypt(plaintext: Uint8Array, context: EncryptionContext = {}): Promise<Buffer> {
    const data = Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    // A cached data key needs no await: the message is written in the same turn.
    const cached = this.cachedEncryptionMaterials(context, data.length, this.frameLength);
    if (cached) {
      const message = encryptMessage(cached, data);
      // While a data key is fetched ahead, let the event loop run now and then (every few messages: a turn costs
      // more than a message) so its request goes out and its reply comes in before this entry ends.
      if (this.cache!.prefetching > 0 && (this.sincePrefetchYield = (this.sincePrefetchYield + 1) % PREFETCH_YIELD_EVERY) === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      return message;
    }
    const { value, owned } = await this.encryptionMaterials(context, data.length, this.frameLength);
    try {
      return encryptMessage(value, data);
    } finally {
      if (owned) value.dispose();
    }
  }

  /** Decrypts a whole message; throws AuthenticationError, never returns partial plaintext. */
  public async decrypt(message: Uint8Array, options: DecryptOptions = {}): Promise<DecryptResult> {
    const buf = Buffer.isBuffer(message) ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    const header = this.parse(buf);
    this.checkContext(header.context, options.expectedContext);
    const { value: m, owned } = await this.decryptionMaterials(header);
    const reader = openMessage(header, m, this.maxFrameLength);
    const parts: Buffer[] = [];
    try {
      let o = header.length;
      while (!reader.done) {
        let frame;
        try {
          frame = reader.read(buf, o);
        } catch (err) {
          if (err === INCOMPLETE) throw new AuthenticationError('the message is truncated: its final frame is missing');
          throw err;
        }
        parts.push(frame.plaintext);
        o = frame.next;
      }
      if (header.suite.signed) verifyFooter(m, buf.subarray(0, o), buf.subarray(o));
      else if (o !== buf.length) throw new AuthenticationError('the message has bytes after its final frame');
    } catch (err) {
      for (const p of parts) p.fill(0);
      throw err;
    } finally {
      reader.dispose();
      if (owned) m.dispose();
    }
    return {
      plaintext: parts.length === 1 ? parts[0] : Buffer.concat(parts),
      context: userContext(header.context),
      suite: header.suite.id,
      frameLength: header.frameLength,
    };
  }

  /**
   * A Transform that encrypts a stream of any length into one message. The data key is not cached unless
   * `plaintextLength` is given (as in the SDK: the byte limit needs the length).
   */
  public encryptStream(context: EncryptionContext = {}, options: { frameLength?: number; plaintextLength?: number } = {}): EncryptStream {
    const frameLength = options.frameLength ?? 256 * 1024;
    checkFrameLength(frameLength);
    return new EncryptStream(() => this.encryptionMaterials(context, options.plaintextLength, frameLength), frameLength);
  }

  /**
   * A Transform that decrypts a message stream. Each frame's plaintext is released only after the frame
   * authenticates; a truncated message, or (signed suites) a bad signature, fails the stream at its end.
   */
  public decryptStream(options: DecryptOptions = {}): DecryptStream {
    return new DecryptStream({
      parse: (buf) => parseHeader(buf, { maxEncryptedDataKeys: this.maxEdks }),
      open: async (header) => {
        this.checkContext(header.context, options.expectedContext);
        const { value, owned } = await this.decryptionMaterials(header);
        return { materials: value, owned, reader: openMessage(header, value, this.maxFrameLength) };
      },
      userContext,
    });
  }

  private parse(buf: Buffer): ParsedHeader {
    try {
      return parseHeader(buf, { maxEncryptedDataKeys: this.maxEdks });
    } catch (err) {
      if (err === INCOMPLETE) throw new AuthenticationError('the message is truncated: its header is incomplete');
      throw err;
    }
  }

  private cachedEncryptionMaterials(context: EncryptionContext, bytes: number, frameLength: number): EncryptionMaterials | undefined {
    if (!this.cache || bytes > this.cache.maxBytes) return undefined;
    this.checkUserContext(context);
    return this.cache.tryUse(this.encryptionCacheKey(context, frameLength), { bytes, countMessages: true }, this.loader(context, frameLength));
  }

  /**
   * Cache key of encryption materials: keyring, suite, frame length and the context, canonically ordered, every key
   * and value length-prefixed so that no context can spell another's entries.
   */
  private encryptionCacheKey(context: EncryptionContext, frameLength: number): string {
    let key = frameLength === this.frameLength ? this.cacheKeyPrefix : `e|${this.keyring.id}|${this.suite}|${frameLength}`;
    const keys = Object.keys(context);
    if (keys.length > 1) keys.sort();
    for (const k of keys) {
      const v = context[k];
      key += `|${k.length}:${k}=${v.length}:${v}`;
    }
    return key;
  }

  private checkUserContext(context: EncryptionContext): void {
    validateUserContext(context);
    for (const k of this.required) {
      if (!(k in context)) {
        const missing = this.required.filter((r) => !(r in context));
        throw new BadInputError(`encryption context must contain ${missing.join(', ')} (required), got keys ${Object.keys(context).join(', ') || 'none'}`);
      }
    }
  }

  private loader(context: EncryptionContext, frameLength: number): () => Promise<EncryptionMaterials> {
    return async () => {
      const suite = suiteInfo(this.suite);
      const signing = suite.signed ? newSigningKey() : undefined;
      const full = signing ? { ...context, [PUBLIC_KEY_CONTEXT_KEY]: signing.publicKeyBase64 } : { ...context };
      const { dataKey, edks } = await this.keyring.generateDataKey(full);
      return buildEncryptionMaterials(suite, dataKey, edks, full, frameLength, signing?.privateKey);
    };
  }

  private async encryptionMaterials(context: EncryptionContext, bytes: number | undefined, frameLength: number)
    : Promise<{ value: EncryptionMaterials; owned: boolean }> {
    this.checkUserContext(context);
    const load = this.loader(context, frameLength);
    if (!this.cache || bytes === undefined) return { value: await load(), owned: true };
    return this.cache.use(this.encryptionCacheKey(context, frameLength), { bytes, countMessages: true }, load);
  }

  private async decryptionMaterials(h: ParsedHeader): Promise<{ value: DecryptionMaterials; owned: boolean }> {
    const load = async () => {
      const dataKey = await this.keyring.unwrapDataKey(h.edks, h.context);
      if (!dataKey) {
        throw new AuthenticationError(`no keyring can decrypt this message's data keys (held by ${h.edks.map((e) => e.providerId).join(', ')})`);
      }
      return new DecryptionMaterials(dataKey, h.suite.signed ? verificationKeyFrom(h.context) : undefined);
    };
    if (!this.cache) return { value: await load(), owned: true };
    return this.cache.use(`d|${this.keyring.id}|${h.suite.id}|${h.keySection.toString('base64')}`, { bytes: 0, countMessages: false }, load);
  }

  private checkContext(context: EncryptionContext, expected: EncryptionContext | undefined): void {
    const missing = this.required.filter((k) => !(k in context));
    if (missing.length > 0) throw new AuthenticationError(`the message's encryption context lacks required keys: ${missing.join(', ')}`);
    for (const [k, v] of Object.entries(expected ?? {})) {
      if (context[k] !== v) throw new AuthenticationError(`the message's encryption context does not match: ${k} differs`);
    }
  }
}

function userContext(context: EncryptionContext): EncryptionContext {
  const out: EncryptionContext = {};
  for (const [k, v] of Object.entries(context)) if (!k.startsWith(RESERVED_PREFIX)) out[k] = v;
  return out;
}

function checkFrameLength(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new BadInputError(`frameLength must be between 1 and 2^32 - 1, got ${n}`);
}
