import { CfnOutput, CfnResource, Resource, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { IKeyAuditSink } from './key-audit-sink-types';
import {
  DECRYPT_ACTIONS, ENCRYPT_ACTIONS, GENERATE_MAC_ACTIONS, SIGN_ACTIONS, VERIFY_ACTIONS, VERIFY_MAC_ACTIONS,
} from './key-policy-actions';
import { DeploymentModel } from '../core/deployment-model';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { acknowledgeRules } from './private/acknowledge';
import { CustodianPolicy } from './private/custodian-policy';
import { requireProps } from './private/input';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { DUAL_CONTROL_CONTROLS, KeyFact } from '../core/key-evidence';
import { describeDeployTimeBound } from './private/deploy-time-bounds';
import { recordKmsKeyEvidence } from './private/key-evidence';
import { KeySettings, normalizeAliases } from './private/key-settings';
import { gatedReplica, replicaCheckRole, replicaCheckStatement } from './private/replica-gated';
import { checkNotDualControl, checkReplicaAuditSink, checkReplicaPlacement, ReplicaPlacement } from './private/replica-input';

/**
 * Options of a replica of a multi-Region key (`replicateTo`).
 */
export interface ReplicaKeyOptions {
  /**
   * Where the replica's key events are recorded and alarmed: a `KeyAuditSink` in the replica's region (KMS events reach
   * EventBridge only in their own region, so the primary's sink raises no alarm for the replica).
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * The principal CloudFormation deploys the replica's stack with: it calls ReplicateKey on the primary (which allows it
   * for this region only) and is named in the replica's policy as the primary's deployment principal is in the primary's.
   * @default - the CloudFormation execution role of the replica stack's DefaultStackSynthesizer
   */
  readonly deploymentPrincipal?: iam.IPrincipal;

  /**
   * Replica description. Not for replicas the dual-control gate creates (the gate's ReplicateKey request has none).
   * @default - the primary's path and the replica's region
   */
  readonly description?: string;

  /**
   * Whether the replica is enabled. Gated replicas (dual control) are created enabled; disabling one is a gated operation.
   * @default true
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-replicakey.html#cfn-kms-replicakey-enabled
   */
  readonly enabled?: boolean;

  /**
   * Aliases for the replica (aliases are regional and not shared); `alias/` is added when missing.
   * @default - none
   */
  readonly aliases?: string[];
}

/**
 * Properties of a `ReplicaKey`.
 */
export interface ReplicaKeyProps extends ReplicaKeyOptions {
  /** The multi-Region primary: a `CustomerManagedKey` or `ByokImport` with `multiRegion: true`, in another region. */
  readonly primary: kms.IKey;
}

/**
 * A replica of a multi-Region `CustomerManagedKey` or `ByokImport` in a stack of another region of the same account. Its key policy comes from the primary's custodians through the same builder, so the two cannot
 * drift: the same administrators, users, auditors and importers, separation-of-duties denies and replication limits,
 * with the replica stack's deployment principal in the deployment statement. The primary's policy lets that principal
 * replicate into this region only (`kms:ReplicaRegion`), and the region must be one the profile allows.
 *
 * Outside dual control the replica is an AWS::KMS::ReplicaKey. Under dual control ("gated") CloudFormation creates no
 * replica (its deployment role would then hold ReplicateKey alone): the primary's policy lets only the dual-control
 * gate's executor replicate, into the regions allowed; two people propose and approve ReplicateKey with the expected
 * policy (an output of the primary's stack), and this stack's `Custom::CloudKmsReplicaCheck` fails the deployment unless
 * the replica exists, is the primary's and has exactly that policy.
 *
 * Rotation is a shared property of multi-Region keys, set on the primary and synchronized by KMS; the replica waits the
 * primary's deletion window.
 */
export class ReplicaKey extends Resource implements kms.IKey {
  /** The replica's ARN (the primary's key id in this region). */
  public readonly keyArn: string;
  /** The key id, shared with the primary (`mrk-…`). */
  public readonly keyId: string;
  /** The primary. */
  public readonly primary: kms.IKey;
  /** The replica's region. */
  public readonly region: string;
  /** The primary's deployment model. */
  public readonly model: DeploymentModel;
  /** The primary's compliance profile. */
  public readonly profile: ComplianceProfile;
  /** The audit sink of the replica's region, if any. */
  public readonly auditSink?: IKeyAuditSink;
  /** The replica's key policy (for a gated replica: the policy the gate must create it with). */
  public readonly policy: iam.PolicyDocument;
  /** Whether the dual-control gate creates the replica (the primary is under dual control). */
  public readonly gated: boolean;

  private readonly custodianPolicy: CustodianPolicy;
  private readonly resource: CfnResource;

  constructor(scope: Construct, id: string, props: ReplicaKeyProps) {
    requireProps(props, 'ReplicaKey');
    const subject = `${scope.node.path}/${id}`;
    const placement = checkReplicaPlacement(scope, subject, props.primary);
    checkReplicaAuditSink(placement, props.auditSink, subject);
    const aliases = normalizeAliases('aliases', props.aliases);
    if (props.enabled !== undefined && typeof props.enabled !== 'boolean') {
      throw new ValidationError(`enabled must be a boolean, got ${shown(props.enabled)}`);
    }
    const { source } = placement;
    const gated = source.custodianPolicy.dualControl;
    if (gated) checkGatedOptions(props, subject);
    // One builder for primary and replica: the primary's own input, with this stack's deployment principal. Under dual
    // control, the primary's gate: its executor calls ReplicateKey, and KMS's lockout check requires the new policy to
    // let the caller call PutKeyPolicy, which a dual-control policy allows the executor alone.
    const custodianPolicy = new CustodianPolicy(scope, {
      ...source.custodianPolicy.input,
      subject,
      deploymentPrincipal: props.deploymentPrincipal,
      deployerDescription: 'the principal CloudFormation deploys the replica with',
      dualControlGate: source.custodianPolicy.gate ?? source.custodianPolicy.input.dualControlGate,
    });
    super(scope, id);
    this.custodianPolicy = custodianPolicy;
    this.policy = custodianPolicy.document;
    this.primary = props.primary;
    this.region = placement.region;
    this.model = source.model;
    this.profile = source.settings.profile;
    this.auditSink = props.auditSink;
    this.gated = gated;
    if (gated) {
      source.custodianPolicy.allowGatedReplication(placement.region);
      const role = replicaCheckRole(source.key);
      this.policy.addStatements(replicaCheckStatement(role));
      const replica = gatedReplica(this, placement, this.policy, role);
      this.resource = replica.check.node.defaultChild as CfnResource;
      this.keyArn = replica.keyArn;
      this.keyId = source.key.keyId;
      if (source.importedMaterial) {
        // Created without material (PendingImport); ImportKeyMaterial on it is a gated operation, like on the primary.
        new CfnOutput(this, 'KeyArnForImport', {
          description: `Gated replica to import the primary's key material into, through the dual-control gate (ImportKeyMaterial) (${this.node.path})`,
          value: replica.keyArn,
        });
      }
    } else {
      source.custodianPolicy.allowReplication(source.key, placement.region, custodianPolicy.deployer);
      const resource = this.createReplica(placement, props);
      this.resource = resource;
      this.keyArn = resource.attrArn;
      this.keyId = resource.attrKeyId;
    }
    custodianPolicy.bind(this);
    aliases.forEach((alias, i) => new kms.Alias(this, `Alias${i}`, { aliasName: alias, targetKey: this }));
    this.recordEvidence(placement);
    // CDK adds its cross-region reference handlers while it prepares the app, after every constructor has run; they
    // exist by validation, which is when their findings are acknowledged.
    this.node.addValidation({ validate: () => acknowledgeCrossRegionHandlers(this, [source.key, this]) });
  }

  /** The key reference (key id and ARN) other constructs take. */
  public get keyRef(): kms.KeyReference {
    return { keyId: this.keyId, keyArn: this.keyArn };
  }

  /** Adds an alias in the replica's region. */
  public addAlias(aliasName: string): kms.Alias {
    const [alias] = normalizeAliases('aliasName', [aliasName]);
    return new kms.Alias(this, `Alias${this.node.children.filter((c) => c instanceof kms.Alias).length}`, { aliasName: alias, targetKey: this });
  }

  /** Adds a statement to the replica's key policy (checked with the rest of the policy at synthesis). */
  public addToResourcePolicy(statement: iam.PolicyStatement, _allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.resource };
  }

  /** Grants the actions in the replica's key policy, after the same separation-of-duties checks as the primary's grants. */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.custodianPolicy.grant(grantee, actions);
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, DECRYPT_ACTIONS);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, ENCRYPT_ACTIONS);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS]);
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, SIGN_ACTIONS);
  }

  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, VERIFY_ACTIONS);
  }

  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, [...SIGN_ACTIONS, ...VERIFY_ACTIONS]);
  }

  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, GENERATE_MAC_ACTIONS);
  }

  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.custodianPolicy.grant(grantee, VERIFY_MAC_ACTIONS);
  }

  /** The AWS::KMS::ReplicaKey, waiting the primary's deletion window and retained as the primary is. */
  private createReplica(placement: ReplicaPlacement, props: ReplicaKeyOptions): kms.CfnReplicaKey {
    const { source } = placement;
    checkNotDualControl(source, this.node.path);
    const resource = new kms.CfnReplicaKey(this, 'Resource', {
      keyPolicy: this.policy,
      // A CDK cross-region reference: the primary's stack writes its ARN to an SSM parameter in this region.
      primaryKeyArn: this.primary.keyArn,
      pendingWindowInDays: source.settings.deletionWindow.toDays(),
      enabled: props.enabled ?? true,
      description: props.description ?? `Replica in ${placement.region} of ${source.key.node.path} (profile ${this.profile.name})`,
    });
    resource.applyRemovalPolicy(source.settings.removalPolicy);
    for (const [key, value] of Object.entries(source.ceremonyTags)) Tags.of(this).add(key, value);
    if (source.importedMaterial) {
      // Created without material (PendingImport): the ceremony imports the primary's material into it.
      // @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html
      new CfnOutput(this, 'KeyArnForImport', {
        description: `Replica to import the primary's key material into: cloud-kms byok aws params --key-id <this> (${this.node.path})`,
        value: resource.attrArn,
      });
    }
    return resource;
  }

  private recordEvidence(placement: ReplicaPlacement): void {
    const { source } = placement;
    const cfn = this.resource;
    recordKmsKeyEvidence(this, cfn, () => (this.gated ? this.policy : (cfn as kms.CfnReplicaKey).keyPolicy), {
      constructName: 'ReplicaKey',
      model: source.model,
      settings: source.settings,
      auditSink: this.auditSink,
      separation: this.custodianPolicy.separationEvidence,
      dualControl: this.custodianPolicy.dualControlEvidence,
      custody: source.importedMaterial ? {
        setting: 'Origin',
        value: 'EXTERNAL (shared with the primary)',
        description: 'created without key material (PendingImport); the customer imports the primary\'s material into it, held in FIPS 140-3 Level 3 HSMs',
      } : undefined,
      manualRotation: rotationFact(source.settings, source.importedMaterial),
      parent: source.key.node.path,
      regions: [placement.region],
    });
    if (this.gated) {
      // Its own setting, beside the key policy's (which the access matrix evaluates): how the replica came to exist.
      const ledger = EvidenceLedger.of(this);
      const description = gatedEvidence(source.custodianPolicy.input.replicaRegions, placement);
      for (const control of DUAL_CONTROL_CONTROLS) {
        ledger.record({
          control,
          status: EvidenceStatus.SATISFIED,
          subject: this.node.path,
          resource: cfn.node.path,
          setting: 'replication (ReplicateKey)',
          value: 'through the dual-control gate',
          description,
        });
      }
    }
  }
}

/** A gated replica's options: what the gate's ReplicateKey request cannot carry is refused, not silently dropped. */
function checkGatedOptions(props: ReplicaKeyOptions, subject: string): void {
  if (props.description !== undefined) {
    throw new ValidationError(`description is not supported for ${subject}: the dual-control gate creates the replica (its ReplicateKey ` +
      `request carries the policy only), got ${shown(props.description)}`);
  }
  if (props.enabled !== undefined && props.enabled !== true) {
    throw new ValidationError(`enabled must be true (or unset) for ${subject}: the dual-control gate creates the replica enabled, and ` +
      `disabling it is a gated operation (DisableKey through the gate), got ${shown(props.enabled)}`);
  }
}

/** Dual control of a gated replica's creation. */
function gatedEvidence(primaryRegions: string[] | undefined, placement: ReplicaPlacement): string {
  return 'replicated only through the dual-control gate: no AWS::KMS::ReplicaKey; the primary\'s policy allows ReplicateKey to the ' +
    'gate\'s executor alone (everyone else, the deployment roles included, explicitly denied), and kms:ReplicaRegion to ' +
    `${[...new Set([...(primaryRegions ?? []), placement.region])].join(', ')} (regions the profile allows); the executor creates the ` +
    'replica only on a custodian\'s proposal of the exact request (its policy included) approved by a different approver with MFA; ' +
    'the replica stack\'s Custom::CloudKmsReplicaCheck fails the deployment unless the replica exists, is a replica of this primary ' +
    'and has exactly the expected policy. Trusted: AWS, and whoever can change the gate executor\'s code or role';
}

/** CDK's singleton providers of a cross-region reference: one writer in the primary's stack, one reader in the replica's. */
const CROSS_REGION_PROVIDERS = ['Custom::CrossRegionExportWriterCustomResourceProvider', 'Custom::CrossRegionExportReaderCustomResourceProvider'];

function acknowledgeCrossRegionHandlers(replica: ReplicaKey, keys: Construct[]): string[] {
  for (const key of keys) {
    for (const id of CROSS_REGION_PROVIDERS) {
      const provider = Stack.of(key).node.tryFindChild(id);
      if (provider && !provider.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        acknowledgeRules(provider, replica, [{
          // AWS Control Tower's CT.LAMBDA.PR.3.
          id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
          reason: 'CDK\'s cross-region reference handler carries the primary key\'s ARN to the replica\'s region in SSM parameters: ' +
            'it calls the SSM API only, from CloudFormation, and reaches no VPC resource.',
        }]);
      }
    }
  }
  return [];
}

/**
 * Rotation of a multi-Region key is a shared property: enabled on the primary and synchronized by KMS; a replica has
 * no rotation setting of its own.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html#mrk-sync-properties
 */
function rotationFact(settings: KeySettings, imported: boolean): KeyFact {
  const profile = settings.profile;
  const bound = settings.rotationBound;
  const primaryDays = settings.rotation?.toDays();
  if (imported) {
    return {
      setting: 'primary\'s rotation (shared property)',
      value: 'manual',
      description: 'imported material: rotated by importing new material into the primary, then the same material into each replica',
    };
  }
  if (primaryDays === undefined) {
    return {
      setting: 'primary\'s rotation (shared property)',
      value: 'false',
      description: 'KMS cannot rotate asymmetric or HMAC keys; rotate by a new key pair of primary and replicas and moving the aliases',
      satisfied: false,
    };
  }
  if (bound) {
    // A deploy-time period: judged by its largest allowed value, never by the token.
    return {
      setting: 'primary\'s RotationPeriodInDays (shared property)',
      value: describeDeployTimeBound(bound),
      description: `rotated with the primary every ${bound.min} to ${bound.max} days: KMS synchronizes the rotation of multi-Region keys from the primary`,
      satisfied: bound.max <= profile.maxRotationDays,
    };
  }
  return {
    setting: 'primary\'s RotationPeriodInDays (shared property)',
    value: String(primaryDays),
    description: `rotated with the primary every ${primaryDays} days: KMS synchronizes the rotation of multi-Region keys from the primary`,
    satisfied: primaryDays <= profile.maxRotationDays,
  };
}
