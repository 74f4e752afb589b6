/*
 * Offline wrapping of key material for import into AWS KMS, Google Cloud KMS and Azure Key Vault.
 * Everything here runs on node:crypto primitives (RSA-OAEP, AES key wrap with padding, RFC 5649);
 * no plaintext key material leaves this process except wrapped, and buffers that held it are zeroed.
 */
import * as crypto from 'crypto';
import { usageError } from './args';

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
    throw usageError(`AES key wrap needs a 128, 192 or 256-bit key, got ${kek.length * 8} bits`);
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
    throw usageError('AES key unwrap failed: wrong key or damaged data');
  }
}

/** Text that is only base64 (the AWS CLI's `--query PublicKey --output text`), with optional line breaks. */
function base64Text(bytes: Buffer): Buffer | undefined {
  const text = bytes.toString('latin1').replace(/\s+/g, '');
  if (text.length < 64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function parsesAs(der: Buffer, type: 'spki' | 'pkcs1'): crypto.KeyObject | undefined {
  try {
    return crypto.createPublicKey({ key: der, format: 'der', type });
  } catch {
    return undefined;
  }
}

/**
 * Reads an RSA public key: DER SubjectPublicKeyInfo (as KMS returns it), the same as base64 text (what
 * `aws kms get-parameters-for-import --query PublicKey --output text` prints), or PEM.
 */
export function readWrappingPublicKey(bytes: Buffer, source: string, path?: string): crypto.KeyObject {
  let key: crypto.KeyObject | undefined;
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN')) {
    try {
      key = crypto.createPublicKey({ key: text, format: 'pem' });
    } catch {
      throw usageError(`${source} is PEM but not a public key`);
    }
  } else {
    const der = base64Text(bytes) ?? bytes;
    key = parsesAs(der, 'spki');
    if (!key && parsesAs(der, 'pkcs1')) {
      const file = path ?? '<file>';
      throw usageError(`${source} is a PKCS#1 RSAPublicKey, not a SubjectPublicKeyInfo; convert it with ` +
        `\`openssl rsa -RSAPublicKey_in -inform DER -in ${file} -pubout -outform DER -out ${file}.spki.der\``);
    }
    if (!key) throw usageError(`${source} is not a public key in DER (SubjectPublicKeyInfo), base64 or PEM form`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw usageError(`${source} must be an RSA public key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (![2048, 3072, 4096].includes(bits)) {
    throw usageError(`${source} must be a 2048, 3072 or 4096-bit RSA key, got ${bits} bits`);
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
        throw usageError(`RSAES_OAEP_SHA_256 with a ${bits}-bit key can wrap at most ${capacity} bytes, got ${req.material.length}; ` +
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
        throw usageError(`${req.algorithm} needs the import job's ${wanted}-bit public key, got ${bits} bits`);
      }
      return rsaAesKeyWrap(req.publicKey, req.material, 'sha256');
    }
    case WrapAlgorithm.AZURE_BYOK: {
      if (!req.kekId) {
        throw usageError('--kek-id is required for AZURE_BYOK: the key identifier of the key-exchange key');
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
      throw usageError(`--algorithm must be one of ${WRAP_ALGORITHMS.join(', ')}, got ${req.algorithm}`);
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

/** The openssl command that turns a traditional (SEC1 or PKCS#1) private key into PKCS#8 DER. */
function toPkcs8(pem: boolean, path: string | undefined): string {
  const file = path ?? '<file>';
  return `\`openssl pkcs8 -topk8 -nocrypt${pem ? '' : ' -inform DER'} -in ${file} -outform DER -out ${file}.p8.der\``;
}

function parsesAsPrivate(material: Buffer, type: 'sec1' | 'pkcs1'): boolean {
  try {
    crypto.createPrivateKey({ key: material, format: 'der', type });
    return true;
  } catch {
    return false;
  }
}

/**
 * Identifies key material and checks it is importable: 16, 24 or 32 raw bytes (AES), 28 to 128 raw bytes
 * (HMAC), or a PKCS#8 DER private key (RSA or EC). A private key in another form (PEM, SEC1, PKCS#1) is refused with
 * the command that converts it, rather than imported as an HMAC key of its own bytes.
 */
export function describeMaterial(material: Buffer, source: string, path?: string): MaterialDescription {
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(material.subarray(0, 4096).toString('latin1'));
  if (pem) {
    const traditional = pem[1] === 'EC PRIVATE KEY' || pem[1] === 'RSA PRIVATE KEY';
    throw usageError(`${source} is PEM (${pem[1]}); give the key as ${traditional ? 'PKCS#8 ' : ''}DER: ${traditional
      ? toPkcs8(true, path) : `\`openssl pkey -in ${path ?? '<file>'} -outform DER -out ${path ?? '<file>'}.der\``}`);
  }
  // A random symmetric key that parses as a DER private key is, for practical purposes, impossible.
  const privateKey = material[0] === 0x30 ? tryPrivateKey(material) : undefined;
  if (privateKey) return describePrivateKey(privateKey, material.length, source);
  if (material[0] === 0x30 && parsesAsPrivate(material, 'sec1')) {
    throw usageError(`${source} is a SEC1 EC private key, which KMS imports only as PKCS#8; convert it with ${toPkcs8(false, path)}`);
  }
  if (material[0] === 0x30 && parsesAsPrivate(material, 'pkcs1')) {
    throw usageError(`${source} is a PKCS#1 RSA private key, which KMS imports only as PKCS#8; convert it with ${toPkcs8(false, path)}`);
  }
  if ([16, 24, 32].includes(material.length)) {
    return { kind: `AES-${material.length * 8}`, symmetric: true, length: material.length };
  }
  if (material.length >= 28 && material.length <= 128) {
    return { kind: `HMAC (${material.length} bytes)`, symmetric: true, length: material.length };
  }
  throw usageError(`${source} must hold 16, 24 or 32 bytes (AES), 28 to 128 bytes (HMAC) or a PKCS#8 DER private key, got ${material.length} bytes`);
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
  throw usageError(`${source} holds a ${key.asymmetricKeyType} private key, which cannot be imported`);
}

function requireAesKey(key: Buffer): void {
  if (![16, 24, 32].includes(key.length)) {
    throw usageError(`a key check value needs a 128, 192 or 256-bit AES key, got ${key.length} bytes`);
  }
}

function aesEcb(key: Buffer, block: Buffer): Buffer {
  const cipher = crypto.createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** Doubling in GF(2^128): the subkey step of CMAC (NIST SP 800-38B 6.1, RFC 4493 2.3). */
function dbl(block: Buffer): Buffer {
  const out = Buffer.alloc(16);
  /* eslint-disable no-bitwise */
  for (let i = 0; i < 16; i++) out[i] = ((block[i] << 1) | (i < 15 ? block[i + 1] >> 7 : 0)) & 0xff;
  if (block[0] & 0x80) out[15] ^= 0x87;
  /* eslint-enable no-bitwise */
  return out;
}

/**
 * AES-CMAC (NIST SP 800-38B, RFC 4493) of a message, on node:crypto's AES: subkeys K1, K2 from AES(K, 0^128); the last
 * block XORed with K1 when complete, else padded with 10* and XORed with K2; then CBC-MAC with a zero IV.
 * @see https://www.rfc-editor.org/rfc/rfc4493
 */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  requireAesKey(key);
  const l = aesEcb(key, Buffer.alloc(16));
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const padded = Buffer.alloc(blocks * 16);
  message.copy(padded);
  if (!complete) padded[message.length] = 0x80;
  const subkey = complete ? k1 : k2;
  // eslint-disable-next-line no-bitwise
  for (let i = 0; i < 16; i++) padded[(blocks - 1) * 16 + i] ^= subkey[i];
  const cipher = crypto.createCipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16));
  cipher.setAutoPadding(false);
  const chained = Buffer.concat([cipher.update(padded), cipher.final()]);
  const tag = Buffer.from(chained.subarray(chained.length - 16));
  for (const b of [l, k1, k2, padded, chained]) b.fill(0);
  return tag;
}

/** How a key check value is computed. */
export enum KcvMethod {
  /**
   * ANSI X9.24-1:2017 Annex A.3, CMAC-based check value: AES-CMAC over a block of 16 zero bytes, leftmost 5 bytes.
   * What PCI assessors and HSMs expect for AES keys; AWS Payment Cryptography shows the leftmost 3 of the same bytes.
   */
  CMAC = 'cmac',
  /** The legacy form (X9.24-1:2017 A.2, meant for TDEA): AES-ECB encryption of a zero block, leftmost 3 bytes. */
  ECB = 'ecb',
}

export const KCV_METHODS = Object.values(KcvMethod) as string[];

/** How each method is named next to the value, so no one compares values of different methods. */
export const KCV_LABELS: Record<KcvMethod, string> = {
  [KcvMethod.CMAC]: 'AES-CMAC, ANSI X9.24-1:2017 A.3',
  [KcvMethod.ECB]: 'AES-ECB of a zero block, legacy',
};

/**
 * Key check value of an AES key, in hex. Lets each custodian confirm their component, and everyone the combined key,
 * without revealing either. The CMAC form (default) follows ANSI X9.24-1:2017 Annex A.3 (the standard is not public;
 * its A.3 is quoted by implementations such as openemv's crypto_aes_kcv.c: CMAC of a zero block, first 5 bytes).
 * @see https://docs.aws.amazon.com/payment-cryptography/latest/DataAPIReference/API_WrappedKey.html
 */
export function keyCheckValue(key: Buffer, method: KcvMethod = KcvMethod.CMAC): string {
  requireAesKey(key);
  const zero = Buffer.alloc(16);
  const full = method === KcvMethod.ECB ? aesEcb(key, zero) : aesCmac(key, zero);
  const kcv = full.subarray(0, method === KcvMethod.ECB ? 3 : 5).toString('hex').toUpperCase();
  full.fill(0);
  return kcv;
}

/**
 * Combines key components held by different custodians (split knowledge) by XOR. The caller owns the returned
 * buffer and must zero it; components are not modified.
 */
export function combineComponents(components: Buffer[]): Buffer {
  if (components.length < 2) {
    throw usageError(`split knowledge needs at least 2 --component files, got ${components.length}`);
  }
  const length = components[0].length;
  for (const [i, c] of components.entries()) {
    if (c.length !== length) {
      throw usageError(`every key component must be the same length: component 1 has ${length} bytes, component ${i + 1} has ${c.length}`);
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
