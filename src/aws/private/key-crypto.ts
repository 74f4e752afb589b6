/*
 * A KMS key's cryptography from its settings: the spec and usage checks KMS would otherwise make at deploy time, the
 * profile's algorithm rule, the core crypto record every AWS key's evidence carries, and the signing algorithms its
 * key policy pins. The facts themselves are the table in ../key-specs.ts.
 */
import { KeyAlgorithm, KeyCryptoRecord, KeyPurpose } from '../../core/key-algorithm';
import { ComplianceProfile } from '../../core/profile';
import { shown, ValidationError } from '../../core/validation';
import { AwsKeySpecFacts, keySpecFacts } from '../key-specs';

/** The usages KMS allows for each spec, for messages. */
function usagesOf(facts: AwsKeySpecFacts): string {
  return Object.keys(facts.usages).join(' or ');
}

function factsOf(keySpec: string): AwsKeySpecFacts {
  const facts = keySpecFacts(keySpec);
  if (!facts) throw new ValidationError(`keySpec must be a kms.KeySpec value, got ${shown(keySpec)}`);
  return facts;
}

/**
 * Refuses a key usage KMS does not offer for the spec (aws-cdk-lib misses some, such as Ed25519 with ENCRYPT_DECRYPT,
 * and CreateKey would fail at deploy time).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-KeyUsage
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html (ML-DSA keys: SIGN_VERIFY only)
 */
export function checkKeySpecUsage(keySpec: string, keyUsage: string): void {
  const facts = factsOf(keySpec);
  if (!(keyUsage in facts.usages)) {
    throw new ValidationError(`keyUsage must be ${usagesOf(facts)} for keySpec ${keySpec} (KMS offers no other), got ${shown(keyUsage)}`);
  }
}

/** The profile's algorithm rule: the spec's family must be one the profile allows. */
export function checkKeyAlgorithmAllowed(profile: ComplianceProfile, keySpec: string, subject: string): void {
  const algorithm = factsOf(keySpec).algorithm;
  if (!profile.allowsKeyAlgorithm(algorithm)) {
    throw new ValidationError(`keySpec ${keySpec} (${algorithm}) is not allowed by profile ${profile.name} for ${subject}, ` +
      `which allows ${profile.allowedKeyAlgorithms.join(', ')}`);
  }
}

/**
 * Refuses the specs ByokImport does not import: ML-DSA and Ed25519. KMS's import requirements describe the material of
 * symmetric, HMAC, RSA, NIST and SECG elliptic-curve and SM2 keys; nothing checked here (the requirements page, the
 * ImportKeyMaterial reference) documents how ML-DSA or Ed25519 private keys are to be encoded for import, so a key of
 * those specs would stay in PendingImport. Refused at synthesis, naming the page to check should KMS add them.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html#importing-keys-material-requirements
 */
export function checkImportableKeySpec(keySpec: string, subject: string): void {
  const algorithm = factsOf(keySpec).algorithm;
  if (algorithm === KeyAlgorithm.ML_DSA || algorithm === KeyAlgorithm.EDDSA) {
    throw new ValidationError('keySpec must be a spec ByokImport can import (symmetric, HMAC, RSA, ECC_NIST_P*, ECC_SECG_P256K1 or SM2) ' +
      `for ${subject}, got ${keySpec}: the KMS import requirements describe no ${algorithm === KeyAlgorithm.ML_DSA ? 'ML-DSA' : 'Ed25519'} ` +
      'key material (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html#importing-keys-material-requirements); ' +
      'use CustomerManagedKey for a key KMS generates');
  }
}

/**
 * The signing algorithms the key policy allows, for specs where the policy names them: ML-DSA (ML_DSA_SHAKE_256). KMS
 * refuses other algorithms for these keys itself; the policy says so too, so a reviewer or the access matrix sees that no
 * principal can sign otherwise even if KMS later adds one (say a pre-hash HashML-DSA) to the spec.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-signing-algorithm
 */
export function pinnedSigningAlgorithms(keySpec: string, keyUsage: string): string[] | undefined {
  const facts = factsOf(keySpec);
  if (facts.algorithm !== KeyAlgorithm.ML_DSA || keyUsage !== 'SIGN_VERIFY') return undefined;
  return [...facts.usages.SIGN_VERIFY];
}

/** What the crypto record is built from. */
export interface AwsKeyCryptoInput {
  readonly keySpec: string;
  readonly keyUsage: string;
  /** The key's Origin (AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE). */
  readonly origin: string;
  /** Automatic rotation period in days; undefined when KMS does not rotate the key. */
  readonly rotationDays?: number;
}

/** The core crypto record of a KMS key. */
export function awsKeyCrypto(input: AwsKeyCryptoInput): KeyCryptoRecord {
  const facts = factsOf(input.keySpec);
  checkKeySpecUsage(input.keySpec, input.keyUsage);
  return {
    algorithm: facts.algorithm,
    providerSpec: input.keySpec,
    sizeBits: facts.sizeBits,
    parameterSet: facts.parameterSet,
    purpose: input.keyUsage as KeyPurpose,
    protectionLevel: input.origin,
    operations: [...facts.usages[input.keyUsage]],
    rotationDays: input.rotationDays,
  };
}
