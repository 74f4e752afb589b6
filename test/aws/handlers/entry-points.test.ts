import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeCustomKeyStoresCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as isComplete } from '../../../src/aws/handlers/is-complete.lambda';
import { resetClients } from '../../../src/aws/handlers/key-store';
import { handler as onEvent } from '../../../src/aws/handlers/on-event.lambda';
import { handler as health } from '../../../src/aws/handlers/store-health.lambda';

const base = { RequestType: 'Create' as const, LogicalResourceId: 'X', RequestId: 'r', StackId: 's', ResourceProperties: {} };

test('unknown resource types are refused by both entry points', async () => {
  await expect(onEvent({ ...base, ResourceType: 'Custom::Nope' })).rejects.toThrow('unknown resource type Custom::Nope');
  await expect(isComplete({ ...base, ResourceType: 'Custom::CloudKmsStoreKey' })).rejects.toThrow('unknown resource type Custom::CloudKmsStoreKey');
});

describe('store health check', () => {
  const kms = mockClient(KMSClient);
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => {
    kms.reset();
    cw.reset();
    resetClients();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  test.each([['CONNECTED', 1], ['FAILED', 0], ['DISCONNECTED', 0]])('%s publishes %d', async (state, value) => {
    process.env.CUSTOM_KEY_STORE_ID = 'cks-1';
    kms.on(DescribeCustomKeyStoresCommand).resolves({ CustomKeyStores: [{ CustomKeyStoreId: 'cks-1', ConnectionState: state as any }] });
    cw.on(PutMetricDataCommand).resolves({});
    expect(await health()).toEqual({ connectionState: state });
    expect(cw.commandCalls(PutMetricDataCommand)[0].args[0].input).toEqual({
      Namespace: 'CloudKmsConstructs',
      MetricData: [{ MetricName: 'KeyStoreConnected', Dimensions: [{ Name: 'CustomKeyStoreId', Value: 'cks-1' }], Value: value }],
    });
  });

  test('a deleted store reads as disconnected', async () => {
    process.env.CUSTOM_KEY_STORE_ID = 'cks-1';
    kms.on(DescribeCustomKeyStoresCommand).rejects(Object.assign(new Error('x'), { name: 'CustomKeyStoreNotFoundException' }));
    cw.on(PutMetricDataCommand).resolves({});
    expect(await health()).toEqual({ connectionState: 'NOT_FOUND' });
    expect(cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0].Value).toBe(0);
  });

  test('without a store id it fails loudly', async () => {
    delete process.env.CUSTOM_KEY_STORE_ID;
    await expect(health()).rejects.toThrow('CUSTOM_KEY_STORE_ID is not set');
  });
});

test('a direct gate invocation reaches the gate only in the executor (issue 13, finding 2)', async () => {
  delete process.env.GATE_ONLY;
  const forged = { gate: 'execute', proposal: 'AROAFORGED:me|p1', request: { operation: 'PutKeyPolicy', keyId: 'k', policy: '{}' } } as any;
  expect(await onEvent(forged)).toEqual({ error: 'gate requests go to the dual-control gate\'s executor function' });
});

describe('the gate\'s executor serves the gate only: a hand-made event for another resource type acts on no key', () => {
  // The executor holds PutKeyPolicy, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion on every dual-control key, and
  // anyone allowed to invoke it can send it any event. Before this check a custodian sent it a Custom::CloudKmsStoreKey
  // Update carrying a policy of their own and the store-key handler called PutKeyPolicy with no approval.
  const kms = mockClient(KMSClient);
  beforeEach(() => {
    kms.reset();
    process.env.GATE_ONLY = '1';
  });
  afterAll(() => {
    delete process.env.GATE_ONLY;
  });

  test.each([
    ['Custom::CloudKmsStoreKey', {
      RequestType: 'Update',
      PhysicalResourceId: 'victim',
      ResourceProperties: { CustomKeyStoreId: 's', Origin: 'AWS_CLOUDHSM', KeyPolicy: '{"Statement":[]}' },
      OldResourceProperties: { CustomKeyStoreId: 's', Origin: 'AWS_CLOUDHSM', KeyPolicy: '{}' },
    }],
    ['Custom::CloudKmsKeyDeletion', { ResourceProperties: { KeyId: 'victim', PendingWindowInDays: '7' } }],
    ['Custom::CloudKmsKeyDeletion', { ResourceProperties: { KeyId: 'victim', PendingWindowInDays: '7', Action: 'Reonboard' } }],
    ['Custom::CloudKmsKeyStore', { ResourceProperties: {} }],
    ['Custom::CloudKmsHsmCluster', { ResourceProperties: {} }],
  ])('%s is refused before any KMS call', async (type, extra) => {
    await expect(onEvent({ ...base, ...extra, ResourceType: type } as any))
      .rejects.toThrow(`the dual-control gate's executor serves only Custom::CloudKmsGatedKeyPolicy and gate requests, got ${type}`);
    await expect(isComplete({ ...base, ...extra, ResourceType: type } as any))
      .rejects.toThrow(`the dual-control gate's functions serve only Custom::CloudKmsGatedKeyPolicy, got ${type}`);
    expect(kms.calls()).toHaveLength(0);
  });
});
