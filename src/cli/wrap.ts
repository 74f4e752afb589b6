/*
 * Offline wrapping of key material for import into AWS KMS, Google Cloud KMS and Azure Key Vault.
 * Everything here runs on node:crypto primitives (RSA-OAEP, AES key wrap with padding, RFC 5649);
 * no plaintext key material leaves this process except wrapped, and buffers that held it are zeroed.
 */
import * as crypto from 'crypto';
import { CliError } from './errors';

/** The wrapping formats `cloud-kms byok wrap` produces. */
export enum WrapAlgorithm {
  /** AWS KMS: RSA-OAEP with SHA-256 over the raw material (symmetric and HMAC keys). */
  RSAES_OAEP_SHA_256 = 'RSAES_OAEP_SHA_256',
  /** AWS KMS: CKM_RSA_AES_KEY_WRAP with SHA-256 OAEP (any key, required for private keys). */
  RSA_AES_KEY_WRAP_SHA_256 = 'RSA_AES_KEY_WRAP_SHA_256',
  /** Google Cloud KMS import job method RSA_OAEP_3072_SHA256_AES_256. */
  RSA_OAEP_3072_SHA256_AES_256 = 'RSA_OAEP_3072_SHA256_AES_256',
  /** Google Cloud KMS import job method RSA_OAEP_4096_SHA256_AES_256. */
  RSA_OAEP_4096_SHA256_AES_256 = 'RSA_OAEP_4096_SHA256_AES_256',
  /** Azure Key Vault / Managed HSM key transfer blob (`.byok`): CKM_RSA_AES_KEY_WRAP with SHA-1 OAEP. */
  AZURE_BYOK = 'AZURE_BYOK',
}

export const WRAP_ALGORITHMS = Object.values(WrapAlgorithm) as string[];

/** The alternative initial value of RFC 5649 (AES key wrap with padding). */
const KWP_IV = Buffer.from('A65959A6', 'hex');

function kwpCipherName(kek: Buffer): string {
  if (![16, 24, 32].includes(kek.length)) {
    throw new CliError(`AES key wrap needs a 128, 192 or 256-bit key, got ${kek.length * 8} bits`);
  }
  return `id-aes${kek.length * 8}-wrap-pad`;
}

/** RFC 5649 AES key wrap with padding. */
export function aesKeyWrapPad(kek: Buffer, plaintext: Buffer): Buffer {
  const cipher = crypto.createCipheriv(kwpCipherName(kek), kek, KWP_IV);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** RFC 5649 AES key unwrap with padding; fails if the integrity check fails. */
export function aesKeyUnwrapPad(kek: Buffer, wrapped: Buffer): Buffer {
  const decipher = crypto.createDecipheriv(kwpCipherName(kek), kek, KWP_IV);
  try {
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    throw new CliError('AES key unwrap failed: wrong key or damaged data');
  }
}

/** Reads an RSA public key in DER (SubjectPublicKeyInfo, as KMS returns it) or PEM form. */
export function readWrappingPublicKey(bytes: Buffer, source: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    const text = bytes.toString('utf8');
    key = text.includes('-----BEGIN')
      ? crypto.createPublicKey({ key: text, format: 'pem' })
      : crypto.createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    throw new CliError(`${source} is not a public key in DER (SubjectPublicKeyInfo) or PEM form`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CliError(`${source} must be an RSA public key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (![2048, 3072, 4096].includes(bits)) {
    throw new CliError(`${source} must be a 2048, 3072 or 4096-bit RSA key, got ${bits} bits`);
  }
  return key;
}

function oaep(publicKey: crypto.KeyObject, hash: 'sha1' | 'sha256', data: Buffer): Buffer {
  return crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

/**
 * CKM_RSA_AES_KEY_WRAP: an ephemeral AES-256 key, RSA-OAEP-wrapped, followed by the material under
 * AES key wrap with padding. The ephemeral key is zeroed before returning.
 */
export function rsaAesKeyWrap(publicKey: crypto.KeyObject, material: Buffer, hash: 'sha1' | 'sha256'): Buffer {
  const aesKey = crypto.randomBytes(32);
  try {
    return Buffer.concat([oaep(publicKey, hash, aesKey), aesKeyWrapPad(aesKey, material)]);
  } finally {
    aesKey.fill(0);
  }
}

export interface WrapRequest {
  readonly algorithm: WrapAlgorithm;
  readonly publicKey: crypto.KeyObject;
  readonly material: Buffer;
  /** Azure only: the key identifier of the key-exchange key, written into the `.byok` header. */
  readonly kekId?: string;
}

/** Wraps material in the chosen format; returns the bytes to write (JSON for Azure). */
export function wrapKeyMaterial(req: WrapRequest): Buffer {
  const bits = req.publicKey.asymmetricKeyDetails?.modulusLength;
  switch (req.algorithm) {
    case WrapAlgorithm.RSAES_OAEP_SHA_256: {
      const capacity = (bits! / 8) - 2 * 32 - 2;
      if (req.material.length > capacity) {
        throw new CliError(`RSAES_OAEP_SHA_256 with a ${bits}-bit key can wrap at most ${capacity} bytes, got ${req.material.length}; ` +
          'use RSA_AES_KEY_WRAP_SHA_256 for private keys');
      }
      return oaep(req.publicKey, 'sha256', req.material);
    }
    case WrapAlgorithm.RSA_AES_KEY_WRAP_SHA_256:
      return rsaAesKeyWrap(req.publicKey, req.material, 'sha256');
    case WrapAlgorithm.RSA_OAEP_3072_SHA256_AES_256:
    case WrapAlgorithm.RSA_OAEP_4096_SHA256_AES_256: {
      const wanted = req.algorithm === WrapAlgorithm.RSA_OAEP_3072_SHA256_AES_256 ? 3072 : 4096;
      if (bits !== wanted) {
        throw new CliError(`${req.algorithm} needs the import job's ${wanted}-bit public key, got ${bits} bits`);
      }
      return rsaAesKeyWrap(req.publicKey, req.material, 'sha256');
    }
    case WrapAlgorithm.AZURE_BYOK: {
      if (!req.kekId) {
        throw new CliError('--kek-id is required for AZURE_BYOK: the key identifier of the key-exchange key');
      }
      const blob = {
        schema_version: '1.0.0',
        header: { kid: req.kekId, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' },
        ciphertext: rsaAesKeyWrap(req.publicKey, req.material, 'sha1').toString('base64url'),
        generator: 'cloud-kms-constructs byok wrap',
      };
      return Buffer.from(JSON.stringify(blob, undefined, 2));
    }
    default:
      throw new CliError(`--algorithm must be one of ${WRAP_ALGORITHMS.join(', ')}, got ${req.algorithm}`);
  }
}

/** What a buffer of key material turned out to be. */
export interface MaterialDescription {
  /** e.g. `AES-256`, `HMAC (48 bytes)`, `RSA-3072 private key`, `EC P-256 private key`. */
  readonly kind: string;
  readonly symmetric: boolean;
  readonly length: number;
}

const EC_CURVES: Record<string, string> = {
  prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1', SM2: 'SM2',
};

/**
 * Identifies key material and checks it is importable: 16, 24 or 32 raw bytes (AES), 28 to 128 raw bytes
 * (HMAC), or a PKCS#8 DER private key (RSA or EC).
 */
export function describeMaterial(material: Buffer, source: string): MaterialDescription {
  // A random symmetric key that parses as a PKCS#8 private key is, for practical purposes, impossible.
  const privateKey = material[0] === 0x30 ? tryPrivateKey(material) : undefined;
  if (privateKey) return describePrivateKey(privateKey, material.length, source);
  if ([16, 24, 32].includes(material.length)) {
    return { kind: `AES-${material.length * 8}`, symmetric: true, length: material.length };
  }
  if (material.length >= 28 && material.length <= 128) {
    return { kind: `HMAC (${material.length} bytes)`, symmetric: true, length: material.length };
  }
  throw new CliError(`${source} must hold 16, 24 or 32 bytes (AES), 28 to 128 bytes (HMAC) or a PKCS#8 DER private key, got ${material.length} bytes`);
}

function tryPrivateKey(material: Buffer): crypto.KeyObject | undefined {
  try {
    return crypto.createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
}

function describePrivateKey(key: crypto.KeyObject, length: number, source: string): MaterialDescription {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    return { kind: `RSA-${d.modulusLength} private key`, symmetric: false, length };
  }
  if (key.asymmetricKeyType === 'ec') {
    return { kind: `EC ${EC_CURVES[d.namedCurve ?? ''] ?? d.namedCurve} private key`, symmetric: false, length };
  }
  throw new CliError(`${source} holds a ${key.asymmetricKeyType} private key, which cannot be imported`);
}

/**
 * Key check value of an AES key: the first three bytes of AES-ECB over a zero block, in hex. Lets each
 * custodian confirm their component, and everyone the combined key, without revealing either.
 */
export function keyCheckValue(key: Buffer): string {
  if (![16, 24, 32].includes(key.length)) {
    throw new CliError(`a key check value needs a 128, 192 or 256-bit AES key, got ${key.length} bytes`);
  }
  const cipher = crypto.createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  const block = Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()]);
  return block.subarray(0, 3).toString('hex').toUpperCase();
}

/**
 * Combines key components held by different custodians (split knowledge) by XOR. The caller owns the returned
 * buffer and must zero it; components are not modified.
 */
export function combineComponents(components: Buffer[]): Buffer {
  if (components.length < 2) {
    throw new CliError(`split knowledge needs at least 2 --component files, got ${components.length}`);
  }
  const length = components[0].length;
  for (const [i, c] of components.entries()) {
    if (c.length !== length) {
      throw new CliError(`every key component must be the same length: component 1 has ${length} bytes, component ${i + 1} has ${c.length}`);
    }
  }
  const combined = Buffer.alloc(length);
  for (const c of components) {
    // XOR is how split-knowledge components combine.
    // eslint-disable-next-line no-bitwise
    for (let i = 0; i < length; i++) combined[i] ^= c[i];
  }
  return combined;
}
