/*
 * What each AWS KMS key spec is, cryptographically, and which algorithms KMS offers it for each key usage: the one table
 * the constructs (spec and usage checks, the profile's algorithm rule, the evidence's crypto record) and the rule pack
 * (a template's KeySpec against its key's profile) read. Free of aws-cdk-lib: the rule pack and the cloud-kms CLI,
 * installed without peers, read it. Outside private/ for the same reason as key-policy-actions.ts; not exported from the
 * package (src/aws/index.ts leaves it out): an internal contract.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-KeyUsage
 */
import { KeyAlgorithm } from '../core/key-algorithm';

/** One key spec: its algorithm family, size or parameter set, and the KMS algorithms of each usage it allows. */
export interface AwsKeySpecFacts {
  readonly algorithm: KeyAlgorithm;
  /** Key size in bits (AES, HMAC, RSA; the curve's size for elliptic curves). */
  readonly sizeBits?: number;
  /** The parameter set or curve, in the standard's spelling. */
  readonly parameterSet?: string;
  /** Key usage -> the encryption, signing, MAC or key agreement algorithms KMS offers for it (KMS's own spelling). */
  readonly usages: { readonly [usage: string]: readonly string[] };
}

const RSA_USAGES = {
  ENCRYPT_DECRYPT: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
  SIGN_VERIFY: ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
    'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'],
};

/** ML-DSA keys sign only, with one algorithm, over RAW messages (up to 4 KB) or an externally computed mu (EXTERNAL_MU). */
const ML_DSA_USAGES = { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] };

/**
 * Every key spec KMS offers. SYMMETRIC_DEFAULT is AES-256-GCM outside the China Regions (SM4 there, which this library
 * does not target).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html
 */
export const AWS_KEY_SPECS: { readonly [spec: string]: AwsKeySpecFacts } = {
  SYMMETRIC_DEFAULT: { algorithm: KeyAlgorithm.AES, sizeBits: 256, usages: { ENCRYPT_DECRYPT: ['SYMMETRIC_DEFAULT'] } },
  HMAC_224: { algorithm: KeyAlgorithm.HMAC, sizeBits: 224, usages: { GENERATE_VERIFY_MAC: ['HMAC_SHA_224'] } },
  HMAC_256: { algorithm: KeyAlgorithm.HMAC, sizeBits: 256, usages: { GENERATE_VERIFY_MAC: ['HMAC_SHA_256'] } },
  HMAC_384: { algorithm: KeyAlgorithm.HMAC, sizeBits: 384, usages: { GENERATE_VERIFY_MAC: ['HMAC_SHA_384'] } },
  HMAC_512: { algorithm: KeyAlgorithm.HMAC, sizeBits: 512, usages: { GENERATE_VERIFY_MAC: ['HMAC_SHA_512'] } },
  RSA_2048: { algorithm: KeyAlgorithm.RSA, sizeBits: 2048, usages: RSA_USAGES },
  RSA_3072: { algorithm: KeyAlgorithm.RSA, sizeBits: 3072, usages: RSA_USAGES },
  RSA_4096: { algorithm: KeyAlgorithm.RSA, sizeBits: 4096, usages: RSA_USAGES },
  ECC_NIST_P256: { algorithm: KeyAlgorithm.EC, sizeBits: 256, parameterSet: 'P-256', usages: { SIGN_VERIFY: ['ECDSA_SHA_256'], KEY_AGREEMENT: ['ECDH'] } },
  ECC_NIST_P384: { algorithm: KeyAlgorithm.EC, sizeBits: 384, parameterSet: 'P-384', usages: { SIGN_VERIFY: ['ECDSA_SHA_384'], KEY_AGREEMENT: ['ECDH'] } },
  ECC_NIST_P521: { algorithm: KeyAlgorithm.EC, sizeBits: 521, parameterSet: 'P-521', usages: { SIGN_VERIFY: ['ECDSA_SHA_512'], KEY_AGREEMENT: ['ECDH'] } },
  ECC_SECG_P256K1: { algorithm: KeyAlgorithm.EC, sizeBits: 256, parameterSet: 'secp256k1', usages: { SIGN_VERIFY: ['ECDSA_SHA_256'] } },
  // Ed25519 signs only: ED25519_SHA_512 over RAW messages, ED25519_PH_SHA_512 over DIGEST ones.
  ECC_NIST_EDWARDS25519: {
    algorithm: KeyAlgorithm.EDDSA, sizeBits: 256, parameterSet: 'Ed25519', usages: { SIGN_VERIFY: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  },
  SM2: { algorithm: KeyAlgorithm.SM2, sizeBits: 256, parameterSet: 'SM2', usages: { ENCRYPT_DECRYPT: ['SM2PKE'], SIGN_VERIFY: ['SM2DSA'], KEY_AGREEMENT: ['ECDH'] } },
  ML_DSA_44: { algorithm: KeyAlgorithm.ML_DSA, parameterSet: 'ML-DSA-44', usages: ML_DSA_USAGES },
  ML_DSA_65: { algorithm: KeyAlgorithm.ML_DSA, parameterSet: 'ML-DSA-65', usages: ML_DSA_USAGES },
  ML_DSA_87: { algorithm: KeyAlgorithm.ML_DSA, parameterSet: 'ML-DSA-87', usages: ML_DSA_USAGES },
};

/** The facts of a key spec as a template writes it; undefined for a spec KMS does not list (or an intrinsic). */
export function keySpecFacts(spec: unknown): AwsKeySpecFacts | undefined {
  return typeof spec === 'string' && Object.prototype.hasOwnProperty.call(AWS_KEY_SPECS, spec) ? AWS_KEY_SPECS[spec] : undefined;
}
