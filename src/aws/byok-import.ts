import { CfnOutput, Duration, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KEY_MATERIAL_EXPIRY_TAG, WRAPPING_ALGORITHM_TAG } from './byok-tags';
import { IKeyAuditSink } from './key-audit-sink-types';
import { AwsKeyOptions } from './key-options';
import { ReplicaKey, ReplicaKeyOptions } from './replica-key';
import { Control } from '../core/controls';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { IMPORTER_CONTROLS } from '../core/key-evidence';
import { ComplianceProfile } from '../core/profile';
import { days, requireRange, shown, ValidationError } from '../core/validation';
import { acknowledgeRules } from './private/acknowledge';
import { CustodianKeyBase } from './private/custodian-key';
import { CustodianPolicy, defaultUsage } from './private/custodian-policy';
import { checkKeyShape, literalDuration, requireProps } from './private/input';
import { checkImportableKeySpec } from './private/key-crypto';
import { recordKeyEvidence } from './private/key-evidence';
import { applyUnresolvedSettings, AWS_KMS_FIPS_LEVEL, KeySettings, lifecycleProps, resolveKeySettings } from './private/key-settings';
import { addRotationReminder } from './private/reminders';

/**
 * How imported key material is wrapped for transport to KMS.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-get-public-key-and-token.html
 */
export enum ImportWrappingAlgorithm {
  /** RSA-OAEP with SHA-256: for symmetric and HMAC key material. */
  RSAES_OAEP_SHA_256 = 'RSAES_OAEP_SHA_256',
  /** RSA-OAEP (SHA-256) wrapped AES-256 key plus AES key wrap with padding: required for asymmetric private keys. */
  RSA_AES_KEY_WRAP_SHA_256 = 'RSA_AES_KEY_WRAP_SHA_256',
}

/**
 * Whether imported key material expires. Expiring material deletes itself at the date, which forces a
 * re-import (and so a rotation) on schedule; KMS then emits a `KMS Imported Key Material Expiration` event.
 */
export class KeyMaterialExpiry {
  /** The material stays until deleted. */
  public static doesNotExpire(): KeyMaterialExpiry {
    return new KeyMaterialExpiry(undefined, undefined);
  }

  /**
   * The material expires at `date`; the audit sink's topic is told `warnBefore` ahead (default 30 days).
   */
  public static expiresAt(date: Date, warnBefore?: Duration): KeyMaterialExpiry {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw new ValidationError(`keyMaterialExpiry date must be a valid Date, got ${shown(date instanceof Date ? String(date) : date)}`);
    }
    literalDuration('keyMaterialExpiry warnBefore', warnBefore);
    return new KeyMaterialExpiry(date, warnBefore ?? Duration.days(30));
  }

  private constructor(
    /** When the material expires, if it does. */
    public readonly validTo: Date | undefined,
    /** How long before expiry the warning is sent. */
    public readonly warnBefore: Duration | undefined,
  ) {}

  /** `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`, as KMS names it. */
  public get expirationModel(): string {
    return this.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  }
}

/**
 * Properties of a `ByokImport` key.
 */
export interface ByokImportProps extends AwsKeyOptions {
  /** Whether the imported material expires: a deliberate choice, so there is no default. */
  readonly keyMaterialExpiry: KeyMaterialExpiry;

  /**
   * How often the material must be rotated (re-imported). KMS cannot rotate imported material automatically,
   * so the audit sink's topic gets a reminder at this interval.
   * @default - the profile's longest rotation period
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html#rotate-keys-on-demand
   */
  readonly rotationReminder?: Duration;

  /**
   * How the CLI wraps the material for transport.
   * @default - RSAES_OAEP_SHA_256 for symmetric and HMAC keys, RSA_AES_KEY_WRAP_SHA_256 for asymmetric keys
   */
  readonly wrappingAlgorithm?: ImportWrappingAlgorithm;
}

/**
 * Bring your own key: a KMS key with `Origin: EXTERNAL` (no key material) whose material the customer
 * generates and imports with the `cloud-kms byok aws` ceremony. Plaintext material never passes through
 * CloudFormation, an asset, an output or a log.
 *
 * The key policy is the separation-of-duties policy of `CustomerManagedKey`, plus importers who may only fetch
 * import parameters, import and delete imported material (with MFA under dual control). The key stays in
 * `PendingImport` until the first import.
 */
export class ByokImport extends CustodianKeyBase {
  /** The deployment model: BYOK. */
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  public readonly auditSink?: IKeyAuditSink;
  public readonly keyMaterialExpiry: KeyMaterialExpiry;
  public readonly wrappingAlgorithm: ImportWrappingAlgorithm;
  /** How often the material must be re-imported, in days. */
  public readonly rotationReminderDays: number;

  constructor(scope: Construct, id: string, props: ByokImportProps) {
    requireProps(props, 'ByokImport');
    const input = checkImportInput(scope, id, props);
    const { subject, settings } = input;
    const custodianPolicy = new CustodianPolicy(scope, {
      subject,
      profile: settings.profile,
      custodians: props.custodians,
      importersRequired: true,
      deploymentPrincipal: props.deploymentPrincipal,
      deployerDescription: 'the principal CloudFormation deploys the key with',
      keySpec: input.keySpec,
      keyUsage: input.keyUsage,
      delegateToIam: false,
      removalPolicy: settings.removalPolicy,
      dualControlGate: props.dualControlGate,
    });
    super(scope, id, {
      description: props.description ?? `${DeploymentModel.BYOK.title} under profile ${settings.profile.name} (${subject})`,
      keySpec: input.keySpec,
      keyUsage: input.keyUsage,
      multiRegion: props.multiRegion,
      ...lifecycleProps(settings),
    }, custodianPolicy);
    applyUnresolvedSettings(this, settings);
    (this.node.defaultChild as kms.CfnKey).origin = 'EXTERNAL';

    this.model = DeploymentModel.BYOK;
    this.profile = settings.profile;
    this.auditSink = props.auditSink;
    this.keyMaterialExpiry = input.expiry;
    this.wrappingAlgorithm = input.wrapping;
    this.rotationReminderDays = input.reminderDays;
    for (const alias of settings.aliases) {
      this.addAlias(alias);
    }
    this.addImportHandles(subject);
    this.addReminders(subject);
    this._replication = {
      key: this,
      constructName: 'ByokImport',
      model: this.model,
      settings,
      custodianPolicy,
      multiRegion: props.multiRegion === true,
      importedMaterial: true,
      ceremonyTags: {
        [KEY_MATERIAL_EXPIRY_TAG]: input.expiry.validTo ? input.expiry.validTo.toISOString() : 'none',
        [WRAPPING_ALGORITHM_TAG]: this.wrappingAlgorithm,
      },
    };
    this.recordEvidence(settings, custodianPolicy, (props.custodians.importers ?? []).length);
    this.acknowledgeManualRotation();
  }

  /**
   * Replicates this multi-Region primary into the region of `scope`'s stack (same account, another region, one the
   * profile allows; the stack must set `crossRegionReferences: true`), with the same custodian policy. The replica is
   * created without key material (PendingImport): import the primary's material into it with the `cloud-kms byok`
   * ceremony (its `KeyArnForImport` output; the same expiry and wrapping tags as the primary).
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html
   */
  public replicateTo(scope: Construct, id: string, options: ReplicaKeyOptions = {}): ReplicaKey {
    return new ReplicaKey(scope, id, { ...options, primary: this });
  }

  /** What the `cloud-kms byok aws` ceremony reads: the key id, and the expiry and wrapping it must use, as tags. */
  private addImportHandles(subject: string): void {
    const expiry = this.keyMaterialExpiry;
    Tags.of(this).add(KEY_MATERIAL_EXPIRY_TAG, expiry.validTo ? expiry.validTo.toISOString() : 'none');
    Tags.of(this).add(WRAPPING_ALGORITHM_TAG, this.wrappingAlgorithm);
    new CfnOutput(this, 'KeyIdForImport', {
      description: `Key to import material into with: cloud-kms byok aws params --key-id <this> (${subject})`,
      value: this.keyId,
    });
  }

  private recordEvidence(settings: KeySettings, custodianPolicy: CustodianPolicy, importerCount: number): void {
    const expiry = this.keyMaterialExpiry;
    const reminderDays = this.rotationReminderDays;
    recordKeyEvidence(this, {
      constructName: 'ByokImport',
      model: this.model,
      settings,
      auditSink: this.auditSink,
      separation: custodianPolicy.separationEvidence,
      dualControl: custodianPolicy.dualControlEvidence,
      custody: {
        setting: 'Origin',
        value: 'EXTERNAL',
        description: 'key material generated by the customer and imported; KMS holds it in FIPS 140-3 Level 3 HSMs',
      },
      manualRotation: {
        setting: 'rotation reminder, KeyMaterialExpiry',
        value: `${reminderDays} days, ${expiry.validTo ? expiry.validTo.toISOString() : 'does not expire'}`,
        description: `rotated by importing new material and RotateKeyOnDemand (or a new key and alias swap) every ${days(reminderDays)}; ` +
          `${this.auditSink ? 'a scheduled reminder reaches the audit topic' : 'no audit sink, so no reminder is sent'}`,
      },
    });
    const ledger = EvidenceLedger.of(this);
    const cfnPath = (this.node.defaultChild as kms.CfnKey).node.path;
    for (const control of MATERIAL_TRANSPORT_CONTROLS) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: cfnPath,
        setting: 'Origin, KeyMaterial',
        value: 'EXTERNAL, none in template',
        description: 'no key material in the template, assets, outputs or logs: it is wrapped offline and imported by the cloud-kms CLI',
      });
    }
    for (const control of IMPORTER_CONTROLS) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: cfnPath,
        setting: 'KeyPolicy.AllowKeyMaterialImport',
        value: `${importerCount} named importers`,
        description: `only the named importers may import or delete key material${custodianPolicy.dualControl ? ', with MFA' : ''}`,
      });
    }
  }

  private acknowledgeManualRotation(): void {
    acknowledgeRules(this, this, [
      {
        // AWS Control Tower CT.KMS.PR.1, as the CfnGuardValidator plugin names it. KMS rejects EnableKeyRotation on
        // EXTERNAL-origin keys; symmetric ones support on-demand rotation to newly imported material instead.
        // https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-import-key-material.html
        id: 'cdk-validator-cfnguard::kms_key_rotation_enabled_check',
        reason: 'Imported (EXTERNAL-origin) key material cannot be rotated automatically by KMS (CT.KMS.PR.1 exception); it is rotated by ' +
          'importing new material and RotateKeyOnDemand, or by a new key and alias swap, with a scheduled reminder to the audit topic.',
      },
      {
        id: 'AwsSolutions-KMS5',
        reason: 'Imported (EXTERNAL-origin) key material cannot be rotated automatically by KMS; it is rotated by importing new ' +
          'material and RotateKeyOnDemand, or by a new key and alias swap, with a scheduled reminder to the audit topic.',
      },
      {
        id: 'NIST.800.53.R5-KMSBackingKeyRotationEnabled',
        reason: 'Imported (EXTERNAL-origin) key material cannot be rotated automatically by KMS; rotation is by re-import on the reminder schedule.',
      },
      {
        id: 'PCI.DSS.321-KMSBackingKeyRotationEnabled',
        reason: 'Imported (EXTERNAL-origin) key material cannot be rotated automatically by KMS; rotation is by re-import on the reminder schedule.',
      },
    ]);
  }

  private addReminders(subject: string): void {
    const sink = this.auditSink;
    if (!sink) return;
    addRotationReminder(this, sink, this.rotationReminderDays, `the imported material of ${subject}`,
      `Rotate the imported key material of ${subject} (${this.keyArn}): import new material with ` +
      '`cloud-kms byok aws import --new-material --rotate`, or create a new ByokImport key and move the alias.');
    const expiry = this.keyMaterialExpiry;
    if (expiry.validTo) {
      // KMS publishes the seconds left until imported material expires; this follows every re-import.
      const alarm = new cloudwatch.Alarm(this, 'ExpiryAlarm', {
        alarmDescription: `The imported key material of ${subject} expires within ${expiry.warnBefore!.toHumanString()}: ` +
          're-import it with `cloud-kms byok aws import`, or the key becomes unusable.',
        metric: new cloudwatch.Metric({
          namespace: 'AWS/KMS',
          metricName: 'SecondsUntilKeyMaterialExpiration',
          dimensionsMap: { KeyId: this.keyId },
          statistic: cloudwatch.Stats.MINIMUM,
          period: Duration.hours(1),
        }),
        threshold: expiry.warnBefore!.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(sink.alarmTopic));
    }
  }
}

/** Facts of a key with imported material that KMS proves by the template alone: no material ever appears in it. */
const MATERIAL_TRANSPORT_CONTROLS = [Control.NIST_SC_12, Control.ISO_A_8_24];

/** The checked props of a `ByokImport`, before any resource exists. */
interface ImportInput {
  readonly subject: string;
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
  readonly settings: KeySettings;
  readonly reminderDays: number;
  readonly expiry: KeyMaterialExpiry;
  readonly wrapping: ImportWrappingAlgorithm;
}

function checkImportInput(scope: Construct, id: string, props: ByokImportProps): ImportInput {
  const subject = `${scope.node.path}/${id}`;
  checkKeyShape(props);
  if (props.wrappingAlgorithm !== undefined && !Object.values(ImportWrappingAlgorithm).includes(props.wrappingAlgorithm)) {
    throw new ValidationError(`wrappingAlgorithm must be one of ${Object.values(ImportWrappingAlgorithm).join(', ')}, got ${shown(props.wrappingAlgorithm)}`);
  }
  const keySpec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
  const keyUsage = props.keyUsage ?? defaultUsage(keySpec);
  checkImportableKeySpec(keySpec, subject);
  const settings = resolveKeySettings(scope, id, props, {
    model: DeploymentModel.BYOK,
    keySpec,
    keyUsage,
    automaticRotation: false,
    fipsLevel: AWS_KMS_FIPS_LEVEL,
    holder: 'imported key material in AWS KMS',
  });
  const profile = settings.profile;
  const reminder = literalDuration('rotationReminder', props.rotationReminder) ?? Duration.days(profile.maxRotationDays);
  const reminderDays = reminder.toDays({ integral: false });
  requireRange('rotationReminder', reminderDays, 1, profile.maxRotationDays, 'days');
  if (!Number.isInteger(reminderDays)) {
    throw new ValidationError(`rotationReminder must be a whole number of days, got ${reminder.toHumanString()}`);
  }
  const expiry = checkExpiry(props.keyMaterialExpiry, subject);
  return { subject, keySpec, keyUsage, settings, reminderDays, expiry, wrapping: chooseWrapping(props.wrappingAlgorithm, keySpec) };
}

function checkExpiry(expiry: KeyMaterialExpiry, subject: string): KeyMaterialExpiry {
  if (!(expiry instanceof KeyMaterialExpiry)) {
    throw new ValidationError(`keyMaterialExpiry must be KeyMaterialExpiry.expiresAt(...) or KeyMaterialExpiry.doesNotExpire() for ${subject}, got ${expiry === undefined ? 'undefined' : shown(expiry)}`);
  }
  if (expiry.validTo) {
    const warnAt = expiry.validTo.getTime() - expiry.warnBefore!.toMilliseconds();
    if (Number.isNaN(expiry.validTo.getTime()) || warnAt <= Date.now()) {
      throw new ValidationError(
        `keyMaterialExpiry must be far enough in the future for its warning (${expiry.warnBefore!.toHumanString()} ahead), got ${String(expiry.validTo)}`);
    }
  }
  return expiry;
}

function chooseWrapping(given: ImportWrappingAlgorithm | undefined, keySpec: kms.KeySpec): ImportWrappingAlgorithm {
  const symmetricOrHmac = keySpec === kms.KeySpec.SYMMETRIC_DEFAULT || keySpec.startsWith('HMAC_');
  const wrapping = given ?? (symmetricOrHmac ? ImportWrappingAlgorithm.RSAES_OAEP_SHA_256 : ImportWrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256);
  if (!symmetricOrHmac && wrapping === ImportWrappingAlgorithm.RSAES_OAEP_SHA_256) {
    throw new ValidationError(
      `wrappingAlgorithm must be RSA_AES_KEY_WRAP_SHA_256 for asymmetric keySpec ${keySpec} (a private key is too large for RSA-OAEP), got ${wrapping}`);
  }
  return wrapping;
}
