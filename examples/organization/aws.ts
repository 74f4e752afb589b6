import { App, Stack } from 'aws-cdk-lib';
import { ComplianceProfile, aws } from '../../src';

/** The management account (or the delegated administrator for Organizations policies) of the example organisation. */
export const MANAGEMENT_ACCOUNT = '210987654321';
export const ORGANIZATION_ID = 'o-a1b2c3d4e5';
/** The account of the CI/CD pipeline that deploys the payment stacks. */
export const DEPLOYMENT_ACCOUNT = '345678901234';
/** The organizational unit of the payment workloads, and the sandbox account kept on the commercial profile. */
export const PAYMENTS_OU = 'ou-a1b2-paym3nts';
export const SANDBOX_ACCOUNT = '123456789012';
/** The organizational unit of the health-data workloads (HIPAA), whose accounts get the key baseline by StackSet. */
export const HEALTH_OU = 'ou-a1b2-h3a1th01';
/** The StackSet execution role service-managed StackSets created in the member accounts (IAM console of any of them). */
export const STACKSET_EXECUTION_ROLE = 'stacksets-exec-0123456789abcdef0123456789abcdef';

/**
 * Organisation guardrails for the payment workloads (PCI DSS) and a sandbox account (commercial): service control
 * policies no member-account administrator can switch off, and a resource control policy that keeps the keys inside
 * the organisation. The golden pattern deploys with CDK (bootstrapped by a StackSet) and the dual-control gate. The
 * health-data OU also gets the key baseline in every account and region by a service-managed StackSet (audit sink,
 * key-policy drift alarm, AWS Config rules generated from the rule pack), which its guardrails keep out of reach of the
 * accounts' administrators. (A baseline under PCI DSS is refused for now: its dual-control gate is a Lambda asset.)
 */
export function organizationAwsApp(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'OrganizationGuardrails', { env: { account: MANAGEMENT_ACCOUNT, region: 'us-east-1' } });
  new aws.OrganizationGuardrails(stack, 'Payments', {
    profile: ComplianceProfile.PCI_DSS,
    targetIds: [PAYMENTS_OU],
    organizationId: ORGANIZATION_ID,
    // The payment stacks name their sink's trail and bucket (KeyAuditSink trailName; bucket names from CloudFormation
    // carry the sink's id `Audit`).
    auditTrailNamePatterns: ['payments-kms-audit*'],
    auditBucketNamePatterns: ['payments*-auditbucket*'],
    // The exemptions named as narrowly as the payment stacks allow (the defaults match any stack's executor and
    // handlers): CloudFormation names the gate's executor and the library's handlers after their stack, `Payments...`.
    dualControlExecutorRoleArnPatterns: ['arn:*:iam::*:role/Payments*-*ExecutorRole*'],
    dualControlExecutorFunctionNamePatterns: ['Payments*-*Executor*'],
    handlerRoleArnPatterns: ['arn:*:iam::*:role/Payments*-CloudKmsConstructs*'],
    handlerFunctionNamePatterns: ['Payments*-CloudKmsConstructs*'],
    // The CI/CD identity that runs `cdk deploy` (in the deployment account): only it may assume the bootstrap deploy and
    // asset publishing roles.
    pipelineDeployerArnPatterns: [`arn:aws:iam::${DEPLOYMENT_ACCOUNT}:role/payments-pipeline-deployer`],
  });
  new aws.OrganizationGuardrails(stack, 'Sandbox', {
    profile: ComplianceProfile.COMMERCIAL,
    targetIds: [SANDBOX_ACCOUNT],
    organizationId: ORGANIZATION_ID,
  });
  const rollout = new aws.BaselineStackSet(stack, 'HealthBaseline', {
    baseline: {
      profile: ComplianceProfile.HIPAA,
      administratorRoleNames: ['kms-key-admin'],
      auditorRoleNames: ['security-audit'],
      executionRoleName: STACKSET_EXECUTION_ROLE,
      notificationEmails: ['security-alerts@example.com'],
      // No policyWriterRoleNames: the baseline holds no dual-control gate (a StackSet cannot deploy its handler), so no
      // executor writes key policies there; every write but the execution role's and the CDK deployment role's is drift.
    },
    organizationalUnitIds: [HEALTH_OU],
    regions: ['us-east-1', 'us-west-2'],
  });
  new aws.OrganizationGuardrails(stack, 'Health', {
    profile: ComplianceProfile.HIPAA,
    targetIds: [HEALTH_OU],
    organizationId: ORGANIZATION_ID,
    baseline: { resourcePrefix: rollout.baseline.resourcePrefix, executionRoleName: rollout.baseline.executionRoleName },
  });
  return app;
}
