import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { Construct } from 'constructs';
import { GcpCustodians, gcpAssignments } from './custodians';
import { GcpKeyOptions } from './key-options';
import { KeyRing } from './key-ring';
import { ProtectionLevel } from './key-spec';
import { CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { checkCustodianKeyProps } from './private/custodian-checks';
import { recordGcpKeyEvidence, ringDualControl } from './private/key-evidence';
import { placeKey } from './private/key-location';
import { bindKeyCustodians, bindKeyRole, createCryptoKey } from './private/key-resource';
import { GcpKeySettings, RotationMode } from './private/key-settings';
import { ROLES } from './private/roles';

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
    this.model = DeploymentModel.CUSTOMER_MANAGED;
    const { custodians: c, assignments } = checkCustodianKeyProps(this, props, this.model, 'forbidden');
    const level = props.protectionLevel ?? ProtectionLevel.HSM;
    if (level !== ProtectionLevel.HSM && level !== ProtectionLevel.SOFTWARE) {
      throw new ValidationError(`protectionLevel must be HSM or SOFTWARE for a CustomerManagedKey (external keys: HyokExternalStore), got ${shown(level)}`);
    }
    const { ring, settings } = placeKey(this, props, c.approvers, assignments, this.model, level, RotationMode.AUTOMATIC);
    this.settings = settings;
    this.profile = settings.profile;
    this.keyRing = ring;
    this.keyName = props.keyName ?? stableName(this, 'cmk-', 63, /[^a-z0-9_-]/g);
    this.key = createCryptoKey(this, ring, this.keyName, settings);
    this.keyId = this.key.id;
    bindKeyCustodians(this, this.key, ring, c, assignments, settings.purpose);
    recordGcpKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'CustomerManagedKey',
      model: this.model,
      settings,
      holder: level === ProtectionLevel.HSM ? 'Cloud HSM key' : 'Cloud KMS software key',
      auditSink: props.auditSink ?? ring.auditSink,
      parent: ring.node.path,
      ring,
      separation: 'administrators hold the key administrator role on the key ring (no cryptographic use, no IAM changes); users a use-only role on this key; auditors Cloud KMS Viewer',
      dualControl: ringDualControl(ring),
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

  /**
   * Lets a member decapsulate with this KEY_ENCAPSULATION key (ML-KEM, X-Wing) and read its public key
   * ("Cloud KMS Decapsulator" and "Cloud KMS CryptoKey Public Key Viewer" on the key).
   * @see https://cloud.google.com/kms/docs/encapsulate-decapsulate
   */
  public grantDecapsulate(member: string): void {
    this.grantRole(member, ROLES.DECAPSULATOR, 'KEY_ENCAPSULATION');
    bindKeyRole(this, this.key, ROLES.PUBLIC_KEY_VIEWER, member, 'Grant');
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
