import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsKeyRingImportJob } from '@cdktf/provider-google/lib/kms-key-ring-import-job';
import { TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { GcpCustodians } from './custodians';
import { GcpKeyOptions } from './key-options';
import { KeyRing } from './key-ring';
import { ProtectionLevel } from './key-spec';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { IMPORTER_CONTROLS } from '../core/key-evidence';
import { stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { requireMatch, shown, ValidationError } from '../core/validation';
import { checkCustodianKeyProps } from './private/custodian-checks';
import { requireKmsName } from './private/input';
import { recordGcpKeyEvidence, ringDualControl } from './private/key-evidence';
import { placeKey } from './private/key-location';
import { bindKeyCustodians, createCryptoKey } from './private/key-resource';
import { describeRotationBound, GcpKeySettings, RotationMode } from './private/key-settings';

/**
 * How the key material is wrapped for import (what `cloud-kms byok wrap --algorithm` takes).
 * @see https://cloud.google.com/kms/docs/key-wrapping
 */
export enum ImportMethod {
  RSA_OAEP_3072_SHA256_AES_256 = 'RSA_OAEP_3072_SHA256_AES_256',
  RSA_OAEP_4096_SHA256_AES_256 = 'RSA_OAEP_4096_SHA256_AES_256',
}

/**
 * Properties of a Google Cloud `ByokImport`.
 */
export interface ByokImportProps extends GcpKeyOptions {
  /** Administrators, users, auditors and the importers, as IAM members. */
  readonly custodians: GcpCustodians;

  /**
   * The import job's wrapping method.
   * @default ImportMethod.RSA_OAEP_4096_SHA256_AES_256
   */
  readonly importMethod?: ImportMethod;

  /**
   * Id of the import job. An import job expires three days after creation; to import again later, change the id and
   * deploy (a new job replaces it).
   * @default - derived from the construct path
   */
  readonly importJobId?: string;
}

/**
 * Bring your own key on Google Cloud: an HSM import job (RSA-OAEP-3072/4096 with SHA-256 and AES-256 key wrap) and an
 * HSM key with `import_only` and no initial version, so the only versions it ever has are the customer's. Importers
 * hold "Cloud KMS Importer" on the key ring; everyone else as in `CustomerManagedKey`. The job's public key is a
 * Terraform output for `cloud-kms byok wrap`, and `cloud-kms byok gcp import` imports the wrapped material.
 */
export class ByokImport extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  public readonly keyRing: KeyRing;
  public readonly key: KmsCryptoKey;
  public readonly keyId: string;
  public readonly keyName: string;
  public readonly importJob: KmsKeyRingImportJob;
  /** `projects/.../keyRings/<ring>/importJobs/<id>`. */
  public readonly importJobId: string;
  /** The import job's wrapping public key (PEM). */
  public readonly importJobPublicKey: string;

  constructor(scope: Construct, id: string, props: ByokImportProps) {
    super(scope, id);
    this.model = DeploymentModel.BYOK;
    const { custodians: c, assignments } = checkCustodianKeyProps(this, props, this.model, 'required');
    const importMethod = props.importMethod ?? ImportMethod.RSA_OAEP_4096_SHA256_AES_256;
    if (!Object.values(ImportMethod).includes(importMethod)) {
      throw new ValidationError(`importMethod must be one of ${Object.values(ImportMethod).join(', ')}, got ${shown(importMethod)}`);
    }
    const jobId = props.importJobId ?? stableName(this, 'import-', 63, /[^a-z0-9_-]/g);
    requireKmsName('importJobId', jobId);
    if (!Token.isUnresolved(jobId)) requireMatch('importJobId', jobId, /^[a-zA-Z0-9_-]{1,63}$/, '1 to 63 letters, digits, hyphens and underscores');

    const { ring, settings } = placeKey(this, props, c.approvers, assignments, this.model, ProtectionLevel.HSM, RotationMode.MANUAL);
    this.profile = settings.profile;
    this.keyRing = ring;
    this.keyName = props.keyName ?? stableName(this, 'byok-', 63, /[^a-z0-9_-]/g);
    this.key = createCryptoKey(this, ring, this.keyName, settings, { importOnly: true, skipInitialVersionCreation: true });
    this.keyId = this.key.id;
    this.importJob = new KmsKeyRingImportJob(this, 'ImportJob', {
      keyRing: ring.keyRingId,
      importJobId: jobId,
      importMethod,
      protectionLevel: ProtectionLevel.HSM,
    });
    this.importJobId = this.importJob.id;
    this.importJobPublicKey = this.importJob.publicKey.get(0).pem;
    bindKeyCustodians(this, this.key, ring, c, assignments, settings.purpose, c.importers);
    this.createOutputs(importMethod, settings);
    this.recordEvidence(props, ring, settings, c.importers ?? []);
  }

  /** What the ceremony needs: the job's wrapping key and the import command (`cloud-kms byok wrap`, `byok gcp import`). */
  private createOutputs(importMethod: ImportMethod, settings: GcpKeySettings): void {
    new TerraformOutput(this, 'ImportJobPublicKey', {
      value: this.importJobPublicKey,
      description: `Wrapping public key of ${this.node.path} (valid until the job expires, three days after creation): cloud-kms byok wrap --public-key <file> --algorithm ${importMethod}`,
    });
    new TerraformOutput(this, 'ImportCommand', {
      value: `cloud-kms byok gcp import --key ${this.key.id} --import-job ${this.importJob.id} --algorithm ${settings.algorithm} --wrapped-key <file>`,
      description: `Imports the wrapped key into ${this.node.path} (run by an importer)`,
    });
  }

  private recordEvidence(props: ByokImportProps, ring: KeyRing, settings: GcpKeySettings, importers: string[]): void {
    recordGcpKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'ByokImport',
      model: this.model,
      settings,
      holder: 'customer-generated key imported into Cloud HSM',
      auditSink: props.auditSink ?? ring.auditSink,
      parent: ring.node.path,
      ring,
      separation: 'administrators hold the key administrator role on the key ring (no cryptographic use, no IAM changes); importers Cloud KMS Importer; users a use-only role on this key; auditors Cloud KMS Viewer',
      dualControl: ringDualControl(ring),
      manualRotation: {
        setting: 'import_only',
        value: `every ${settings.rotationText} days`,
        description: `rotated by importing a new version with cloud-kms byok gcp import every ${settings.rotationText} days${describeRotationBound(settings)} and making it primary; Cloud KMS cannot rotate imported keys`,
      },
    });
    // Who may import is access to the key material itself (PCI DSS 3.6.1.3) and a duty of its own (NIST AC-5).
    for (const control of IMPORTER_CONTROLS) {
      EvidenceLedger.of(this).record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: this.importJob.node.path,
        setting: 'roles/cloudkms.importer',
        value: importers.join(', '),
        description: `only the ${importers.length} named importers may use the import job`,
      });
    }
  }
}
