import {
  CreateKeyCommand, DescribeKeyCommand, KMSClient, PutKeyPolicyCommand, ScheduleKeyDeletionCommand, TagResourceCommand,
  UntagResourceCommand, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { ResourceEvent } from '../../../src/aws/handlers/common';
import { onEvent, resetClient, STORE_KEY_TYPE } from '../../../src/aws/handlers/store-key';

const kms = mockClient(KMSClient);
const policy = { Version: '2012-10-17', Statement: [{ Sid: 'AllowKeyUse', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:role/x' }, Action: 'kms:Decrypt', Resource: '*' }] };
const props = {
  ServiceToken: 'arn',
  CustomKeyStoreId: 'cks-1',
  Origin: 'EXTERNAL_KEY_STORE',
  XksKeyId: 'xks-key-1',
  Description: 'HYOK key',
  KeyPolicy: policy,
  PendingWindowInDays: '30',
  Tags: [{ TagKey: 'tenant', TagValue: 'a' }],
};
const event = (over: Partial<ResourceEvent> = {}): ResourceEvent => ({
  RequestType: 'Create', ResourceType: STORE_KEY_TYPE, LogicalResourceId: 'Key', RequestId: 'r', StackId: 's', ResourceProperties: props, ...over,
});
const ARN = 'arn:aws:kms:us-east-1:111111111111:key/k-1';

beforeEach(() => {
  kms.reset();
  resetClient();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

test('create: an XKS key with the separation-of-duties policy, not bypassing the lockout check unless asked', async () => {
  kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', Arn: ARN } });
  expect(await onEvent(event())).toEqual({ PhysicalResourceId: 'k-1', Data: { KeyId: 'k-1', Arn: ARN } });
  expect(kms.commandCalls(CreateKeyCommand)[0].args[0].input).toEqual({
    CustomKeyStoreId: 'cks-1',
    Origin: 'EXTERNAL_KEY_STORE',
    XksKeyId: 'xks-key-1',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Description: 'HYOK key',
    Policy: JSON.stringify(policy),
    BypassPolicyLockoutSafetyCheck: false,
    Tags: [{ TagKey: 'tenant', TagValue: 'a' }],
  });
});

test('create: a dual-control key skips the lockout check (only the gate executor holds PutKeyPolicy)', async () => {
  kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-3', Arn: ARN } });
  await onEvent(event({ ResourceProperties: { ...props, BypassPolicyLockoutSafetyCheck: 'true' } }));
  expect(kms.commandCalls(CreateKeyCommand)[0].args[0].input).toMatchObject({ BypassPolicyLockoutSafetyCheck: true });
});

test('create: a CloudHSM key has no XKS key id', async () => {
  kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-2', Arn: ARN } });
  await onEvent(event({ ResourceProperties: { ...props, Origin: 'AWS_CLOUDHSM', XksKeyId: undefined } }));
  expect(kms.commandCalls(CreateKeyCommand)[0].args[0].input).toMatchObject({ Origin: 'AWS_CLOUDHSM', XksKeyId: undefined });
});

test.each([
  ['CustomKeyStoreInvalidStateException', 'the custom key store must be CONNECTED to create keys in it'],
  ['XksKeyNotFoundException', 'the external key manager has no key with this XKS key id'],
  ['MalformedPolicyDocumentException', 'KMS refused the key policy'],
])('create fails clearly on %s', async (name, hint) => {
  kms.on(CreateKeyCommand).rejects(Object.assign(new Error('detail'), { name }));
  await expect(onEvent(event())).rejects.toThrow(`${name}: ${hint} (detail)`);
});

test('create refuses an unknown origin', async () => {
  await expect(onEvent(event({ ResourceProperties: { ...props, Origin: 'AWS_KMS' } }))).rejects.toThrow(
    'property Origin must be EXTERNAL_KEY_STORE or AWS_CLOUDHSM, got AWS_KMS');
});

test('update: policy, description and tags in place', async () => {
  kms.on(PutKeyPolicyCommand).resolves({});
  kms.on(UpdateKeyDescriptionCommand).resolves({});
  kms.on(TagResourceCommand).resolves({});
  kms.on(UntagResourceCommand).resolves({});
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-1', Arn: ARN } });
  const newPolicy = { ...policy, Statement: [...policy.Statement, { ...policy.Statement[0], Sid: 'More' }] };
  const result = await onEvent(event({
    RequestType: 'Update',
    PhysicalResourceId: 'k-1',
    ResourceProperties: { ...props, KeyPolicy: newPolicy, Description: 'new', Tags: [{ TagKey: 'tier', TagValue: 'gold' }] },
    OldResourceProperties: props,
  }));
  expect(result).toEqual({ PhysicalResourceId: 'k-1', Data: { KeyId: 'k-1', Arn: ARN } });
  expect(kms.commandCalls(PutKeyPolicyCommand)[0].args[0].input).toEqual({ KeyId: 'k-1', Policy: JSON.stringify(newPolicy), BypassPolicyLockoutSafetyCheck: false });
  expect(kms.commandCalls(UpdateKeyDescriptionCommand)[0].args[0].input).toEqual({ KeyId: 'k-1', Description: 'new' });
  expect(kms.commandCalls(UntagResourceCommand)[0].args[0].input).toEqual({ KeyId: 'k-1', TagKeys: ['tenant'] });
  expect(kms.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({ KeyId: 'k-1', Tags: [{ TagKey: 'tier', TagValue: 'gold' }] });
  expect(kms.commandCalls(CreateKeyCommand)).toHaveLength(0);
});

test('update: a new XKS key id replaces the key', async () => {
  kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k-9', Arn: ARN } });
  const result = await onEvent(event({
    RequestType: 'Update',
    PhysicalResourceId: 'k-1',
    ResourceProperties: { ...props, XksKeyId: 'xks-key-2' },
    OldResourceProperties: props,
  }));
  expect(result.PhysicalResourceId).toBe('k-9');
});

test('delete schedules deletion with the window; already gone or pending is fine', async () => {
  kms.on(ScheduleKeyDeletionCommand).resolvesOnce({})
    .rejectsOnce(Object.assign(new Error('x'), { name: 'NotFoundException' }))
    .rejectsOnce(Object.assign(new Error('pending'), { name: 'KMSInvalidStateException' }))
    .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  const del = event({ RequestType: 'Delete', PhysicalResourceId: 'k-1' });
  await expect(onEvent(del)).resolves.toEqual({ PhysicalResourceId: 'k-1' });
  expect(kms.commandCalls(ScheduleKeyDeletionCommand)[0].args[0].input).toEqual({ KeyId: 'k-1', PendingWindowInDays: 30 });
  await expect(onEvent(del)).resolves.toEqual({ PhysicalResourceId: 'k-1' });
  await expect(onEvent(del)).resolves.toEqual({ PhysicalResourceId: 'k-1' });
  await expect(onEvent(del)).rejects.toThrow('AccessDeniedException: denied');
});
