/*
 * The keys the library makes for its own use (its functions' log groups and dead-letter queues): in the ledger's
 * service-key list, so the cryptographic inventory lists them and the profile's algorithm rule and residency apply,
 * without the report holding them to every key control (they protect operational logs, not the customer's data).
 */
import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { awsKeyCrypto, checkKeyAlgorithmAllowed } from './key-crypto';
import { AWS_KMS_FIPS_LEVEL } from './key-settings';
import { stackRegions } from './residency';
import { DeploymentModel } from '../../core/deployment-model';
import { EvidenceLedger } from '../../core/evidence';
import { ComplianceProfile } from '../../core/profile';

/** A kms.Key with its defaults: a symmetric AES-256 key KMS generates, rotated every 365 days. */
const SPEC = 'SYMMETRIC_DEFAULT';
const USAGE = 'ENCRYPT_DECRYPT';
const KMS_DEFAULT_ROTATION_DAYS = 365;

/** Keys recorded under the default profile, because the construct that made them named none. */
const DEFAULTED = new WeakSet<kms.Key>();

/**
 * Records a service key, and refuses it under a profile that does not allow its algorithm. A key several constructs
 * share (one per stack) is checked against each one's profile; the record keeps the first profile named.
 *
 * @param profile the profile of the construct that uses the key (the library's default, COMMERCIAL, when none)
 */
export function recordServiceKey(key: kms.Key, constructName: string, profile: ComplianceProfile | undefined): void {
  const effective = profile ?? ComplianceProfile.COMMERCIAL;
  checkKeyAlgorithmAllowed(effective, SPEC, `the library's own key ${key.node.path}`);
  const ledger = EvidenceLedger.of(key);
  const recorded = ledger.serviceKeys.some((k) => k.path === key.node.path);
  if (!recorded) checkAtSynthesis(key, ledger);
  if (recorded && !(profile && DEFAULTED.has(key))) return;
  if (profile) DEFAULTED.delete(key); else DEFAULTED.add(key);
  ledger.registerServiceKey({
    path: key.node.path,
    stack: Stack.of(key).node.path,
    cloud: 'aws',
    constructName,
    model: DeploymentModel.CUSTOMER_MANAGED,
    profile: effective,
    fipsLevel: AWS_KMS_FIPS_LEVEL,
    crypto: awsKeyCrypto({ keySpec: SPEC, keyUsage: USAGE, origin: 'AWS_KMS', rotationDays: KMS_DEFAULT_ROTATION_DAYS }),
    regions: stackRegions(key),
  });
}

/**
 * The shared log key is also made for constructs that pass no profile (the custom-resource providers of a profiled
 * key): at synthesis, every profile of the keys in the same stack must allow its algorithm too.
 */
function checkAtSynthesis(key: kms.Key, ledger: EvidenceLedger): void {
  const stack = Stack.of(key).node.path;
  key.node.addValidation({
    validate: () => {
      const profiles = new Map(ledger.keys.filter((k) => k.stack === stack).map((k) => [k.profile.name, k.profile]));
      const errors: string[] = [];
      for (const profile of profiles.values()) {
        try {
          checkKeyAlgorithmAllowed(profile, SPEC, `the library's own key ${key.node.path}`);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      return errors;
    },
  });
}
