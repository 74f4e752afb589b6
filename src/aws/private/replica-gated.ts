import { CfnOutput, CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { KmsResourceProvider, ProviderKind } from './providers';
import type { ReplicaPlacement } from './replica-input';
import { REPLICA_CHECK_TYPE } from '../handlers/resource-types';
import { SID } from '../key-policy-sids';

/** What a gated replica's stack holds instead of an AWS::KMS::ReplicaKey. */
export interface GatedReplica {
  /** Custom::CloudKmsReplicaCheck: the replica exists, is the primary's, and has the expected policy. */
  readonly check: CustomResource;
  /** arn:<partition>:kms:<replica region>:<account>:key/<primary key id>, known before the replica exists. */
  readonly replicaArn: string;
  /** The replica's ARN read from the check: whoever uses it waits for the check. */
  readonly keyArn: string;
  /** Where the approvers read the expected policy. */
  readonly policyOutput: CfnOutput;
}

/**
 * The role the replica check runs as, in the primary's stack: a gated replica's policy is fixed when the gate creates
 * it (before the replica's stack exists), and KMS accepts only principals that exist, so the principal that may read
 * the replica must come from the stack deployed first. It holds no permission of its own; the replica's policy lets it
 * read the replica (DescribeKey, GetKeyPolicy) and nothing else.
 */
export function replicaCheckRole(primary: IConstruct): iam.Role {
  const stack = Stack.of(primary);
  const id = 'CloudKmsReplicaCheckRole';
  return (stack.node.tryFindChild(id) as iam.Role | undefined) ?? new iam.Role(stack, id, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'cloud-kms-constructs: checks gated replicas of this stack\'s multi-Region keys (read only, granted by each replica\'s policy)',
  });
}

/** The replica's policy statement for its check: read the key and its policy, nothing else. */
export function replicaCheckStatement(role: iam.IRole): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: SID.CHECK_REPLICA,
    principals: [role],
    actions: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
    resources: ['*'],
  });
}

/**
 * The replica stack's part of a replica the dual-control gate creates: its ARN, the deploy-time check, and the expected
 * policy as an output of the primary's stack (deployed first, so every ARN in it is resolved there), which is what the
 * proposal carries and the approvers approve.
 */
export function gatedReplica(scope: Construct, placement: ReplicaPlacement, policy: iam.PolicyDocument, role: iam.IRole): GatedReplica {
  const { source, region } = placement;
  const stack = Stack.of(scope);
  const primaryStack = Stack.of(source.key);
  const replicaArn = stack.formatArn({ service: 'kms', resource: 'key', resourceName: source.key.keyId });
  const gateStack = source.custodianPolicy.gate ? Stack.of(source.custodianPolicy.gate).stackName : primaryStack.stackName;
  const outputId = `ReplicaPolicy${region.replace(/-/g, '')}`;
  const policyOutput = new CfnOutput(source.key, outputId, {
    description: `Expected key policy of the replica of ${source.key.node.path} in ${region} (${scope.node.path}): a custodian proposes ` +
      `{"keyId":"<primary key ARN>","operation":"ReplicateKey","policy":"<this text>","replicaRegion":"${region}"} to the dual-control ` +
      `gate of ${gateStack}, an approver approves it, the executor creates the replica; then deploy ${stack.stackName}`,
    value: primaryStack.toJsonString(policy),
  });
  const how = `a custodian proposes ReplicateKey of ${source.key.node.path} into ${region} with the policy in output ` +
    `${primaryStack.getLogicalId(policyOutput)} of stack ${primaryStack.stackName} to the dual-control gate of ${gateStack}, an approver other than ` +
    `the proposer approves it, the executor is invoked (docs/aws.md, Multi-Region keys); then deploy ${stack.stackName} again`;
  const provider = KmsResourceProvider.of(scope, ProviderKind.REPLICA_CHECK, role);
  const check = new CustomResource(scope, 'Resource', {
    serviceToken: provider.serviceToken,
    resourceType: REPLICA_CHECK_TYPE,
    // The check creates nothing; removing it leaves the replica as it is (retained, like its primary).
    removalPolicy: RemovalPolicy.RETAIN,
    properties: {
      ReplicaArn: replicaArn,
      // A CDK cross-region reference, as for AWS::KMS::ReplicaKey's PrimaryKeyArn.
      PrimaryArn: source.key.keyArn,
      Policy: policy,
      How: how,
    },
  });
  return { check, replicaArn, keyArn: check.getAttString('KeyArn'), policyOutput };
}
