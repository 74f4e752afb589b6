/*
 * The committing suites' key derivation (HKDF-SHA512): each message's AES key and key commitment from the data key.
 *
 * Shared state, kept for speed: INNER, OUTER and PRK below are module-level scratch buffers that hold key-derived bytes
 * during a derivation (per-call buffers measured 21% slower on a cached 4 KiB encrypt in one run: bench/README.md).
 * They are safe under any number of concurrent async calls because of one invariant, which every change here must keep:
 * `deriveMessageKeys` is synchronous from its first write into a scratch buffer to the wipe in its `finally` (no
 * `await`, no callback, nothing that can call back into this module), so on Node's one JavaScript thread no other
 * derivation can run in between, and nothing of one message's keys is left for the next. Worker threads each load their
 * own copy of this module. test/envelope/concurrency.test.ts interleaves hundreds of encrypts and decrypts through the
 * envelope API, and checks that this file has no `await`, `async` or `Promise`.
 */
import * as crypto from 'crypto';
import { SuiteInfo } from './suites';

const COMMIT_INFO = Buffer.from('COMMITKEY\x01', 'latin1');

export interface MessageKeys {
  /** The AES-256-GCM key of this message. */
  readonly key: Buffer;
  /** The key commitment written in the header. */
  readonly commitment: Buffer;
}

/** `crypto.hash` (one-shot digest, Node 20.12 and later); undefined on older Node, which takes the createHmac path. */
type OneShotHash = (algorithm: string, data: Buffer, outputEncoding: 'latin1') => string;
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/**
 * HKDF-SHA512 (RFC 5869) as the committing suites use it: salt = message id, input key = data key; the commitment is
 * expanded with "COMMITKEY", the content key with suiteId || "DERIVEKEY". 32 bytes each: one HMAC block, so expand is
 * a single HMAC over info || 0x01. The results are written into `key` and `commitment` (new buffers when not given).
 *
 * Speed: this runs for every message, and on OpenSSL 3.0 each `createHmac` pays about 2.5 µs of context set-up
 * (digest fetch, two key blocks) before hashing anything. HMAC is two hashes (RFC 2104), so where Node has the
 * one-shot `crypto.hash` we compute it from six of those, with latin1 strings as their output (a Buffer result costs
 * an allocation per hash): measured 12 µs → 5 µs per message, checked against `createHmac` and `hkdfSync` in tests.
 * Intermediate values pass through short-lived strings that cannot be wiped; each is specific to one message and
 * follows from the data key and the public message id, and the data key itself stays in memory while it is cached.
 */
export function deriveMessageKeys(dataKey: Buffer, messageId: Buffer, suite: SuiteInfo,
  key: Buffer = Buffer.allocUnsafe(32), commitment: Buffer = Buffer.allocUnsafe(32)): MessageKeys {
  if (!oneShot) return deriveWithHmac(dataKey, messageId, suite, key, commitment);
  try {
    PRK.write(hmacSha512(oneShot, messageId, dataKey), 0, 'latin1');
    commitment.write(hmacSha512(oneShot, PRK, COMMIT_INFO), 0, 32, 'latin1');
    key.write(hmacSha512(oneShot, PRK, suite.keyInfoWithCounter), 0, 32, 'latin1');
  } finally {
    wipeScratch();
  }
  return { key, commitment };
}

/** The same derivation with one `createHmac` per HMAC (Node before 20.12). */
export function deriveWithHmac(dataKey: Buffer, messageId: Buffer, suite: SuiteInfo,
  key: Buffer = Buffer.allocUnsafe(32), commitment: Buffer = Buffer.allocUnsafe(32)): MessageKeys {
  const prk = crypto.createHmac('sha512', messageId).update(dataKey).digest();
  crypto.createHmac('sha512', prk).update(COMMIT_INFO).digest().copy(commitment, 0, 0, 32);
  const full = crypto.createHmac('sha512', prk).update(suite.keyInfoWithCounter).digest();
  full.copy(key, 0, 0, 32);
  full.fill(0);
  prk.fill(0);
  return { key, commitment };
}

const BLOCK = 128;
const MAX_KEY = 64;
const MAX_MESSAGE = 64;
const IPAD = 0x36;
const OPAD = 0x5c;
/** key ^ ipad (the key zero-padded to 64 bytes; bytes 64 to 127 are always ipad) || message. */
const INNER = Buffer.alloc(BLOCK + MAX_MESSAGE, IPAD);
/** INNER up to the end of a message of each length. */
const INNER_VIEWS = Array.from({ length: MAX_MESSAGE + 1 }, (_, n) => INNER.subarray(0, BLOCK + n));
/** key ^ opad || inner digest. */
const OUTER = Buffer.alloc(BLOCK + 64, OPAD);
const PRK = Buffer.alloc(64);

/**
 * HMAC-SHA512 for keys and messages of at most 64 bytes (the message id, the PRK, the data key, the infos): one
 * block of key and pad, so no key hashing. Synchronous: see the invariant at the top of this file.
 */
function hmacSha512(hash: OneShotHash, key: Buffer, message: Buffer): string {
  if (key.length > MAX_KEY || message.length > MAX_MESSAGE) throw new Error('hmacSha512: key or message longer than 64 bytes');
  // The first 64 bytes of both pads every time (a shorter key is zero-padded), so no call depends on the one before.
  for (let i = 0; i < MAX_KEY; i++) {
    const k = i < key.length ? key[i] : 0;
    /* eslint-disable no-bitwise */
    INNER[i] = k ^ IPAD;
    OUTER[i] = k ^ OPAD;
    /* eslint-enable no-bitwise */
  }
  message.copy(INNER, BLOCK);
  OUTER.write(hash('sha512', INNER_VIEWS[message.length], 'latin1'), BLOCK, 'latin1');
  return hash('sha512', OUTER, 'latin1');
}

/** Puts the scratch buffers back to bare pads and zeros: nothing of a message's keys stays in them. */
function wipeScratch(): void {
  INNER.fill(IPAD, 0, MAX_KEY);
  INNER.fill(0, BLOCK);
  OUTER.fill(OPAD, 0, MAX_KEY);
  OUTER.fill(0, BLOCK);
  PRK.fill(0);
}
