/*
 * What an Azure Key Vault or Managed HSM key is cryptographically, in the core's cloud-neutral terms
 * (`KeyCryptoRecord`), and which algorithm families Azure can make at all. Azure keys are RSA, EC or (Managed HSM,
 * premium vaults in preview) oct AES keys; there are no post-quantum key types.
 * @see https://learn.microsoft.com/azure/key-vault/keys/about-keys
 * @see https://learn.microsoft.com/azure/key-vault/keys/about-keys-details
 */
import { KeyAlgorithm as Family, KeyCryptoRecord, KeyPurpose } from '../../core/key-algorithm';
import { ComplianceProfile } from '../../core/profile';
import { ValidationError } from '../../core/validation';
import { KeySpec, KeyUsage } from '../key-spec';

/** The algorithm families Azure Key Vault and Managed HSM keys can have. */
export const AZURE_KEY_FAMILIES: readonly Family[] = [Family.RSA, Family.EC, Family.AES];

const POST_QUANTUM: readonly Family[] = [Family.ML_DSA, Family.SLH_DSA, Family.ML_KEM];

/** Standard spellings of the curves (`crv`) Azure names. */
const CURVES: Record<string, { parameterSet: string; sizeBits: number }> = {
  'P-256': { parameterSet: 'P-256', sizeBits: 256 },
  'P-256K': { parameterSet: 'secp256k1', sizeBits: 256 },
  'P-384': { parameterSet: 'P-384', sizeBits: 384 },
  'P-521': { parameterSet: 'P-521', sizeBits: 521 },
};

/** The family of an Azure `key_type` (`RSA`, `RSA-HSM`, `EC`, `EC-HSM`, `oct`, `oct-HSM`), undefined when Azure has no such type. */
export function azureKeyTypeFamily(keyType: string): Family | undefined {
  const base = keyType.replace(/-HSM$/, '');
  return base === 'RSA' ? Family.RSA : base === 'EC' ? Family.EC : base === 'oct' ? Family.AES : undefined;
}

/** The family of a key spec this library offers. */
export function azureKeySpecFamily(spec: KeySpec): Family {
  return spec.startsWith('EC_') ? Family.EC : Family.RSA;
}

/**
 * A key the profile's algorithm rule lets Azure make: the profile must allow a family Azure has (a profile of only
 * post-quantum families cannot be met on Azure at all), and the key's own family.
 */
export function checkAzureKeyAlgorithm(profile: ComplianceProfile, spec: KeySpec, subject: string): void {
  if (!AZURE_KEY_FAMILIES.some((f) => profile.allowsKeyAlgorithm(f))) {
    const pq = profile.allowedKeyAlgorithms.filter((f) => POST_QUANTUM.includes(f));
    throw new ValidationError(`profile ${profile.name} allows only ${profile.allowedKeyAlgorithms.join(', ')}, which Azure cannot make for ${subject}: ` +
      `Azure Key Vault and Managed HSM keys are ${AZURE_KEY_FAMILIES.join(', ')}${pq.length > 0 ? `; Azure has no post-quantum keys (${pq.join(', ')})` : ''}`);
  }
  const family = azureKeySpecFamily(spec);
  if (!profile.allowsKeyAlgorithm(family)) {
    throw new ValidationError(`keySpec ${spec} is ${family}, which profile ${profile.name} does not allow for ${subject} (allowed: ${profile.allowedKeyAlgorithms.join(', ')})`);
  }
}

/** Whether a key spec value names a post-quantum algorithm (ML-DSA, SLH-DSA, ML-KEM), which Azure has not. */
export function namesPostQuantum(value: unknown): boolean {
  return typeof value === 'string' && /^(PQ_|ML_?DSA|ML_?KEM|SLH_?DSA|KEM_)/i.test(value);
}

/** What a resolved Azure key records. */
export interface AzureCryptoInput {
  readonly keyType: string;
  readonly keySize?: number;
  readonly curve?: string;
  readonly keyUsage: KeyUsage;
  readonly keyOpts: string[];
  readonly rotationDays?: number;
}

/**
 * The crypto record of an Azure key. `providerSpec` is the `key_type` with its size or curve (`RSA-HSM 3072`,
 * `EC-HSM P-384`); `operations` are its `key_opts`, the operations Azure lets the key perform (the JOSE algorithm is
 * chosen per call).
 */
export function azureKeyCrypto(k: AzureCryptoInput): KeyCryptoRecord {
  const family = azureKeyTypeFamily(k.keyType);
  if (family === undefined) throw new ValidationError(`key_type must be RSA, EC or oct (with or without -HSM), got ${k.keyType}`);
  const curve = k.curve !== undefined ? CURVES[k.curve] : undefined;
  return {
    algorithm: family,
    providerSpec: `${k.keyType} ${k.curve ?? k.keySize}`,
    ...(curve ? { sizeBits: curve.sizeBits, parameterSet: curve.parameterSet } : k.keySize !== undefined ? { sizeBits: k.keySize } : {}),
    purpose: k.keyUsage === KeyUsage.SIGN_VERIFY ? KeyPurpose.SIGN_VERIFY : KeyPurpose.ENCRYPT_DECRYPT,
    protectionLevel: k.keyType,
    operations: [...k.keyOpts],
    ...(k.rotationDays !== undefined ? { rotationDays: k.rotationDays } : {}),
  };
}
