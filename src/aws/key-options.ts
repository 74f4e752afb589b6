import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyCustodians } from './custodians';
import type { DualControlGate } from './dual-control-gate';
import type { IKeyAuditSink } from './key-audit-sink-types';
import { ComplianceProfile } from '../core/profile';

/**
 * Options shared by the AWS keys whose key policy is the only authority (`CustomerManagedKey`, `ByokImport`).
 */
export interface AwsKeyOptions {
  /**
   * Who administers, uses, audits and (under dual control) approves destructive operations on the key; for a
   * `ByokImport`, also the importers who alone may bring in key material.
   */
  readonly custodians: KeyCustodians;

  /**
   * The compliance profile the key must satisfy; it must allow the construct's deployment model.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where key events are recorded and alarmed; it also receives a `ByokImport`'s rotation and expiry reminders.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Waiting period before a key scheduled for deletion is deleted: 7 to 30 days, at least the profile's minimum.
   * @default Duration.days(30)
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html#deleting-keys-scheduling-key-deletion
   */
  readonly deletionWindow?: Duration;

  /**
   * Key spec; its algorithm family must be one the profile allows (`allowedKeyAlgorithms`). ML_DSA_44, ML_DSA_65 and
   * ML_DSA_87 are post-quantum (FIPS 204) signing keys: SIGN_VERIFY only, signing with ML_DSA_SHAKE_256, which the key
   * policy pins (`kms:SigningAlgorithm`). For a `ByokImport`, the spec of the material to import (symmetric, RSA, ECC,
   * SM2 or HMAC; not ML-DSA or Ed25519).
   * @default KeySpec.SYMMETRIC_DEFAULT
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/mldsa.html
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * Key usage.
   * @default - ENCRYPT_DECRYPT for symmetric and RSA keys, GENERATE_VERIFY_MAC for HMAC keys, SIGN_VERIFY for the rest
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Create a multi-Region primary key (for a `ByokImport`, import the same material into each replica).
   * @default false
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
   */
  readonly multiRegion?: boolean;

  /**
   * Under dual control: the gate whose executor alone may change the key's policy, disable, delete or replicate the
   * key, move its aliases, and (for a `ByokImport`) import or delete its material.
   * @default - DualControlGate.of(stack), shared by the stack's dual-control keys
   */
  readonly dualControlGate?: DualControlGate;

  /**
   * Aliases for the key; `alias/` is added when missing. `alias/aws/` is reserved.
   * @default - none
   */
  readonly aliases?: string[];

  /**
   * Key description.
   * @default - the deployment model, profile and construct path
   */
  readonly description?: string;

  /**
   * What happens to the key when it leaves the stack. Under dual control only RETAIN is allowed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The principal CloudFormation uses to create and update the key. KMS refuses a key policy that would lock
   * this principal out (the policy lockout safety check), and CloudFormation needs it for later updates.
   * @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
   */
  readonly deploymentPrincipal?: iam.IPrincipal;
}
