/*
 * Custom::CloudKmsReplicaCheck: the replica stack of a dual-control multi-Region key does not create its replica
 * (the dual-control gate does, after two approvals); it checks, in the replica's region, that the replica exists, is a
 * replica of that primary, and has exactly the key policy the stack expects. Anything else fails the deployment, so
 * nothing in the stack (aliases, consumers of the key's ARN) is built on a replica nobody approved.
 *
 * Properties: ReplicaArn, PrimaryArn, Policy (the expected policy, JSON), How (what to do when the replica is missing).
 * Returns Data.KeyArn (the replica's ARN): consumers read it from here, so they wait for the check. Delete does nothing
 * (the replica is retained, like its primary). No CDK imports: bundled into Lambda.
 */
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { errorName, isNotFound, log, OnEventResult, required, ResourceError, ResourceEvent, withRetry } from './common';
import { canonicalJson } from './gate-request';

export { REPLICA_CHECK_TYPE } from './resource-types';

let client: KMSClient | undefined;
const kms = () => (client ??= new KMSClient({}));

/** The policy as a value, so whitespace and key order do not count; text that is not JSON compares as text. */
function normalized(policy: unknown): string {
  if (typeof policy !== 'string') return canonicalJson(policy);
  try {
    return canonicalJson(JSON.parse(policy));
  } catch {
    return policy;
  }
}

async function check(replicaArn: string, primaryArn: string, expected: string, how: string): Promise<void> {
  const missing = `create the replica through the dual-control gate first: ${how}`;
  let metadata;
  try {
    metadata = (await withRetry('DescribeKey', () => kms().send(new DescribeKeyCommand({ KeyId: replicaArn })))).KeyMetadata;
  } catch (e) {
    if (isNotFound(e)) throw new ResourceError(`the replica ${replicaArn} does not exist: ${missing}`);
    throw e;
  }
  const config = metadata?.MultiRegionConfiguration;
  if (!metadata || !metadata.MultiRegion || config?.MultiRegionKeyType !== 'REPLICA') {
    throw new ResourceError(`${replicaArn} is not a multi-Region replica (it is ${config?.MultiRegionKeyType ?? 'a single-Region key'}): ${missing}`);
  }
  if (config.PrimaryKey?.Arn !== primaryArn) {
    throw new ResourceError(`${replicaArn} is a replica of ${config.PrimaryKey?.Arn ?? 'an unknown key'}, not of ${primaryArn}: ${missing}`);
  }
  if (metadata.KeyState === 'PendingDeletion' || metadata.KeyState === 'PendingReplicaDeletion') {
    throw new ResourceError(`the replica ${replicaArn} is ${metadata.KeyState}: cancel its deletion through the dual-control gate (CancelKeyDeletion)`);
  }
  const policy = (await withRetry('GetKeyPolicy', () => kms().send(new GetKeyPolicyCommand({ KeyId: replicaArn, PolicyName: 'default' })))).Policy;
  if (normalized(policy ?? '') !== normalized(expected)) {
    throw new ResourceError(`the replica ${replicaArn} has a key policy other than the one this stack expects (the stack output ` +
      'of the primary\'s stack shows it): have it changed through the dual-control gate (PutKeyPolicy with the expected policy), ' +
      'or deploy the policy the replica has');
  }
}

export async function onEvent(event: ResourceEvent): Promise<OnEventResult> {
  log(event, 'onEvent');
  const props = event.ResourceProperties;
  const replicaArn = required(props, 'ReplicaArn');
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? replicaArn };
  const primaryArn = required(props, 'PrimaryArn');
  const expected = typeof props.Policy === 'string' ? props.Policy : JSON.stringify(props.Policy ?? '');
  if (expected === '' || expected === '""') throw new ResourceError('property Policy is required');
  try {
    await check(replicaArn, primaryArn, expected, String(props.How ?? 'propose ReplicateKey with the expected policy'));
    return { PhysicalResourceId: replicaArn, Data: { KeyArn: replicaArn } };
  } catch (e) {
    if (e instanceof ResourceError) throw e;
    throw new ResourceError(`${errorName(e)}: ${(e as Error).message}`);
  }
}

/** For tests. */
export function resetClient(): void {
  client = undefined;
}
