/*
 * A key's cryptography in the terms of the CycloneDX 1.6 `algorithmProperties` (the schema the CycloneDX library ships,
 * res/schema/bom-1.6.SNAPSHOT.schema.json, definitions.cryptoProperties): the values are the schema's enums.
 * @see https://cyclonedx.org/docs/1.6/json/#components_items_cryptoProperties
 */
import { KeyCustody } from '../../core/deployment-model';
import type { KeyRecord } from '../../core/evidence';
import { FipsLevel } from '../../core/fips';
import { KeyAlgorithm, KeyCryptoRecord, KeyPurpose, nistQuantumSecurityLevel } from '../../core/key-algorithm';

/** The `algorithmProperties` of a CycloneDX 1.6 algorithm asset (only the fields this library fills). */
export interface CbomAlgorithmProperties {
  readonly primitive: string;
  readonly parameterSetIdentifier?: string;
  readonly curve?: string;
  readonly executionEnvironment: string;
  readonly implementationPlatform: string;
  readonly certificationLevel: string[];
  readonly cryptoFunctions: string[];
  readonly classicalSecurityLevel?: number;
  readonly nistQuantumSecurityLevel?: number;
}

/** The algorithm a key is used with, as one CycloneDX algorithm asset. */
export interface CbomAlgorithm {
  /** e.g. `AES-256`, `ECDSA-P-256`, `ML-DSA-65`. */
  readonly name: string;
  readonly properties: CbomAlgorithmProperties;
}

const PQ_ALGORITHMS: ReadonlySet<KeyAlgorithm> = new Set([KeyAlgorithm.ML_DSA, KeyAlgorithm.SLH_DSA, KeyAlgorithm.ML_KEM]);

/** Whether the algorithm is one of the NIST post-quantum standards (FIPS 203, 204, 205). */
export function isPostQuantumAlgorithm(algorithm: KeyAlgorithm): boolean {
  return PQ_ALGORITHMS.has(algorithm);
}

/** AES and HMAC: Shor's algorithm does not apply; Grover's search halves their bits. */
export function isSymmetricAlgorithm(algorithm: KeyAlgorithm): boolean {
  return algorithm === KeyAlgorithm.AES || algorithm === KeyAlgorithm.HMAC;
}

/**
 * The key's NIST post-quantum category, or undefined where the record does not fix it (a symmetric key whose size is
 * not known at synthesis: core would say 0, which the schema reads as "no category met").
 */
export function quantumCategory(crypto: KeyCryptoRecord): number | undefined {
  return isSymmetricAlgorithm(crypto.algorithm) && crypto.sizeBits === undefined ? undefined : nistQuantumSecurityLevel(crypto);
}

/** Whether a quantum computer breaks the key: by family first, so a symmetric or post-quantum key never is. */
export function quantumVulnerable(crypto: KeyCryptoRecord): boolean {
  if (isSymmetricAlgorithm(crypto.algorithm) || isPostQuantumAlgorithm(crypto.algorithm)) return false;
  return nistQuantumSecurityLevel(crypto) === 0;
}

/**
 * The customer's AWS CloudHSM cluster that holds a key of an AWS CloudHSM key store: the key's module is the cluster's
 * HSMs (of the recorded instance type), not an external key manager.
 */
export interface CloudHsmModule {
  readonly hsmType?: string;
}

/** The algorithm asset of a key with a crypto record. */
export function cbomAlgorithm(key: KeyRecord, crypto: KeyCryptoRecord, cloudHsm?: CloudHsmModule): CbomAlgorithm {
  const curve = crypto.algorithm === KeyAlgorithm.EC || crypto.algorithm === KeyAlgorithm.EDDSA ? crypto.parameterSet : undefined;
  const classical = classicalSecurityLevel(crypto);
  return {
    name: algorithmName(crypto),
    properties: {
      primitive: primitive(crypto),
      ...(parameterSetIdentifier(crypto) !== undefined ? { parameterSetIdentifier: parameterSetIdentifier(crypto) } : {}),
      ...(curve ? { curve } : {}),
      executionEnvironment: executionEnvironment(key, cloudHsm),
      // The providers do not publish their HSMs' processor platform.
      implementationPlatform: 'unknown',
      certificationLevel: [certificationLevel(key, crypto, cloudHsm)],
      cryptoFunctions: cryptoFunctions(crypto.purpose),
      ...(classical !== undefined ? { classicalSecurityLevel: classical } : {}),
      ...(quantumCategory(crypto) !== undefined ? { nistQuantumSecurityLevel: quantumCategory(crypto) } : {}),
    },
  };
}

/** The algorithm's name in the standards' spelling, with its size, curve or parameter set. */
export function algorithmName(crypto: KeyCryptoRecord): string {
  const size = crypto.sizeBits !== undefined ? `-${crypto.sizeBits}` : '';
  switch (crypto.algorithm) {
    case KeyAlgorithm.AES: return `AES${size}`;
    case KeyAlgorithm.HMAC: return `HMAC${size}`;
    case KeyAlgorithm.RSA: return `RSA${size}`;
    case KeyAlgorithm.EC: {
      const family = crypto.purpose === KeyPurpose.KEY_AGREEMENT ? 'ECDH' : crypto.purpose === KeyPurpose.SIGN_VERIFY ? 'ECDSA' : 'EC';
      return `${family}${crypto.parameterSet ? `-${crypto.parameterSet}` : size}`;
    }
    case KeyAlgorithm.EDDSA: return `EdDSA${crypto.parameterSet ? `-${crypto.parameterSet}` : ''}`;
    case KeyAlgorithm.SM2: return 'SM2';
    default:
      // ML-DSA, SLH-DSA, ML-KEM: the parameter set names the algorithm (`ML-DSA-65`).
      return crypto.parameterSet ?? crypto.algorithm.replace('_', '-');
  }
}

function primitive(crypto: KeyCryptoRecord): string {
  switch (crypto.algorithm) {
    case KeyAlgorithm.AES: return 'block-cipher';
    case KeyAlgorithm.HMAC: return 'mac';
    case KeyAlgorithm.ML_DSA:
    case KeyAlgorithm.SLH_DSA:
    case KeyAlgorithm.EDDSA: return 'signature';
    case KeyAlgorithm.ML_KEM: return 'kem';
    default:
      // RSA, elliptic curves and SM2 sign, encrypt or agree keys depending on the key's purpose.
      return crypto.purpose === KeyPurpose.SIGN_VERIFY ? 'signature'
        : crypto.purpose === KeyPurpose.KEY_AGREEMENT ? 'key-agree'
          : crypto.purpose === KeyPurpose.ENCRYPT_DECRYPT ? 'pke' : 'other';
  }
}

/**
 * The schema's own example: "in AES128, '128' identifies the key length in bits ... 'SHA2-128s' identifies a parameter
 * set used in SLH-DSA". So the key length for AES, HMAC and RSA, and the parameter set without the family's name for the
 * post-quantum algorithms (`65` of ML-DSA-65, `768` of ML-KEM-768, `SHA2-128s` of SLH-DSA-SHA2-128s). Curves go in `curve`.
 */
function parameterSetIdentifier(crypto: KeyCryptoRecord): string | undefined {
  if (isPostQuantumAlgorithm(crypto.algorithm)) {
    return crypto.parameterSet?.replace(/^(ML-DSA|ML-KEM|SLH-DSA)-/, '');
  }
  if (crypto.algorithm === KeyAlgorithm.EC || crypto.algorithm === KeyAlgorithm.EDDSA) return undefined;
  return crypto.sizeBits !== undefined ? String(crypto.sizeBits) : undefined;
}

/** RSA modulus sizes and their classical strength (NIST SP 800-57 Part 1 Rev. 5, Table 2): the largest row not above. */
const RSA_STRENGTH: Array<[number, number]> = [[15360, 256], [7680, 192], [3072, 128], [2048, 112]];
/** Curves by the standards' names and their classical strength (half the order's size; SP 800-57 Table 2). */
const CURVE_STRENGTH: Record<string, number> = {
  'P-256': 128, 'secp256k1': 128, 'P-384': 192, 'P-521': 256, 'Ed25519': 128, 'Ed448': 224, 'SM2': 128,
};
/** The post-quantum parameter sets' claimed classical strength (FIPS 203, 204: the category's AES or SHA level). */
const PQ_STRENGTH: Record<string, number> = {
  'ML-DSA-44': 128, 'ML-DSA-65': 192, 'ML-DSA-87': 256, 'ML-KEM-512': 128, 'ML-KEM-768': 192, 'ML-KEM-1024': 256,
};

/** Classical security in bits; none where the record does not say enough (an HMAC key's hash is not recorded). */
function classicalSecurityLevel(crypto: KeyCryptoRecord): number | undefined {
  switch (crypto.algorithm) {
    case KeyAlgorithm.AES: return crypto.sizeBits;
    case KeyAlgorithm.RSA: return RSA_STRENGTH.find(([bits]) => (crypto.sizeBits ?? 0) >= bits)?.[1];
    case KeyAlgorithm.EC:
    case KeyAlgorithm.EDDSA: return CURVE_STRENGTH[crypto.parameterSet ?? ''];
    case KeyAlgorithm.SM2: return CURVE_STRENGTH.SM2;
    case KeyAlgorithm.SLH_DSA: {
      const bits = /-(128|192|256)[sf]$/.exec(crypto.parameterSet ?? '')?.[1];
      return bits ? Number(bits) : undefined;
    }
    case KeyAlgorithm.ML_DSA:
    case KeyAlgorithm.ML_KEM: return PQ_STRENGTH[crypto.parameterSet ?? ''];
    default: return undefined;
  }
}

function cryptoFunctions(purpose: KeyPurpose): string[] {
  switch (purpose) {
    case KeyPurpose.ENCRYPT_DECRYPT: return ['keygen', 'encrypt', 'decrypt'];
    case KeyPurpose.SIGN_VERIFY: return ['keygen', 'sign', 'verify'];
    case KeyPurpose.GENERATE_VERIFY_MAC: return ['keygen', 'tag', 'verify'];
    case KeyPurpose.KEY_AGREEMENT: return ['keygen', 'keyderive'];
    case KeyPurpose.KEY_ENCAPSULATION: return ['keygen', 'encapsulate', 'decapsulate'];
    default: return ['unknown'];
  }
}

/**
 * Where the algorithm runs. A key manager outside the cloud (custody CUSTOMER_EXTERNAL) is the customer's: the library
 * cannot know it. A FIPS 140 Level 2 or 3 module is hardware; a Level 1 module is software, but whether its memory is
 * encrypted is not published, so it is `unknown`, not `software-plain-ram`.
 */
export function executionEnvironment(key: KeyRecord, cloudHsm?: CloudHsmModule): string {
  if (cloudHsm) return 'hardware';
  if (key.model.custody === KeyCustody.CUSTOMER_EXTERNAL) return 'unknown';
  return key.fipsLevel === FipsLevel.LEVEL_1 ? 'unknown' : 'hardware';
}

/**
 * The certification of the module that holds the key, in the schema's enum (which names the FIPS 140 revision). The
 * ledger records the level; the revision is each provider's, as its documentation states it:
 * - AWS KMS: FIPS 140-3 Security Level 3 (https://docs.aws.amazon.com/kms/latest/developerguide/kms-internals.html,
 *   certificate 4884), ML-DSA keys included ("AWS KMS creates and protects all ML-DSA keys and signature operations in
 *   FIPS 140-3 Security Level 3 validated hardware security modules", https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html).
 * - AWS CloudHSM (a CloudHSM key store's keys are in the customer's cluster): hsm2m.medium FIPS 140-3 Level 3, hsm1.medium
 *   FIPS 140-2 Level 3 (https://docs.aws.amazon.com/cloudhsm/latest/userguide/introduction.html); another or an
 *   unrecorded type is `unknown`.
 * - Azure: vault HSM keys on HSM platform 2 (every new key) and Managed HSM FIPS 140-3 Level 3; HSM platform 1
 *   FIPS 140-2 Level 2; software keys FIPS 140-2 Level 1 (https://learn.microsoft.com/azure/key-vault/keys/about-keys).
 * - Google: Cloud HSM FIPS 140-2 Level 3 (https://cloud.google.com/kms/docs/hsm); software keys use FIPS 140-2 Level 1
 *   validated primitives (https://cloud.google.com/kms/docs/protection-levels).
 * A post-quantum algorithm (FIPS 203, 204, 205; X-Wing, which NIST has not approved) is covered by no FIPS 140-2
 * validation, which predates those standards: `unknown`, unless the provider documents a validated module for it (AWS
 * KMS for ML-DSA, above).
 * A key manager outside the cloud is the customer's declaration, not a certificate the library can name: `unknown`, and the
 * declared level stays in the `cloud-kms-constructs:fips-140-level` property.
 */
export function certificationLevel(key: KeyRecord, crypto?: KeyCryptoRecord, cloudHsm?: CloudHsmModule): string {
  if (cloudHsm) return CLOUDHSM_CERTIFICATION[cloudHsm.hsmType ?? ''] ?? 'unknown';
  if (key.model.custody === KeyCustody.CUSTOMER_EXTERNAL) return 'unknown';
  if (crypto && isPostQuantumAlgorithm(crypto.algorithm) && !(key.cloud === 'aws' && crypto.algorithm === KeyAlgorithm.ML_DSA)) return 'unknown';
  const byCloud: Record<string, Partial<Record<FipsLevel, string>>> = {
    aws: { [FipsLevel.LEVEL_3]: 'fips140-3-l3' },
    azure: { [FipsLevel.LEVEL_3]: 'fips140-3-l3', [FipsLevel.LEVEL_2]: 'fips140-2-l2', [FipsLevel.LEVEL_1]: 'fips140-2-l1' },
    gcp: { [FipsLevel.LEVEL_3]: 'fips140-2-l3', [FipsLevel.LEVEL_1]: 'fips140-2-l1' },
  };
  return byCloud[key.cloud]?.[key.fipsLevel] ?? 'unknown';
}

const CLOUDHSM_CERTIFICATION: Record<string, string> = { 'hsm2m.medium': 'fips140-3-l3', 'hsm1.medium': 'fips140-2-l3' };

/** The kind of key material the cloud holds: the secret key of a symmetric algorithm, else the private key of a pair. */
export function materialType(crypto: KeyCryptoRecord | undefined): string {
  if (!crypto) return 'unknown';
  return crypto.algorithm === KeyAlgorithm.AES || crypto.algorithm === KeyAlgorithm.HMAC ? 'secret-key' : 'private-key';
}
