import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { ResourceEvent } from '../../../src/aws/handlers/common';
import { handler } from '../../../src/aws/handlers/on-event.lambda';
import { onEvent, REPLICA_CHECK_TYPE, resetClient } from '../../../src/aws/handlers/replica-check';

// Custom::CloudKmsReplicaCheck: a gated replica's stack checks the replica the dual-control gate created.
const kms = mockClient(KMSClient);
const KEY_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';
const PRIMARY = `arn:aws:kms:eu-west-1:111111111111:key/${KEY_ID}`;
const REPLICA = `arn:aws:kms:eu-central-1:111111111111:key/${KEY_ID}`;
const POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AllowKeyUse', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Card' }, Action: ['kms:Decrypt'], Resource: '*' },
    { Sid: 'AllowDualControlExecutor', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Exec' }, Action: ['kms:PutKeyPolicy'], Resource: '*' },
  ],
};
const props = { ServiceToken: 'arn', ReplicaArn: REPLICA, PrimaryArn: PRIMARY, Policy: POLICY, How: 'propose ReplicateKey (see output X)' };
const event = (over: Partial<ResourceEvent> = {}): ResourceEvent => ({
  RequestType: 'Create', ResourceType: REPLICA_CHECK_TYPE, LogicalResourceId: 'Replica', RequestId: 'r', StackId: 's', ResourceProperties: props, ...over,
});
const replicaOf = (primaryArn: string, type = 'REPLICA', state = 'Enabled') => ({
  KeyMetadata: {
    KeyId: KEY_ID,
    Arn: REPLICA,
    MultiRegion: true,
    KeyState: state as any,
    MultiRegionConfiguration: { MultiRegionKeyType: type as any, PrimaryKey: { Arn: primaryArn, Region: 'eu-west-1' } },
  },
});

beforeEach(() => {
  kms.reset();
  resetClient();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

test('passes for a replica of the primary with exactly the expected policy (whitespace and key order aside), returning its ARN', async () => {
  kms.on(DescribeKeyCommand).resolves(replicaOf(PRIMARY));
  // KMS returns the policy text as stored: another key order and indentation, the same policy.
  const stored = JSON.stringify({ Statement: POLICY.Statement.map(({ Sid, ...rest }) => ({ ...rest, Sid })), Version: '2012-10-17' }, null, 2);
  kms.on(GetKeyPolicyCommand).resolves({ Policy: stored });
  expect(await onEvent(event())).toEqual({ PhysicalResourceId: REPLICA, Data: { KeyArn: REPLICA } });
  expect(kms.commandCalls(DescribeKeyCommand)[0].args[0].input).toEqual({ KeyId: REPLICA });
  expect(kms.commandCalls(GetKeyPolicyCommand)[0].args[0].input).toEqual({ KeyId: REPLICA, PolicyName: 'default' });
  // The generic onEvent entry point routes the type here (not the gate's executor).
  expect(await handler(event())).toEqual({ PhysicalResourceId: REPLICA, Data: { KeyArn: REPLICA } });
});

test('fails for a missing replica, saying to create it through the dual-control gate and how', async () => {
  kms.on(DescribeKeyCommand).rejects(new NotFoundException({ message: 'Key not found', $metadata: {} }));
  await expect(onEvent(event())).rejects.toThrow(
    `the replica ${REPLICA} does not exist: create the replica through the dual-control gate first: propose ReplicateKey (see output X)`);
  expect(kms.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
});

test('fails for a replica of another key, and for a key that is not a replica', async () => {
  const other = 'arn:aws:kms:us-east-1:111111111111:key/mrk-ffff';
  kms.on(DescribeKeyCommand).resolves(replicaOf(other));
  await expect(onEvent(event())).rejects.toThrow(`${REPLICA} is a replica of ${other}, not of ${PRIMARY}: create the replica through the dual-control gate first`);
  kms.on(DescribeKeyCommand).resolves(replicaOf(PRIMARY, 'PRIMARY'));
  await expect(onEvent(event())).rejects.toThrow(`${REPLICA} is not a multi-Region replica (it is PRIMARY)`);
  kms.on(DescribeKeyCommand).resolves(replicaOf(PRIMARY, 'REPLICA', 'PendingDeletion'));
  await expect(onEvent(event())).rejects.toThrow(/is PendingDeletion: cancel its deletion through the dual-control gate/);
  expect(kms.commandCalls(GetKeyPolicyCommand)).toHaveLength(0);
});

test('fails for a replica with a different policy (one more principal allowed to decrypt)', async () => {
  kms.on(DescribeKeyCommand).resolves(replicaOf(PRIMARY));
  const widened = { ...POLICY, Statement: [...POLICY.Statement, { Sid: 'Extra', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }] };
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(widened) });
  await expect(onEvent(event())).rejects.toThrow(`the replica ${REPLICA} has a key policy other than the one this stack expects`);
  // A policy string property (rather than an object) compares the same way.
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(POLICY) });
  const asText = event({ ResourceProperties: { ...props, Policy: JSON.stringify(POLICY) } });
  expect(await onEvent(asText)).toEqual({ PhysicalResourceId: REPLICA, Data: { KeyArn: REPLICA } });
});

test('delete touches nothing (the replica is retained); missing properties are refused', async () => {
  expect(await onEvent(event({ RequestType: 'Delete', PhysicalResourceId: REPLICA }))).toEqual({ PhysicalResourceId: REPLICA });
  expect(kms.calls()).toHaveLength(0);
  await expect(onEvent(event({ ResourceProperties: { ...props, PrimaryArn: '' } }))).rejects.toThrow('property PrimaryArn is required');
  await expect(onEvent(event({ ResourceProperties: { ...props, Policy: undefined } }))).rejects.toThrow('property Policy is required');
});

test('other errors fail the deployment with their name', async () => {
  kms.on(DescribeKeyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  await expect(onEvent(event())).rejects.toThrow('AccessDeniedException: denied');
});
