import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { DeploymentModel } from '../../core/deployment-model';
import type { GrantConditions, KeyCustodians } from '../custodians';
import type { AuditSinkRef } from './audit-sink-ref';
import { CRYPTOGRAPHIC_ACTIONS, DECRYPT_ACTIONS, ENCRYPT_ACTIONS, IMPORT_ACTIONS, MANAGEMENT_ACTIONS } from '../key-policy-actions';
import { CustodianKeyBase } from './custodian-key';
import { CustodianPolicy } from './custodian-policy';
import { recordKeyEvidence } from './key-evidence';
import { applyUnresolvedSettings, KeySettings, lifecycleProps } from './key-settings';

export interface TenantKeyInput {
  readonly settings: KeySettings;
  /**
   * The hierarchy's custodian policy (administrators, auditors, approvers; users are granted afterwards, with tenant
   * conditions), validated once; each key takes a copy.
   */
  readonly custodians: CustodianPolicy;
  readonly description: string;
  readonly auditSink?: AuditSinkRef;
  /** The hierarchy's construct path, for the evidence ledger. */
  readonly parent: string;
  /** The tenant tag of a dedicated key. */
  readonly tag?: { readonly key: string; readonly value: string };
  /**
   * Re-check the final key policy at synthesis even if every statement came through the checked grant paths
   * (one key of each hierarchy stands for the rest).
   */
  readonly alwaysCheck: boolean;
  /**
   * An offboarded (or re-onboarding) tenant's key: its properties are frozen to values that no longer follow the
   * hierarchy's settings, because KMS refuses to change a key pending deletion (EnableKeyRotation, TagResource,
   * UntagResource, UpdateKeyDescription fail with KMSInvalidStateException) and a failed update rolls the whole shard
   * back. PutKeyPolicy still succeeds on such a key, so the key policy keeps following the custodians.
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
   * @default false
   */
  readonly frozen?: boolean;
}

/** The rotation period a frozen key keeps: KMS's shortest, within every profile's cryptoperiod. */
export const FROZEN_ROTATION_DAYS = 90;
/** The deletion window a frozen key keeps: KMS's longest, at least every profile's minimum. */
export const FROZEN_WINDOW_DAYS = 30;

/** The settings of a frozen key: fixed numbers, no deploy-time values. */
function frozenSettings(settings: KeySettings): KeySettings {
  return {
    ...settings,
    rotation: Duration.days(FROZEN_ROTATION_DAYS),
    deletionWindow: Duration.days(FROZEN_WINDOW_DAYS),
    rotationBound: undefined,
    deletionWindowBound: undefined,
  };
}

/**
 * A key of a tenant hierarchy (a tenant's own key or a pool's key): the custodian key policy without unconditioned
 * users. Use is granted per principal with tenant conditions, and every such principal is denied management.
 */
export class TenantKey extends CustodianKeyBase {
  /** The custodian policy every key of a hierarchy copies: validated once, for all of them. */
  public static custodianPolicy(scope: Construct, settings: KeySettings, custodians: KeyCustodians, deployer: iam.IPrincipal): CustodianPolicy {
    return new CustodianPolicy(scope, {
      subject: scope.node.path,
      profile: settings.profile,
      custodians: { ...custodians, users: [] },
      importersRequired: false,
      deploymentPrincipal: deployer,
      deployerDescription: 'the principal CloudFormation deploys the hierarchy with',
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      delegateToIam: false,
      removalPolicy: settings.removalPolicy,
    });
  }

  public readonly profileName: string;
  private readonly tenantPolicy: CustodianPolicy;
  /** Set while this class writes its own, already checked, statements. */
  private writing = false;
  private external = false;

  constructor(scope: Construct, id: string, input: TenantKeyInput) {
    const settings = input.frozen ? frozenSettings(input.settings) : input.settings;
    const policy = input.custodians.copy();
    // Under dual control each key's policy travels through the gate like any other (one Custom::CloudKmsGatedKeyPolicy
    // per key), so offboarding a tenant (a policy change) waits for two approvers instead of failing.
    super(scope, id, { description: input.description, ...lifecycleProps(settings) }, policy);
    this.tenantPolicy = policy;
    policy.skipFinalCheck = () => !input.alwaysCheck && !this.external;
    this.profileName = settings.profile.name;
    applyUnresolvedSettings(this, settings);
    if (input.tag) (this.node.defaultChild as kms.CfnKey).tags.setTag(input.tag.key, input.tag.value);
    // Tags added later to the stack or app must not reach a key pending deletion (TagResource would fail).
    if (input.frozen) (this.node.defaultChild as kms.CfnKey).addPropertyOverride('Tags', input.tag ? [{ Key: input.tag.key, Value: input.tag.value }] : []);
    recordKeyEvidence(this, {
      constructName: 'TenantKeyHierarchy',
      model: DeploymentModel.CUSTOMER_MANAGED,
      // The offboarding's deletion is scheduled with the hierarchy's window (the template's window only applies if
      // CloudFormation itself deleted the key), so that is the wait the evidence states.
      settings: input.frozen
        ? { ...settings, deletionWindow: input.settings.deletionWindow, deletionWindowBound: input.settings.deletionWindowBound }
        : settings,
      auditSink: input.auditSink,
      separation: policy.separationEvidence,
      dualControl: policy.dualControlEvidence,
      parent: input.parent,
    });
  }

  /**
   * Lets the principal encrypt, decrypt and make data keys only when the conditions hold, and describe the key when
   * `describe` conditions hold; denies it every management action.
   */
  public grantTenantUse(grantee: iam.IGrantable, use: GrantConditions, describe?: GrantConditions): void {
    this.own(() => {
      this.tenantPolicy.grant(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], use);
      if (describe) this.tenantPolicy.grant(grantee, ['kms:DescribeKey'], describe);
      else this.tenantPolicy.grant(grantee, ['kms:DescribeKey']);
      this.addToResourcePolicy(new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [grantee.grantPrincipal], actions: [...MANAGEMENT_ACTIONS, ...IMPORT_ACTIONS], resources: ['*'],
      }));
    });
  }

  /** Grants management actions (e.g. to the handler that schedules deletion), checked against separation of duties. */
  public grantManagement(grantee: iam.IGrantable, actions: string[]): void {
    this.own(() => this.tenantPolicy.grant(grantee, actions));
  }

  /** Denies every cryptographic use to everyone: for an offboarded tenant's key, before and beside its deletion. */
  public denyAllUse(sid: string, conditions?: { [op: string]: { [key: string]: unknown } }): void {
    this.own(() => this.addToResourcePolicy(new iam.PolicyStatement({
      sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: CRYPTOGRAPHIC_ACTIONS, resources: ['*'], conditions,
    })));
  }

  /** Statements from anywhere else (CDK grants, user code) make synthesis re-check the whole policy. */
  public addToResourcePolicy(statement: iam.PolicyStatement, allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    if (!this.writing) this.external = true;
    return super.addToResourcePolicy(statement, allowNoOp);
  }

  private own(write: () => void): void {
    this.writing = true;
    try {
      write();
    } finally {
      this.writing = false;
    }
  }
}
