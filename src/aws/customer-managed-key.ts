import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IKeyAuditSink } from './key-audit-sink-types';
import { AwsKeyOptions } from './key-options';
import { ReplicaKey, ReplicaKeyOptions } from './replica-key';
import { DeploymentModel } from '../core/deployment-model';
import { ComplianceProfile } from '../core/profile';
import { requireDistinct, shown, ValidationError } from '../core/validation';
import { CustodianKeyBase } from './private/custodian-key';
import { CustodianPolicy, defaultUsage } from './private/custodian-policy';
import { checkKeyShape, optionalList, requireProps } from './private/input';
import { recordKeyEvidence } from './private/key-evidence';
import { applyUnresolvedSettings, AWS_KMS_FIPS_LEVEL, lifecycleProps, resolveKeySettings } from './private/key-settings';

/**
 * Properties of a `CustomerManagedKey`.
 */
export interface CustomerManagedKeyProps extends AwsKeyOptions {
  /**
   * Automatic rotation period (symmetric encryption keys only): 90 to 2560 days and within the profile's limit.
   * @default - the profile's longest rotation period
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
   */
  readonly rotation?: Duration;

  /**
   * Regions a multi-Region primary may be replicated into (`kms:ReplicaRegion`). Outside dual control only the
   * deployment principal replicates (the replica's policy is then the template's, AWS::KMS::ReplicaKey); under dual
   * control only the dual-control gate, with a replica policy that keeps the gate. Administrators never replicate.
   * @default - none: nobody may replicate the key
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
   */
  readonly replicaRegions?: string[];

  /**
   * Add the default `kms:*` statement for the account root, so IAM policies also govern the key.
   * This gives up separation of duties: the evidence ledger records it as not enforced, and profiles
   * that require separation of duties refuse it.
   * @default false
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
   */
  readonly delegateToIam?: boolean;
}

/**
 * A customer-managed KMS key whose key policy is the only authority, built from named custodians:
 * administrators manage but cannot use it, users use but cannot manage it, auditors only read,
 * and under dual control two or more approvers with MFA hold the destructive operations.
 *
 * It is a `kms.Key`, so it plugs into every CDK construct that takes an `IKey`. Grants are written
 * into the key policy (same-account principals need no IAM policy), and each grantee is checked
 * against the separation-of-duties rules.
 */
export class CustomerManagedKey extends CustodianKeyBase {
  /** The deployment model: CUSTOMER_MANAGED. */
  public readonly model: DeploymentModel;
  /** The compliance profile the key satisfies. */
  public readonly profile: ComplianceProfile;
  /** The audit sink, if any. */
  public readonly auditSink?: IKeyAuditSink;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    requireProps(props, 'CustomerManagedKey');
    const subject = `${scope.node.path}/${id}`;
    checkKeyShape(props);
    const keySpec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const keyUsage = props.keyUsage ?? defaultUsage(keySpec);
    const settings = resolveKeySettings(scope, id, props, {
      model: DeploymentModel.CUSTOMER_MANAGED, keySpec, keyUsage, automaticRotation: true, fipsLevel: AWS_KMS_FIPS_LEVEL, holder: 'AWS KMS key',
    });
    const custodianPolicy = new CustodianPolicy(scope, {
      subject,
      profile: settings.profile,
      custodians: props.custodians,
      importersRequired: false,
      deploymentPrincipal: props.deploymentPrincipal,
      deployerDescription: 'the principal CloudFormation deploys the key with',
      keySpec,
      keyUsage,
      delegateToIam: props.delegateToIam ?? false,
      removalPolicy: settings.removalPolicy,
      replicaRegions: props.replicaRegions,
      dualControlGate: props.dualControlGate,
    });
    requireDistinct('replicaRegions', optionalList('replicaRegions', props.replicaRegions));
    if ((props.replicaRegions ?? []).length > 0 && !props.multiRegion) {
      throw new ValidationError(`replicaRegions applies only to multi-Region keys (multiRegion: true), got ${shown(props.replicaRegions)}`);
    }
    super(scope, id, {
      description: props.description ?? `${DeploymentModel.CUSTOMER_MANAGED.title} under profile ${settings.profile.name} (${subject})`,
      keySpec,
      keyUsage,
      multiRegion: props.multiRegion,
      ...lifecycleProps(settings),
    }, custodianPolicy);
    applyUnresolvedSettings(this, settings);

    this.model = DeploymentModel.CUSTOMER_MANAGED;
    this.profile = settings.profile;
    this.auditSink = props.auditSink;
    for (const alias of settings.aliases) {
      this.addAlias(alias);
    }
    this._replication = {
      key: this,
      constructName: 'CustomerManagedKey',
      model: this.model,
      settings,
      custodianPolicy,
      multiRegion: props.multiRegion === true,
      importedMaterial: false,
      ceremonyTags: {},
    };
    recordKeyEvidence(this, {
      constructName: 'CustomerManagedKey',
      model: this.model,
      settings,
      auditSink: props.auditSink,
      separation: custodianPolicy.separationEvidence,
      dualControl: custodianPolicy.dualControlEvidence,
    });
  }

  /**
   * Replicates this multi-Region primary into the region of `scope`'s stack (same account, another region, one the
   * profile allows; the stack must set `crossRegionReferences: true`), with the same custodian policy.
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-replicate.html
   */
  public replicateTo(scope: Construct, id: string, options: ReplicaKeyOptions = {}): ReplicaKey {
    return new ReplicaKey(scope, id, { ...options, primary: this });
  }
}
