/*
 * The guardrail records of OrganizationGuardrails: one per statement group, naming the policy that carries it, the
 * controls it enforces and, in words, what it does not reach.
 */
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ResolvedGuardrailInput } from './org-input';
import { ASSET_PUBLISHING_ROLE_PATTERNS } from './org-policies';
import { StatementGroup } from './org-statements';
import { Control } from '../../core/controls';
import { EvidenceLedger } from '../../core/evidence';
import { Enforcement } from '../../core/guardrails';
import { ACCESS_CONTROLS, AUDIT_LOGGING_CONTROLS, DELETION_CONTROLS, RESIDENCY_CONTROLS, ROTATION_CONTROLS } from '../../core/key-evidence';

/**
 * Keeping the trail and its bucket out of account administrators' reach protects audit information (AU-9) and leaves
 * its configuration to a subset of privileged users, the pipeline (AU-9(4)); the records themselves are evidenced by
 * the sink (AUDIT_LOGGING_CONTROLS), which these policies keep in place.
 */
const AUDIT_PROTECTION_CONTROLS = [...AUDIT_LOGGING_CONTROLS, Control.NIST_AU_9, Control.NIST_AU_9_4];

/** What neither SCPs nor RCPs reach, said in every record. */
const SCP_LIMITS = 'SCPs do not restrict the management account or service-linked roles.';
const RCP_LIMITS = 'RCPs do not restrict the management account\'s resources, AWS managed keys or service-linked roles.';

interface GroupFacts {
  readonly controls: Control[];
  readonly description: (input: ResolvedGuardrailInput) => string;
  /** What the group's statements cannot judge, whoever holds the exemptions. */
  readonly gap?: (input: ResolvedGuardrailInput) => string;
}

const list = (xs: string[]) => [...new Set(xs)].join(', ');

/**
 * SCP groups whose denials every principal meets, the deployment roles included: none of them exempts the pipeline,
 * so who can act as the pipeline does not weaken them.
 */
const NO_PIPELINE_EXEMPTION = new Set(['KeyDeletionWindow', 'PipelineEntry', 'DataResidency']);

/** What a group leaves to whoever can act as the deployment roles, when the pipeline's own identities are not named. */
function pipelineGap(group: StatementGroup, input: ResolvedGuardrailInput): string | undefined {
  if (group.kind !== 'scp' || input.deployers || NO_PIPELINE_EXEMPTION.has(group.name)) return undefined;
  return 'without pipelineDeployerArnPatterns, whoever the CDK bootstrap roles trust (by default everyone in the account) can act as '
    + 'the deployment roles, which these statements exempt: through cdk deploy, or by updating a stack that has a service role';
}

function partialOf(group: StatementGroup, input: ResolvedGuardrailInput, facts: GroupFacts): string | undefined {
  const gaps = [facts.gap?.(input), pipelineGap(group, input)].filter((g): g is string => g !== undefined);
  return gaps.length > 0 ? gaps.join('; ') : undefined;
}

const FACTS: Record<string, GroupFacts> = {
  KeyPolicyLockout: {
    controls: ACCESS_CONTROLS,
    description: (i) => 'No principal in a target account can put a key policy with the policy lockout safety check bypassed, and only '
      + `${list([...i.pipelineRoles, ...i.handlerRoles])} can create a key so (the golden pattern's dual-control keys, whose policy `
      + 'leaves PutKeyPolicy to the gate\'s executor).',
  },
  KeyDeletionWindow: {
    controls: DELETION_CONTROLS,
    description: (i) => `No principal in a target account can schedule a key's deletion with a waiting period under ${i.profile.minDeletionWindowDays} days.`,
  },
  KeyRotation: {
    controls: ROTATION_CONTROLS,
    description: (i) => `No principal in a target account can set a key's rotation period over ${i.profile.maxRotationDays} days`
      + `${i.profile.maxRotationDays < 365 ? ' (nor leave it to KMS\'s default of 365 days)' : ''}; only the deployment roles, the `
      + 'dual-control executor and the break-glass role can turn rotation off. Keys that cannot rotate (imported material, '
      + 'asymmetric, HMAC, custom key stores) are outside this: their cryptoperiod is enforced by their own constructs.',
  },
  KeyAdministration: {
    controls: ACCESS_CONTROLS,
    description: (i) => 'Only the deployment roles, the dual-control executor, the library\'s custom resource handlers and the break-glass '
      + 'role can put key policies, disable or enable, schedule or cancel deletion of, replicate, move the primary region of, or import '
      + 'or delete key material of keys, move or delete aliases, or create or revoke grants other than those an AWS service makes '
      + `for one of its resources (kms:GrantIsForAWSResource) (exempt: ${list([...i.pipelineRoles, ...i.executorRoles, ...i.handlerRoles, i.breakGlassRoleArn])}).`
      + `${i.importers.length > 0 ? ` Key material may also be imported by ${list(i.importers)}.` : ''}`
      + ' The deployment roles act alone: dual control holds where the key policy requires it.',
  },
  ExemptPrincipals: {
    controls: ACCESS_CONTROLS,
    description: (i) => `Only ${list([...i.pipelineRoles, ...i.roleAdministrators])} can create, delete or change the exempt roles and only `
      + `${list([...i.pipelineRoles, ...i.pipelinePassers])} can pass the deployment or executor roles; only the deployment roles can change `
      + 'the code, configuration, concurrency, resource policy or asynchronous-invocation configuration of, or delete, the executor '
      + `and handler functions (${list([...i.executorFunctions, ...i.handlerFunctions])}). ${i.deployers ? `Only ${list(i.deployers)} can assume the deploy roles or change stacks (PipelineEntry).`
        : 'Whoever the deployment roles\' trust policies admit (by default the account itself for the CDK deploy role) acts as the '
        + 'pipeline, and anyone who may update a stack acts with its CloudFormation service role: this is only as strong as those '
        + 'trust policies.'}`,
  },
  HandlerAssets: {
    controls: ACCESS_CONTROLS,
    description: (i) => `Only ${list([...i.pipelineRoles, ...i.pipelinePassers, ...(i.deployers ?? []), ...ASSET_PUBLISHING_ROLE_PATTERNS])} `
      + 'can write or delete objects of the CDK bootstrap asset buckets (cdk-*-assets-*) or push or delete images of its container '
      + 'asset repositories (cdk-*-container-assets-*), the code the pipeline deploys next. '
      + `${i.deployers ? '' : 'The bootstrap publishing roles trust the whole account, so without pipelineDeployerArnPatterns any '
        + 'principal of the account that may assume them can still publish assets. '}Asset buckets or repositories renamed at bootstrap `
      + '(a custom bucket or repository name) are outside these patterns.',
  },
  PipelineEntry: {
    controls: ACCESS_CONTROLS,
    description: (i) => `Only ${list(i.deployers ?? [])} can assume the deploy roles and the asset publishing roles `
      + `(${list([...i.pipelinePassers, ...ASSET_PUBLISHING_ROLE_PATTERNS])}), and only they and the `
      + 'deployment roles can create, update or delete stacks: the pipeline is the only way to act as the deployment roles.',
  },
  AuditTrail: {
    controls: AUDIT_PROTECTION_CONTROLS,
    description: (i) => `Only the deployment roles can stop, delete, update or change the event selectors of trails named ${list(i.trails)}.`,
  },
  AuditBucket: {
    controls: AUDIT_PROTECTION_CONTROLS,
    description: (i) => 'Only the deployment roles can change the lifecycle, policy, Object Lock configuration, ACL, object ownership, '
      + `public access block or replication of buckets named ${list(i.buckets)}; `
      + 'no principal can bypass their governance-mode retention.',
  },
  KeyBaseline: {
    controls: AUDIT_PROTECTION_CONTROLS,
    description: (i) => `Only the StackSet execution role ${i.baseline?.executionRoleName} can change or delete the key baseline's `
      + `resources named ${i.baseline?.resourcePrefix}-*: the key-policy drift detector (function, rule, role, log group), the audit `
      + 'sink\'s EventBridge rules, alarms, alarm topic (its policy and subscriptions), trail delivery role and managed policy, the '
      + 'trail log group and its metric filters, the baseline trail and the conformance pack; BaselineStackSet refuses a baseline '
      + 'resource not named so, except subscriptions, topic policies, Lambda permissions and inline role policies (changed only '
      + 'through their prefixed topic, function or role), the audit key (its key policy and KeyAdministration) and the audit bucket '
      + `and its policy (AuditBucket, only where ${list(i.buckets)} match CloudFormation's generated bucket name). No one may create `
      + 'or take over a role named stacksets-exec-*; only the execution role, the deployment roles and the break-glass role can stop, '
      + 'narrow or reconfigure AWS Config recording or its delivery channel, delete evaluation results, or delete or rewrite a '
      + 'conformance pack. This keeps the detective controls running; what they detect is still only detected.',
  },
  KeyIdentityPerimeter: {
    controls: ACCESS_CONTROLS,
    description: (i) => `Principals outside organization ${i.organizationId} cannot use or manage customer managed keys of target accounts, and AWS `
      + 'services can only when acting for an account of the organization. kms:RetireGrant is outside RCPs.',
  },
  DataResidency: {
    controls: RESIDENCY_CONTROLS,
    description: (i) => 'No principal in a target account, the deployment roles and the break-glass role included, can send a KMS request to '
      + `a region other than ${list(i.profile.allowedRegions)}, replicate a key into one, or create a trail, event data store, bucket, log `
      + 'group, log delivery or CloudHSM cluster in one; no one can copy a CloudHSM backup to another region, replicate a bucket or '
      + 'subscribe a log stream to a destination (any of which may be in another region). Keys, trails and buckets that exist in other '
      + 'regions before the policy is attached are not moved.',
    gap: (i) => 'an SCP cannot see the region of the bucket a trail delivers to, nor where an external key store\'s proxy is: '
      + `${list(i.pipelineRoles)} may still create or update trails, and they and ${list(i.handlerRoles)} external key stores, `
      + 'whose bucket or proxy may be in any region; and events:PutTargets is not restricted, so anyone may forward key events to an '
      + 'event bus in another region',
  },
  AuditBucketTransport: {
    controls: AUDIT_PROTECTION_CONTROLS,
    description: (i) => `Every request without TLS to buckets named ${list(i.buckets)} is denied, whoever makes it.`,
  },
};

/** Records each group against the policy resource whose document carries its first statement. */
export function recordGuardrails(scope: IConstruct, input: ResolvedGuardrailInput, groups: StatementGroup[],
  policyOf: (sid: string) => IConstruct): void {
  const ledger = EvidenceLedger.of(scope);
  const stack = Stack.of(scope).node.path;
  for (const group of groups) {
    const facts = FACTS[group.name];
    const scp = group.kind === 'scp';
    ledger.registerGuardrail({
      path: policyOf(group.statements[0].Sid).node.path,
      stack,
      cloud: 'aws',
      enforcement: Enforcement.PREVENTIVE,
      mechanism: scp ? 'AWS Organizations service control policy' : 'AWS Organizations resource control policy',
      name: group.name,
      description: `${facts.description(input)} ${scp ? SCP_LIMITS : RCP_LIMITS}`,
      controls: facts.controls,
      targets: input.targetIds,
      profile: input.profile.name,
      ...(partialOf(group, input, facts) ? { partial: partialOf(group, input, facts) } : {}),
    });
  }
}
