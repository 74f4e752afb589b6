/*
 * Asks a real IAM evaluator (@cloud-copilot/iam-simulate's runUnsafeSimulation) what AWS would decide for one request
 * in a member account of an organisation, with the service and resource control policies of a synthesized template
 * attached at one organizational unit. As in a real organisation, FullAWSAccess and RCPFullAWSAccess are attached at
 * every level (root, OU, account): our policies can only take permissions away. Nothing here evaluates IAM.
 *
 * runUnsafeSimulation is used (not runSimulation) because the validating entry point drops context keys it does not
 * list for an action; every key a request carries is set here explicitly instead (see roleSession, servicePrincipal).
 */
import { dirname } from 'path';
import { runUnsafeSimulation, Simulation } from '@cloud-copilot/iam-simulate';

export type OrgDecision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export const ORG_ID = 'o-exampleorg1';
export const OTHER_ORG_ID = 'o-otherorg999';
export const MEMBER_ACCOUNT = '111111111111';
export const OUTSIDE_ACCOUNT = '999999999999';
export const REGION = 'us-east-1';

const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const RCP_FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
/** The AWS managed policy AdministratorAccess. */
export const ADMINISTRATOR_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** The organisation policies of a template, by type. */
export interface OrgPolicies {
  readonly scps: unknown[];
  readonly rcps: unknown[];
}

/** Reads the AWS::Organizations::Policy documents of a synthesized template. */
export function orgPoliciesOf(template: { Resources?: Record<string, any> }): OrgPolicies {
  const policies = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::Organizations::Policy');
  const content = (type: string) => policies.filter((p) => p.Properties.Type === type).map((p) => p.Properties.Content);
  return { scps: content('SERVICE_CONTROL_POLICY'), rcps: content('RESOURCE_CONTROL_POLICY') };
}

/** Who makes a request: the principal string the evaluator sees and the global keys AWS adds for it. */
export interface Caller {
  readonly principal: string;
  readonly context: Record<string, string | string[]>;
  /** Whether the caller is an IAM principal of a member account, to which the organisation's SCPs apply. */
  readonly inOrganization: boolean;
}

/** A session of role `name` in `account` (aws:PrincipalArn is the role's ARN, not the session's). */
export function roleSession(name: string, account = MEMBER_ACCOUNT, orgId: string | undefined = ORG_ID): Caller {
  const context: Record<string, string> = {
    'aws:PrincipalArn': `arn:aws:iam::${account}:role/${name}`,
    'aws:PrincipalAccount': account,
    'aws:PrincipalIsAWSService': 'false',
    'aws:PrincipalType': 'AssumedRole',
  };
  if (orgId) context['aws:PrincipalOrgID'] = orgId;
  return { principal: `arn:aws:sts::${account}:assumed-role/${name}/session`, context, inOrganization: orgId === ORG_ID };
}

/** An AWS service principal acting for `sourceAccount` of `sourceOrgId`. */
export function servicePrincipal(service: string, sourceAccount: string, sourceOrgId: string): Caller {
  return {
    principal: service,
    context: {
      'aws:PrincipalIsAWSService': 'true',
      'aws:PrincipalServiceName': service,
      'aws:SourceAccount': sourceAccount,
      'aws:SourceOrgID': sourceOrgId,
      'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${sourceAccount}:trail/org-trail`,
    },
    inOrganization: false,
  };
}

export interface OrgRequest {
  readonly caller: Caller;
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource (a member account unless said otherwise). */
  readonly resourceAccount?: string;
  /** Request keys besides the caller's, e.g. `kms:ScheduleKeyDeletionPendingWindowInDays`. TLS is on unless set. */
  readonly context?: Record<string, string | string[]>;
  /** The caller's identity policies (AdministratorAccess unless given). */
  readonly identityPolicies?: unknown[];
  /** The resource's own policy (a key policy, a bucket policy), if any. */
  readonly resourcePolicy?: unknown;
}

/**
 * What AWS decides. The SCPs apply when the caller is a principal of a member account; the RCPs apply to every request
 * for a resource of a member account (they are attached at the resource's OU).
 */
export function decideInOrg(policies: OrgPolicies, request: OrgRequest): OrgDecision {
  const resourceAccount = request.resourceAccount ?? MEMBER_ACCOUNT;
  const ours = (docs: unknown[], prefix: string) => docs.map((policy, i) => ({ name: `${prefix}-${i + 1}`, policy }));
  const scpLevels = request.caller.inOrganization ? [
    { orgIdentifier: 'r-root', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
    { orgIdentifier: 'ou-root-workloads', policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }, ...ours(policies.scps, 'scp')] },
    { orgIdentifier: request.caller.context['aws:PrincipalAccount'] as string, policies: [{ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS }] },
  ] : [];
  const rcpLevels = resourceAccount === OUTSIDE_ACCOUNT ? [] : [
    { orgIdentifier: 'r-root', policies: [{ name: 'RCPFullAWSAccess', policy: RCP_FULL_AWS_ACCESS }] },
    { orgIdentifier: 'ou-root-workloads', policies: [{ name: 'RCPFullAWSAccess', policy: RCP_FULL_AWS_ACCESS }, ...ours(policies.rcps, 'rcp')] },
    { orgIdentifier: resourceAccount, policies: [{ name: 'RCPFullAWSAccess', policy: RCP_FULL_AWS_ACCESS }] },
  ];
  const isService = request.caller.context['aws:PrincipalIsAWSService'] === 'true';
  const simulation: Simulation = {
    request: {
      principal: request.caller.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: {
        'aws:SecureTransport': 'true',
        'aws:RequestedRegion': REGION,
        'aws:ResourceAccount': resourceAccount,
        ...request.caller.context,
        ...request.context,
      },
    },
    identityPolicies: isService ? [] : (request.identityPolicies ?? [ADMINISTRATOR_ACCESS]).map((policy, i) => ({ name: `identity-${i + 1}`, policy })),
    serviceControlPolicies: scpLevels,
    resourceControlPolicies: rcpLevels,
    // A pre-validated document: the unsafe entry point otherwise loads the resource policy without a name and fails.
    resourcePolicy: request.resourcePolicy === undefined ? undefined
      : { __validated: true, policyDocument: request.resourcePolicy, metadata: { name: 'ResourcePolicy' }, errors: [] },
  };
  return runUnsafeSimulation(simulation, {}) as OrgDecision;
}

/** The default key policy: the account delegates to IAM, so identity policies (AdministratorAccess) decide. */
export function accountKeyPolicy(account = MEMBER_ACCOUNT, extraStatements: unknown[] = []): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
      ...extraStatements,
    ],
  };
}

interface PolicyValidator {
  validateServiceControlPolicy(policy: unknown): { message: string; path: string }[];
  validateResourceControlPolicy(policy: unknown): { message: string; path: string }[];
}

/**
 * The policy grammar checks of @cloud-copilot/iam-policy, the parser iam-simulate itself uses (loaded from beside
 * iam-simulate: it is that package's dependency, not ours).
 */
export function policyValidator(): PolicyValidator {
  const at = dirname(require.resolve('@cloud-copilot/iam-simulate'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('@cloud-copilot/iam-policy', { paths: [at] })) as PolicyValidator;
}
