import type { IKeyAuditSink } from './key-audit-sink';
import type { KeyRing } from './key-ring';
import { KeyAlgorithm } from './key-spec';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';

/**
 * Options shared by the Google Cloud key constructs.
 */
export interface GcpKeyOptions {
  /** The project of the key (and of the key ring the construct creates). */
  readonly project: string;
  /** Cloud KMS location, e.g. `europe-west1`, `us`, `global`. */
  readonly location: string;

  /**
   * The compliance profile the key must satisfy.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * The audit sink of the key's project.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * An existing key ring to put the key in (its administrators administer this key too).
   * @default - a new key ring
   */
  readonly keyRing?: KeyRing;

  /**
   * Name of the key ring the construct creates.
   * @default - derived from the construct path
   */
  readonly keyRingName?: string;

  /**
   * Name of the key (1–63 letters, digits, hyphens and underscores).
   * @default - derived from the construct path
   */
  readonly keyName?: string;

  /**
   * The algorithm; the purpose (ENCRYPT_DECRYPT, ASYMMETRIC_SIGN, ASYMMETRIC_DECRYPT, MAC, KEY_ENCAPSULATION) follows from it.
   * It must be of a family the profile's `allowedKeyAlgorithms` allows; post-quantum algorithms need SOFTWARE keys.
   * @default KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION
   */
  readonly algorithm?: KeyAlgorithm;

  /**
   * How often Cloud KMS makes a new primary version (symmetric keys; at least a day, at most the profile's limit).
   * For other keys, the period within which custodians must add a version. May be `Period.days(tfVar.numberValue)`
   * (or hours, minutes, seconds) of a `TerraformVariable`: the construct adds a `validation` to the variable that holds
   * it to whole units from 1 day to the profile's limit at plan time, and `rotation_period` becomes the Terraform
   * expression `"${var.x * 86400}s"`; any other token is refused.
   * @default - 90 days (CIS Google Cloud 1.10), or the profile's limit if shorter
   * @see https://cloud.google.com/kms/docs/key-rotation
   */
  readonly rotation?: Period;

  /**
   * How long a version scheduled for destruction stays restorable: 1 to 120 days, a literal period (a token is
   * refused: Cloud KMS fixes it at creation, and it is checked against the profile's minimum deletion window first).
   * @default Period.days(30)
   * @see https://cloud.google.com/kms/docs/destroy-restore
   */
  readonly destroyScheduledDuration?: Period;

  /**
   * Labels on the key.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * The IAM member Terraform runs as (a service account, usually). It creates the IAM bindings of the key ring and its
   * keys, so it can change who may use them: it is recorded as the keys' deployment custodian and kept apart from users
   * and auditors. With a shared `keyRing`, set it on the ring.
   * @default - recorded as "the identity Terraform runs as", unnamed
   */
  readonly deploymentPrincipal?: string;
}
