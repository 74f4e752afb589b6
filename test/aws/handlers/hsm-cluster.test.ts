import {
  CloudHSMV2Client, CreateClusterCommand, CreateHsmCommand, DeleteClusterCommand, DeleteHsmCommand, DescribeClustersCommand,
  ModifyClusterCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-cloudhsm-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { ResourceEvent, timing } from '../../../src/aws/handlers/common';
import { HSM_CLUSTER_TYPE, isComplete, onEvent, resetClient } from '../../../src/aws/handlers/hsm-cluster';

// @aws-sdk/client-cloudhsm-v2 is pinned to 3.332.0 (.projenrc.ts), whose @smithy types predate aws-sdk-client-mock 4's:
// tsc rejects every typed stub call, so the stub is untyped. The assertions below still check each command's input.
const hsm: any = mockClient(CloudHSMV2Client as any);
const props = {
  ServiceToken: 'arn',
  VpcId: 'vpc-1',
  SubnetIds: ['subnet-a', 'subnet-b'],
  HsmType: 'hsm2m.medium',
  HsmCount: '2',
  BackupRetentionDays: '90',
  Tags: [{ Key: 'team', Value: 'crypto' }],
};
const event = (over: Partial<ResourceEvent> = {}): ResourceEvent => ({
  RequestType: 'Create',
  ResourceType: HSM_CLUSTER_TYPE,
  LogicalResourceId: 'Cluster',
  RequestId: 'req-1',
  StackId: 'stack',
  ResourceProperties: props,
  ...over,
});
const cluster = (over: Record<string, any> = {}) => ({
  ClusterId: 'cluster-123',
  State: 'UNINITIALIZED',
  VpcId: 'vpc-1',
  SecurityGroup: 'sg-9',
  SubnetMapping: { 'us-east-1a': 'subnet-a', 'us-east-1b': 'subnet-b' },
  Hsms: [],
  Certificates: {},
  ...over,
});
const active = (id: string, az: string, ip: string) => ({ HsmId: id, AvailabilityZone: az, State: 'ACTIVE', EniIp: ip });

beforeEach(() => {
  hsm.reset();
  resetClient();
  timing.sleep = async () => {};
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('create', () => {
  test('creates the cluster with backups and tags, tagged with the request for idempotency', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [] });
    hsm.on(CreateClusterCommand).resolves({ Cluster: { ClusterId: 'cluster-123' } });
    expect(await onEvent(event())).toEqual({ PhysicalResourceId: 'cluster-123' });
    expect(hsm.commandCalls(CreateClusterCommand)[0].args[0].input).toEqual({
      HsmType: 'hsm2m.medium',
      SubnetIds: ['subnet-a', 'subnet-b'],
      BackupRetentionPolicy: { Type: 'DAYS', Value: '90' },
      TagList: [{ Key: 'team', Value: 'crypto' }, { Key: 'cloud-kms:cfn-request', Value: 'req-1' }],
    });
  });

  test('a retried request reuses the cluster it already created', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [cluster({ TagList: [{ Key: 'cloud-kms:cfn-request', Value: 'req-1' }] })] });
    expect(await onEvent(event())).toEqual({ PhysicalResourceId: 'cluster-123' });
    expect(hsm.commandCalls(CreateClusterCommand)).toHaveLength(0);
  });

  test('throttling is retried, then reported clearly', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [] });
    hsm.on(CreateClusterCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(onEvent(event())).rejects.toThrow('CreateCluster was throttled 5 times (ThrottlingException); retry the deployment');
    expect(hsm.commandCalls(CreateClusterCommand)).toHaveLength(5);
  });

  test('a service error is reported with its name', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [] });
    hsm.on(CreateClusterCommand).rejects(Object.assign(new Error('subnet-b is in the same AZ'), { name: 'CloudHsmInvalidRequestException' }));
    await expect(onEvent(event())).rejects.toThrow('CreateCluster failed: CloudHsmInvalidRequestException: subnet-b is in the same AZ');
  });

  test('fewer than two subnets is refused', async () => {
    await expect(onEvent(event({ ResourceProperties: { ...props, SubnetIds: ['subnet-a'] } }))).rejects.toThrow(
      'property SubnetIds must name at least 2 subnets, got 1');
  });
});

describe('isComplete reconciles HSMs', () => {
  const e = event({ PhysicalResourceId: 'cluster-123' });

  test('waits while the cluster is being created', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [cluster({ State: 'CREATE_IN_PROGRESS' })] });
    expect(await isComplete(e)).toEqual({ IsComplete: false });
  });

  test('creates HSMs one at a time in the emptiest zone', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [cluster({ Hsms: [active('hsm-1', 'us-east-1a', '10.0.1.5')] })] });
    hsm.on(CreateHsmCommand).resolves({});
    expect(await isComplete(e)).toEqual({ IsComplete: false });
    expect(hsm.commandCalls(CreateHsmCommand)[0].args[0].input).toEqual({ ClusterId: 'cluster-123', AvailabilityZone: 'us-east-1b' });
  });

  test('waits until every HSM is active and the CSR exists', async () => {
    hsm.on(DescribeClustersCommand).resolvesOnce({
      Clusters: [cluster({
        Hsms: [active('hsm-1', 'us-east-1a', '10.0.1.5'),
          { ...active('hsm-2', 'us-east-1b', '10.0.2.5'), State: 'CREATE_IN_PROGRESS' }],
      })],
    })
      .resolvesOnce({ Clusters: [cluster({ Hsms: [active('hsm-1', 'us-east-1a', '10.0.1.5'), active('hsm-2', 'us-east-1b', '10.0.2.5')] })] });
    expect(await isComplete(e)).toEqual({ IsComplete: false });
    expect(await isComplete(e)).toEqual({ IsComplete: false });
  });

  test('done: returns the cluster id, security group, CSR and ENI addresses', async () => {
    hsm.on(DescribeClustersCommand).resolves({
      Clusters: [cluster({
        Hsms: [active('hsm-1', 'us-east-1a', '10.0.1.5'), active('hsm-2', 'us-east-1b', '10.0.2.5')],
        Certificates: { ClusterCsr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIC...\n-----END CERTIFICATE REQUEST-----' },
      })],
    });
    expect(await isComplete(e)).toEqual({
      IsComplete: true,
      Data: {
        ClusterId: 'cluster-123',
        SecurityGroupId: 'sg-9',
        ClusterCsr: expect.stringContaining('BEGIN CERTIFICATE REQUEST'),
        HsmEniIps: '10.0.1.5,10.0.2.5',
        State: 'UNINITIALIZED',
        VpcId: 'vpc-1',
      },
    });
  });

  test('removes HSMs above the desired count', async () => {
    hsm.on(DescribeClustersCommand).resolves({
      Clusters: [cluster({
        State: 'ACTIVE',
        Hsms: [active('hsm-1', 'us-east-1a', 'a'),
          active('hsm-2', 'us-east-1b', 'b'), active('hsm-3', 'us-east-1a', 'c')],
      })],
    });
    hsm.on(DeleteHsmCommand).resolves({});
    expect(await isComplete(e)).toEqual({ IsComplete: false });
    expect(hsm.commandCalls(DeleteHsmCommand)[0].args[0].input).toEqual({ ClusterId: 'cluster-123', HsmId: 'hsm-3' });
  });

  test.each([
    [{ State: 'DEGRADED', StateMessage: 'HSM hardware fault' }, 'CloudHSM cluster cluster-123 is DEGRADED: HSM hardware fault'],
    [{ State: 'CREATE_FAILED', StateMessage: 'no capacity' }, 'CloudHSM cluster cluster-123 failed to create: no capacity'],
    [{ Hsms: [{ HsmId: 'hsm-1', State: 'DEGRADED', StateMessage: 'ENI lost' }] }, 'HSM hsm-1 in cluster cluster-123 is DEGRADED: ENI lost'],
  ])('a stuck cluster fails clearly: %j', async (over, message) => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [cluster(over)] });
    await expect(isComplete(e)).rejects.toThrow(message);
  });

  test('a cluster that vanished fails clearly', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [] });
    await expect(isComplete(e)).rejects.toThrow('CloudHSM cluster cluster-123 was not found');
  });
});

describe('update', () => {
  test('backup retention and tags change in place', async () => {
    hsm.on(ModifyClusterCommand).resolves({});
    hsm.on(TagResourceCommand).resolves({});
    hsm.on(UntagResourceCommand).resolves({});
    const result = await onEvent(event({
      RequestType: 'Update',
      PhysicalResourceId: 'cluster-123',
      OldResourceProperties: { ...props, BackupRetentionDays: '30', Tags: [{ Key: 'old', Value: 'x' }] },
    }));
    expect(result).toEqual({ PhysicalResourceId: 'cluster-123' });
    expect(hsm.commandCalls(ModifyClusterCommand)[0].args[0].input).toEqual({ ClusterId: 'cluster-123', BackupRetentionPolicy: { Type: 'DAYS', Value: '90' } });
    expect(hsm.commandCalls(UntagResourceCommand)[0].args[0].input).toEqual({ ResourceId: 'cluster-123', TagKeyList: ['old'] });
    expect(hsm.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({ ResourceId: 'cluster-123', TagList: [{ Key: 'team', Value: 'crypto' }] });
    expect(hsm.commandCalls(CreateClusterCommand)).toHaveLength(0);
  });

  test('a new HSM type replaces the cluster (new physical id)', async () => {
    hsm.on(DescribeClustersCommand).resolves({ Clusters: [] });
    hsm.on(CreateClusterCommand).resolves({ Cluster: { ClusterId: 'cluster-456' } });
    const result = await onEvent(event({
      RequestType: 'Update',
      PhysicalResourceId: 'cluster-123',
      OldResourceProperties: { ...props, HsmType: 'hsm1.medium' },
    }));
    expect(result).toEqual({ PhysicalResourceId: 'cluster-456' });
  });
});

describe('delete', () => {
  const e = event({ RequestType: 'Delete', PhysicalResourceId: 'cluster-123' });

  test('deletes the HSMs, then the cluster once they are gone', async () => {
    hsm.on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster({ Hsms: [active('hsm-1', 'us-east-1a', 'a')] })] })
      .resolvesOnce({ Clusters: [cluster({ Hsms: [{ HsmId: 'hsm-1', State: 'DELETE_IN_PROGRESS' }] })] })
      .resolvesOnce({ Clusters: [cluster({ Hsms: [] })] })
      .resolvesOnce({ Clusters: [cluster({ State: 'DELETED' })] });
    hsm.on(DeleteHsmCommand).resolves({});
    hsm.on(DeleteClusterCommand).resolves({});
    expect(await onEvent(e)).toEqual({ PhysicalResourceId: 'cluster-123' });
    expect(hsm.commandCalls(DeleteHsmCommand)).toHaveLength(1);
    expect(await isComplete(e)).toEqual({ IsComplete: false });
    expect(await isComplete(e)).toEqual({ IsComplete: false });
    expect(hsm.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(await isComplete(e)).toEqual({ IsComplete: true });
  });

  test('a cluster that is already gone is a successful delete', async () => {
    hsm.on(DescribeClustersCommand).rejects(Object.assign(new Error('gone'), { name: 'CloudHsmResourceNotFoundException' }));
    expect(await onEvent(e)).toEqual({ PhysicalResourceId: 'cluster-123' });
    expect(await isComplete(e)).toEqual({ IsComplete: true });
  });
});
