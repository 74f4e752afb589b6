import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { KeyAuditSink } from './key-audit-sink';
import { KeyPolicyDriftAlarm } from './key-policy-drift-alarm';
import { KmsConformancePack } from './kms-conformance-pack';
import { checkDriftAlarmInput, DEFAULT_DEPLOYMENT_ROLE_NAMES } from './private/drift-names';
import { boundStackRegion } from './private/residency';
import { nameBaselineResources } from './private/stackset-names';
import { StackSetBaselineSynthesizer } from './private/stackset-synthesizer';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';

/**
 * Properties of a `KeyBaselineStack`: what every member account gets, named the same way in all of them.
 */
export interface KeyBaselineStackProps {
  /** The profile whose retention, immutability and custody rules the baseline follows. */
  readonly profile: ComplianceProfile;

  /** Names of the roles, present in every member account, that administer the audit sink's key. */
  readonly administratorRoleNames: string[];

  /**
   * Names of the roles, present in every member account, that read the audit records.
   * @default - none
   */
  readonly auditorRoleNames?: string[];

  /**
   * Names of the approver roles for the audit sink key's destructive operations. Refused for now, like profiles that
   * require dual control: the dual-control gate's handler is a bundled Lambda asset, which a StackSet cannot deploy.
   * @default - none
   */
  readonly approverRoleNames?: string[];

  /**
   * Name of the role CloudFormation deploys the baseline with in each member account: for a service-managed StackSet,
   * the `stacksets-exec-…` role StackSets created there (IAM console of any member account). The audit sink key's
   * policy names it as the deployer, and the drift alarm expects key policy writes from it.
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-orgs-activate-trusted-access.html
   */
  readonly executionRoleName: string;

  /**
   * E-mail addresses subscribed to the audit sink's alarm topic in each account.
   * @default - none
   */
  readonly notificationEmails?: string[];

  /**
   * Role name patterns, besides the execution role, whose CloudFormation writes of key policies are expected.
   * @default - the CDK bootstrap CloudFormation execution role (`cdk-*-cfn-exec-role-*`)
   */
  readonly deploymentRoleNames?: string[];

  /**
   * Roles of the golden pattern that write key policies directly (e.g. the dual-control executor).
   * @default - none
   */
  readonly policyWriterRoleNames?: string[];

  /**
   * Prefix of the baseline's named resources (the drift detector's), for the organisation policy that protects them.
   * @default 'cloud-kms-baseline'
   */
  readonly resourcePrefix?: string;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function roles(prop: string, names: string[]): iam.IPrincipal[] {
  for (const name of names) {
    if (!ROLE_NAME.test(name)) throw new ValidationError(`${prop} must be IAM role names, got ${shown(name)}`);
  }
  // The account is each member account's own: the same template serves all of them.
  return names.map((name) => new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${name}`));
}

/**
 * The golden baseline a `BaselineStackSet` rolls out to every member account and region: a `KeyAuditSink` and a
 * `KeyPolicyDriftAlarm` notifying its topic, and a `KmsConformancePack` (AWS Config rules). Add more constructs to it (e.g. a conformance pack) before synthesis;
 * the StackSet takes its template then. It is environment-agnostic and synthesized without bootstrap resources.
 */
export class KeyBaselineStack extends Stack {
  public readonly auditSink: KeyAuditSink;
  public readonly driftAlarm: KeyPolicyDriftAlarm;
  /** The AWS Config rules (managed and the rule pack's Guard rules) that keep judging the account's keys. */
  public readonly conformancePack: KmsConformancePack;
  public readonly profile: ComplianceProfile;
  /** Prefix of the baseline's named resources (drift detector, trail), which the organisation policy protects. */
  public readonly resourcePrefix: string;
  /** The StackSet execution role the baseline is deployed with in each member account. */
  public readonly executionRoleName: string;
  private readonly baselineSynthesizer: StackSetBaselineSynthesizer;

  constructor(scope: Construct, id: string, props: KeyBaselineStackProps) {
    const synthesizer = new StackSetBaselineSynthesizer();
    super(scope, id, { synthesizer, description: `KMS key baseline (${props.profile.name}): audit sink, key-policy drift alarm and Config rules` });
    this.baselineSynthesizer = synthesizer;
    this.profile = props.profile;
    if (!ROLE_NAME.test(props.executionRoleName)) {
      throw new ValidationError(`executionRoleName must be an IAM role name, got ${shown(props.executionRoleName)}`);
    }
    if (props.profile.dualControlRequired || (props.approverRoleNames ?? []).length > 0) {
      throw new ValidationError(`a StackSet baseline cannot hold dual control (profile ${props.profile.name}, approverRoleNames ` +
        `${shown(props.approverRoleNames ?? [])}): the dual-control gate is a custom resource whose handler is a bundled Lambda asset, ` +
        'and member accounts have no CDK bootstrap bucket to deploy it from');
    }
    if (props.administratorRoleNames.length === 0) throw new ValidationError('administratorRoleNames must name at least one role, got []');
    // Environment-agnostic by design (one template, many regions): a template rule keeps it in the profile's regions.
    boundStackRegion(this, props.profile);
    const deployer = roles('executionRoleName', [props.executionRoleName])[0];
    const prefix = checkDriftAlarmInput({ resourcePrefix: props.resourcePrefix }).resourcePrefix;
    this.resourcePrefix = prefix;
    this.executionRoleName = props.executionRoleName;
    this.auditSink = new KeyAuditSink(this, 'AuditSink', {
      profile: props.profile,
      custodians: {
        administrators: roles('administratorRoleNames', props.administratorRoleNames),
        auditors: roles('auditorRoleNames', props.auditorRoleNames ?? []),
        approvers: props.approverRoleNames ? roles('approverRoleNames', props.approverRoleNames) : undefined,
      },
      notificationEmails: props.notificationEmails,
      deploymentPrincipal: deployer,
      // Each region's instance has its own multi-region trail, whose shadow copies hold its name in every other region:
      // the same literal name in two regions would collide. The prefix is also what the organisation policy protects.
      trailName: `${prefix}-trail-${Aws.REGION}`,
    });
    // Its topic, rules, alarm, metric filter and delivery role under the prefix too: the organisation policy protects
    // the baseline by that prefix (KeyAuditSink outside a baseline keeps CloudFormation's names).
    nameBaselineResources(this.auditSink, prefix);
    // The execution role by its exact name, in place of the default's stacksets-exec-* wildcard, which would also admit
    // a look-alike role an account administrator creates.
    const others = props.deploymentRoleNames ?? DEFAULT_DEPLOYMENT_ROLE_NAMES.filter((n) => !n.startsWith('stacksets-exec-'));
    const deploymentRoleNames = [...new Set([props.executionRoleName, ...others])];
    this.driftAlarm = new KeyPolicyDriftAlarm(this, 'KeyPolicyDrift', {
      auditSink: this.auditSink,
      profile: props.profile,
      deploymentRoleNames,
      policyWriterRoleNames: props.policyWriterRoleNames,
      resourcePrefix: props.resourcePrefix,
    });
    // Named with the prefix, so the organisation policy that protects the baseline covers the pack too (a conformance
    // pack's ARN holds its name; the rules it deploys can only be changed through the pack).
    this.conformancePack = new KmsConformancePack(this, 'ConfigRules', {
      profile: props.profile,
      conformancePackName: `${prefix}-config`,
    });
  }

  /** Every asset a construct of the baseline asked for: a StackSet cannot deploy them, and refuses the baseline. */
  public get refusedAssets(): string[] {
    return [...this.baselineSynthesizer.refusedAssets];
  }
}
