/*
 * The key baseline's physical names. The organisation policy that keeps member-account administrators from silencing
 * the baseline (ProtectKeyBaselineResources, private/stackset-protection.ts) matches resources by the baseline prefix,
 * so every resource of the baseline that an administrator could use to silence detection either carries the prefix in
 * its name or is of a type whose every change is authorized on a prefixed resource (or by another statement).
 */
import { Aws, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { shown } from '../../core/validation';

/** The name property of each resource type the baseline names with its prefix; `global`: IAM, one name per account. */
const NAMED_TYPES: Record<string, { readonly prop: string; readonly global?: boolean }> = {
  'AWS::SNS::Topic': { prop: 'TopicName' },
  'AWS::Events::Rule': { prop: 'Name' },
  'AWS::IAM::Role': { prop: 'RoleName', global: true },
  'AWS::IAM::ManagedPolicy': { prop: 'ManagedPolicyName', global: true },
  'AWS::CloudWatch::Alarm': { prop: 'AlarmName' },
  'AWS::Logs::MetricFilter': { prop: 'FilterName' },
  'AWS::Logs::LogGroup': { prop: 'LogGroupName' },
  'AWS::Lambda::Function': { prop: 'FunctionName' },
  'AWS::CloudTrail::Trail': { prop: 'TrailName' },
  'AWS::Config::ConformancePack': { prop: 'ConformancePackName' },
};

/**
 * The baseline's resource types that carry no prefixed name, and what protects them instead. Said in the KeyBaseline
 * evidence; any other type is refused at synthesis.
 */
export const UNNAMED_BASELINE_TYPES: Record<string, string> = {
  'AWS::SNS::Subscription': 'its topic\'s (sns:Unsubscribe)',
  'AWS::SNS::TopicPolicy': 'its topic\'s (sns:SetTopicAttributes, sns:AddPermission, sns:RemovePermission)',
  'AWS::Lambda::Permission': 'its function\'s (lambda:AddPermission, lambda:RemovePermission)',
  'AWS::IAM::Policy': 'its role\'s (iam:PutRolePolicy, iam:DeleteRolePolicy)',
  // Predictable global bucket names could be taken by anyone first; the name stays CloudFormation's.
  'AWS::S3::Bucket': 'the AuditBucket statement\'s, where auditBucketNamePatterns match its CloudFormation-generated name',
  'AWS::S3::BucketPolicy': 'the AuditBucket statement\'s (s3:PutBucketPolicy, s3:DeleteBucketPolicy on the bucket)',
  'AWS::KMS::Key': 'its key policy\'s and the KeyAdministration statement\'s',
};

/** The kebab-case form of a construct id: `KeyEscalationRule` -> `key-escalation-rule`. */
function kebab(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/[^A-Za-z0-9-]/g, '-').toLowerCase();
}

/**
 * Gives every resource under `scope` that CloudFormation would otherwise name a name under `prefix`:
 * `<prefix>-<construct id>` (with the region for IAM, whose names are global to an account). Log groups keep their
 * service path and are left alone (the baseline names them itself).
 */
export function nameBaselineResources(scope: IConstruct, prefix: string): void {
  for (const child of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(child)) continue;
    const named = NAMED_TYPES[child.cfnResourceType];
    if (!named || child.cfnResourceType === 'AWS::Logs::LogGroup') continue;
    // The L1 classes expose each property under its camel-case name (CfnTopic.topicName, CfnRule.name, ...); an L2
    // without a physical name passes a token that resolves to nothing.
    const given = (child as unknown as Record<string, unknown>)[lowerFirst(named.prop)];
    if (Stack.of(child).resolve(given) !== undefined) continue;
    const id = child.node.id === 'Resource' && child.node.scope ? child.node.scope.node.id : child.node.id;
    const base = `${prefix}-${kebab(id)}`;
    const name = named.global ? `${base}-${Aws.REGION}` : base;
    child.addPropertyOverride(named.prop, name);
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The literal start of a name: the whole string, or a join's leading literal parts. */
function literalStart(value: unknown): string | undefined {
  if (typeof value === 'string') return Token.isUnresolved(value) ? undefined : value;
  const join = (value as any)?.['Fn::Join'];
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  let start = '';
  for (const part of join[1]) {
    if (typeof part !== 'string') break;
    start += part + join[0];
  }
  return start || undefined;
}

/**
 * Every resource of the baseline template that is neither named under `prefix` nor of a type protected otherwise
 * (UNNAMED_BASELINE_TYPES), one sentence each: the organisation policy would not protect it.
 */
export function baselineNameFindings(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> },
  prefix: string): string[] {
  const findings: string[] = [];
  const logGroupPrefixes = [`/aws/lambda/${prefix}-`, `/aws/cloudtrail/${prefix}-`];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const named = NAMED_TYPES[resource.Type];
    if (!named) {
      if (UNNAMED_BASELINE_TYPES[resource.Type] === undefined) {
        findings.push(`the StackSet baseline resource ${id} is of type ${resource.Type}, which the organisation policy protecting the ` +
          `baseline does not cover: only ${Object.keys(NAMED_TYPES).join(', ')} (named ${prefix}-*) and ` +
          `${Object.keys(UNNAMED_BASELINE_TYPES).join(', ')} are`);
      }
      continue;
    }
    const start = literalStart(resource.Properties?.[named.prop]);
    const prefixes = resource.Type === 'AWS::Logs::LogGroup' ? logGroupPrefixes : [`${prefix}-`];
    if (start === undefined || !prefixes.some((p) => start.startsWith(p))) {
      findings.push(`the StackSet baseline ${resource.Type} ${id} has the name ${shown(resource.Properties?.[named.prop] ?? null)}, not one ` +
        `starting with ${prefixes.join(' or ')}: the organisation policy protecting the baseline would not cover it`);
    }
  }
  return findings;
}
