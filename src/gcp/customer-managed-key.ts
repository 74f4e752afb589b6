import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { Construct } from 'constructs';
import { GcpCustodians, gcpAssignments } from './custodians';
import { IKeyAuditSink } from './key-audit-sink';
import { KeyRing } from './key-ring';
import { KeyAlgorithm, ProtectionLevel } from './key-spec';
import { checkModelAllowed } from '../core/checks';
import { CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { stableName } from '../core/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { bindKeyRole, createCryptoKey, recordGcpKeyEvidence } from './private/crypto-key';
import { checkKeyProps } from './private/input';
import { GcpKeySettings, resolveGcpKeySettings, RotationMode } from './private/key-settings';
import { checkDualControl, keyAssignments, keyRingFor, requireCustodians } from './private/keys';
import { ROLES, USER_ROLES } from './private/roles';

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
   * The algorithm; the purpose (ENCRYPT_DECRYPT, ASYMMETRIC_SIGN, ASYMMETRIC_DECRYPT, MAC) follows from it.
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

/**
 * Properties of a Google Cloud `CustomerManagedKey`.
 */
export interface CustomerManagedKeyProps extends GcpKeyOptions {
  /** Administrators, users, auditors (and, under dual control, approvers), as IAM members. */
  readonly custodians: GcpCustodians;

  /**
   * Where the key material lives. SOFTWARE only where the profile accepts FIPS 140 Level 1.
   * @default ProtectionLevel.HSM
   */
  readonly protectionLevel?: ProtectionLevel;
}

/**
 * The customer-managed model on Google Cloud: a Cloud HSM key (FIPS 140-2 Level 3) with automatic rotation within
 * the profile's limit (90 days by default, the CIS value), a 30-day destroy-scheduled period and `prevent_destroy` on
 * key and ring. Separation of duties by additive IAM bindings: administrators hold a key administrator custom role on the ring (just
 * in time under dual control), users the role their key's purpose needs on the key alone, auditors "Cloud KMS
 * Viewer" on the key. The same member as administrator and user is an error (CIS Google Cloud 1.11).
 */
export class CustomerManagedKey extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  public readonly keyRing: KeyRing;
  public readonly key: KmsCryptoKey;
  /** `projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`. */
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly settings: GcpKeySettings;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    checkKeyProps(props);
    const c = requireCustodians(this, props.custodians);
    if ((c.importers ?? []).length > 0) {
      throw new ValidationError(`custodians.importers applies only to ByokImport, got ${c.importers!.length} for ${this.node.path}`);
    }
    this.model = DeploymentModel.CUSTOMER_MANAGED;
    checkModelAllowed(props.profile ?? props.keyRing?.profile ?? ComplianceProfile.COMMERCIAL, this.model, this.node.path);
    const assignments = keyAssignments(c);
    SeparationOfDuties.check([...assignments, ...gcpAssignments(CustodianRole.APPROVER, 'custodians.approvers', c.approvers ?? [])], this.node.path);
    const level = props.protectionLevel ?? ProtectionLevel.HSM;
    if (level !== ProtectionLevel.HSM && level !== ProtectionLevel.SOFTWARE) {
      throw new ValidationError(`protectionLevel must be HSM or SOFTWARE for a CustomerManagedKey (external keys: HyokExternalStore), got ${shown(level)}`);
    }
    const ring = keyRingFor(this, props, c.approvers);
    this.settings = resolveGcpKeySettings(scope, id, {
      ...props, profile: props.profile ?? ring.profile, auditSink: props.auditSink ?? ring.auditSink,
    }, this.model, level, RotationMode.AUTOMATIC);
    this.profile = this.settings.profile;
    checkDualControl(this, ring);
    ring._checkSeparation(assignments, this.node.path);
    this.keyRing = ring;
    this.keyName = props.keyName ?? stableName(this, 'cmk-', 63, /[^a-z0-9_-]/g);
    this.key = createCryptoKey(this, ring, this.keyName, this.settings);
    this.keyId = this.key.id;

    c.administrators.forEach((a) => ring.addAdministrator(a, 'custodians.administrators'));
    const ledger = EvidenceLedger.of(this);
    assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    for (const u of c.users ?? []) this.bindUser(u);
    for (const a of c.auditors ?? []) bindKeyRole(this, this.key, ROLES.KMS_VIEWER, a, 'Auditor');
    recordGcpKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'CustomerManagedKey',
      model: this.model,
      settings: this.settings,
      holder: level === ProtectionLevel.HSM ? 'Cloud HSM key' : 'Cloud KMS software key',
      auditSink: props.auditSink ?? ring.auditSink,
      parent: ring.node.path,
      ring,
      separation: 'administrators hold the key administrator role on the key ring (no cryptographic use, no IAM changes); users a use-only role on this key; auditors Cloud KMS Viewer',
      dualControl: ring.dualControl ? 'key administration is just in time: each grant needs an approver and a justification (Privileged Access Manager)' : undefined,
    });
  }

  /** Lets a member encrypt and decrypt with this symmetric key ("Cloud KMS CryptoKey Encrypter/Decrypter" on the key). */
  public grantEncryptDecrypt(member: string): void {
    this.grantRole(member, ROLES.ENCRYPTER_DECRYPTER, 'ENCRYPT_DECRYPT');
  }

  /** Lets a member encrypt only ("Cloud KMS CryptoKey Encrypter" on the key). */
  public grantEncrypt(member: string): void {
    this.grantRole(member, ROLES.ENCRYPTER, 'ENCRYPT_DECRYPT');
  }

  /** Lets a member decrypt only ("Cloud KMS CryptoKey Decrypter" on the key). */
  public grantDecrypt(member: string): void {
    this.grantRole(member, ROLES.DECRYPTER, 'ENCRYPT_DECRYPT', 'ASYMMETRIC_DECRYPT');
  }

  /** Lets a member sign and verify (asymmetric signing or MAC keys). */
  public grantSignVerify(member: string): void {
    this.grantRole(member, ROLES.SIGNER_VERIFIER, 'ASYMMETRIC_SIGN', 'MAC');
  }

  private bindUser(member: string): void {
    for (const role of USER_ROLES[this.settings.purpose]) bindKeyRole(this, this.key, role, member, 'User');
  }

  private grantRole(member: string, role: string, ...purposes: string[]): void {
    if (!purposes.includes(this.settings.purpose)) {
      throw new ValidationError(`${role} does not fit ${this.node.path}: its purpose is ${this.settings.purpose}, the role needs ${purposes.join(' or ')}`);
    }
    const added = gcpAssignments(CustodianRole.USER, 'grantee', [member]);
    this.keyRing._checkSeparation(added, this.node.path);
    SeparationOfDuties.check([...EvidenceLedger.of(this).custodiansOf(this.node.path), ...added], this.node.path);
    added.forEach((a) => EvidenceLedger.of(this).addCustodian(this.node.path, a));
    bindKeyRole(this, this.key, role, member, 'Grant');
  }
}
