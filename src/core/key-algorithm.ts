/*
 * What a key is, cryptographically, in terms that do not depend on the cloud: the algorithm family, its size or
 * parameter set, what it is for, and how strong it stays against a quantum computer. Each cloud maps its own key
 * specs onto these (AWS `KeySpec`, Google `algorithm`, Azure `key_type` + size or curve); the profile's algorithm rule,
 * the cryptographic inventory (CycloneDX CBOM) and the report's post-quantum section read them.
 */

/**
 * An algorithm family, whatever the cloud calls its key specs.
 */
export enum KeyAlgorithm {
  /** AES (FIPS 197): symmetric encryption keys, e.g. AWS `SYMMETRIC_DEFAULT`, Google `GOOGLE_SYMMETRIC_ENCRYPTION`. */
  AES = 'AES',
  /** HMAC (FIPS 198-1) keys. */
  HMAC = 'HMAC',
  /** RSA (encryption or signing). */
  RSA = 'RSA',
  /** Elliptic curves over NIST or SEC prime fields (ECDSA, ECDH): P-256, P-384, P-521, secp256k1. */
  EC = 'EC',
  /** Edwards curves (EdDSA, FIPS 186-5): Ed25519. */
  EDDSA = 'EDDSA',
  /** SM2 (GB/T 32918, China regions only): not a FIPS-approved algorithm. */
  SM2 = 'SM2',
  /** ML-DSA, module-lattice digital signatures (FIPS 204): post-quantum. */
  ML_DSA = 'ML_DSA',
  /** SLH-DSA, stateless hash-based signatures (FIPS 205): post-quantum. */
  SLH_DSA = 'SLH_DSA',
  /** ML-KEM, module-lattice key encapsulation (FIPS 203): post-quantum. */
  ML_KEM = 'ML_KEM',
}

/**
 * What a key is used for.
 */
export enum KeyPurpose {
  ENCRYPT_DECRYPT = 'ENCRYPT_DECRYPT',
  SIGN_VERIFY = 'SIGN_VERIFY',
  GENERATE_VERIFY_MAC = 'GENERATE_VERIFY_MAC',
  KEY_AGREEMENT = 'KEY_AGREEMENT',
  KEY_ENCAPSULATION = 'KEY_ENCAPSULATION',
}

/**
 * A key's cryptography, as recorded in the evidence ledger and written to the cryptographic inventory.
 */
export interface KeyCryptoRecord {
  /** The algorithm family. */
  readonly algorithm: KeyAlgorithm;
  /** The provider's own name for the key spec, e.g. `SYMMETRIC_DEFAULT`, `ML_DSA_65`, `PQ_SIGN_ML_DSA_65`, `RSA-HSM`. */
  readonly providerSpec: string;
  /**
   * Key size in bits (AES, HMAC, RSA; the curve's size for EC keys).
   * @default - none: the parameter set says it (ML-DSA, ML-KEM, SLH-DSA)
   */
  readonly sizeBits?: number;
  /**
   * The named parameter set or curve, in the standard's own spelling: `ML-DSA-65`, `ML-KEM-768`,
   * `SLH-DSA-SHA2-128s`, `P-256`, `secp256k1`, `Ed25519`.
   * @default - none (AES, HMAC, RSA)
   */
  readonly parameterSet?: string;
  /** What the key does. */
  readonly purpose: KeyPurpose;
  /**
   * Where the key material is protected, in the provider's own terms: AWS `Origin` (`AWS_KMS`, `EXTERNAL`,
   * `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`), Google `protection_level`, Azure `key_type` (`RSA-HSM`, `oct-HSM`).
   */
  readonly protectionLevel: string;
  /** The algorithms the provider lets the key be used with, in its own spelling (e.g. `ML_DSA_SHAKE_256`). */
  readonly operations: string[];
  /**
   * How often a new version of the key material is made, in days.
   * @default - no automatic rotation
   */
  readonly rotationDays?: number;
}

/** The NIST post-quantum security category of each parameter set (FIPS 203, 204, 205, section "Security strength"). */
const PQ_CATEGORY: Record<string, number> = {
  'ML-DSA-44': 2,
  'ML-DSA-65': 3,
  'ML-DSA-87': 5,
  'ML-KEM-512': 1,
  'ML-KEM-768': 3,
  'ML-KEM-1024': 5,
  // X-Wing (ML-KEM-768 + X25519, draft-connolly-cfrg-xwing-kem) keeps ML-KEM-768's strength against a quantum computer.
  'X-Wing': 3,
};

/**
 * The NIST security category (0 to 5) a key keeps against a quantum adversary: 0 for the public-key algorithms Shor's
 * algorithm breaks (RSA, elliptic curves, SM2), the category of the parameter set for ML-DSA, ML-KEM and SLH-DSA, and
 * for symmetric keys the category of AES with the same key length (Grover's search halves the bits: AES-128 is
 * category 1, AES-192 category 3, AES-256 category 5). CycloneDX's `nistQuantumSecurityLevel` takes this value.
 * @see https://csrc.nist.gov/projects/post-quantum-cryptography/post-quantum-cryptography-standardization/evaluation-criteria/security-(evaluation-criteria)
 */
export function nistQuantumSecurityLevel(crypto: KeyCryptoRecord): number {
  switch (crypto.algorithm) {
    case KeyAlgorithm.ML_DSA:
    case KeyAlgorithm.ML_KEM:
      return PQ_CATEGORY[crypto.parameterSet ?? ''] ?? 0;
    case KeyAlgorithm.SLH_DSA: {
      // SLH-DSA-{SHA2,SHAKE}-{128,192,256}{s,f}: the number is the category's AES key length.
      const bits = /-(128|192|256)[sf]$/.exec(crypto.parameterSet ?? '')?.[1];
      return bits === '256' ? 5 : bits === '192' ? 3 : bits === '128' ? 1 : 0;
    }
    case KeyAlgorithm.AES:
    case KeyAlgorithm.HMAC: {
      const size = crypto.sizeBits ?? 0;
      return size >= 256 ? 5 : size >= 192 ? 3 : size >= 128 ? 1 : 0;
    }
    default:
      return 0;
  }
}

/** Whether a quantum computer running Shor's algorithm breaks the key (category 0). */
export function isQuantumVulnerable(crypto: KeyCryptoRecord): boolean {
  return nistQuantumSecurityLevel(crypto) === 0;
}

/** Every algorithm family. */
export function allKeyAlgorithms(): KeyAlgorithm[] {
  return Object.values(KeyAlgorithm);
}
