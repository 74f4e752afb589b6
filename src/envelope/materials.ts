import { createECDH, createPrivateKey, createPublicKey, ECDH, KeyObject, randomFillSync } from 'crypto';
import { EncryptionContext, PUBLIC_KEY_CONTEXT_KEY, serializeContext } from './context';
import { AuthenticationError } from './errors';
import { EncryptedDataKey, headerMiddle, serializeEdks } from './header';
import { SuiteInfo } from './suites';

/** What encrypting a message needs, reusable across messages while cached. */
export class EncryptionMaterials {
  constructor(
    public readonly suite: SuiteInfo,
    public readonly dataKey: Buffer,
    public readonly edks: EncryptedDataKey[],
    /** The message's context: the caller's plus, for signed suites, the public key. */
    public readonly context: EncryptionContext,
    /** Serialized context, EDKs, content type and frame length. */
    public readonly middle: Buffer,
    public readonly frameLength: number,
    public readonly signingKey?: KeyObject,
  ) {}

  public dispose(): void {
    this.dataKey.fill(0);
  }
}

/** What decrypting needs: the data key, and for signed suites the verification key. */
export class DecryptionMaterials {
  constructor(public readonly dataKey: Buffer, public readonly verificationKey?: KeyObject) {}

  public dispose(): void {
    this.dataKey.fill(0);
  }
}

export function buildEncryptionMaterials(
  suite: SuiteInfo, dataKey: Buffer, edks: EncryptedDataKey[], context: EncryptionContext, frameLength: number, signingKey?: KeyObject,
): EncryptionMaterials {
  return new EncryptionMaterials(suite, dataKey, edks, context, headerMiddle(serializeContext(context), serializeEdks(edks), frameLength),
    frameLength, signingKey);
}

/** A new ECDSA P-384 key pair: the private key for signing, the compressed public point for the context. */
export function newSigningKey(): { privateKey: KeyObject; publicKeyBase64: string } {
  const ecdh: ECDH = createECDH('secp384r1');
  ecdh.generateKeys();
  const uncompressed = ecdh.getPublicKey();
  const privateKey = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-384',
      d: ecdh.getPrivateKey().toString('base64url'),
      x: uncompressed.subarray(1, 49).toString('base64url'),
      y: uncompressed.subarray(49, 97).toString('base64url'),
    },
    format: 'jwk',
  });
  const compressed = ecdh.getPublicKey(undefined, 'compressed') as unknown as Buffer;
  return { privateKey, publicKeyBase64: Buffer.from(compressed).toString('base64') };
}

/** The verification key named by a signed message's context. */
export function verificationKeyFrom(context: EncryptionContext): KeyObject {
  const encoded = context[PUBLIC_KEY_CONTEXT_KEY];
  if (!encoded) throw new AuthenticationError(`a signed message must carry its public key in the encryption context (${PUBLIC_KEY_CONTEXT_KEY})`);
  try {
    const point = ECDH.convertKey(Buffer.from(encoded, 'base64'), 'secp384r1', undefined, undefined, 'uncompressed') as Buffer;
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-384', x: point.subarray(1, 49).toString('base64url'), y: point.subarray(49, 97).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    throw new AuthenticationError('the message\'s public key is not a P-384 point');
  }
}

/**
 * Random message ids from a pooled buffer: one random fill per 2,048 messages (dropping it and the message slab of
 * message.ts measured 6 to 18% slower on a cached 4 KiB encrypt: bench/README.md). Module-level state, safe under
 * concurrent async use because `randomMessageId` is synchronous from reading `poolOffset` to advancing it (no `await`,
 * no callback), so no two calls can take the same bytes; each id's bytes are wiped from the pool as they are taken.
 */
const POOL = Buffer.allocUnsafe(32 * 2048);
let poolOffset = POOL.length;
export function randomMessageId(id: Buffer = Buffer.allocUnsafe(32)): Buffer {
  if (poolOffset === POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  POOL.copy(id, 0, poolOffset, poolOffset + 32);
  POOL.fill(0, poolOffset, poolOffset + 32);
  poolOffset += 32;
  return id;
}
