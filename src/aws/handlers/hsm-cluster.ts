/*
 * Custom::CloudKmsHsmCluster: a CloudHSM v2 cluster with its HSMs.
 *
 * onEvent starts work (create the cluster, change backups or tags, delete HSMs); isComplete polls and
 * reconciles the HSMs towards the desired count, one call at a time, until every HSM is ACTIVE and the
 * cluster CSR exists. Physical id: the cluster id.
 */
import {
  CloudHSMV2Client, Cluster, CreateClusterCommand, CreateHsmCommand, DeleteClusterCommand, DeleteHsmCommand,
  DescribeClustersCommand, ModifyClusterCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-cloudhsm-v2';
import {
  int, isNotFound, IsCompleteResult, list, log, OnEventResult, optional, required, ResourceError, ResourceEvent, withRetry,
} from './common';

export { HSM_CLUSTER_TYPE } from './resource-types';
const REQUEST_TAG = 'cloud-kms:cfn-request';

let client: CloudHSMV2Client | undefined;
function hsm(): CloudHSMV2Client {
  client ??= new CloudHSMV2Client({});
  return client;
}

interface Desired {
  readonly subnetIds: string[];
  readonly vpcId: string;
  readonly hsmType: string;
  readonly hsmCount: number;
  readonly backupRetentionDays: number;
  readonly mode?: string;
  readonly tags: Record<string, string>;
}

function desired(props: Record<string, any>): Desired {
  const subnetIds = list(props, 'SubnetIds');
  if (subnetIds.length < 2) throw new ResourceError(`property SubnetIds must name at least 2 subnets, got ${subnetIds.length}`);
  const tags: Record<string, string> = {};
  for (const t of (props.Tags ?? []) as Array<{ Key: string; Value: string }>) tags[t.Key] = String(t.Value);
  return {
    subnetIds,
    vpcId: required(props, 'VpcId'),
    hsmType: required(props, 'HsmType'),
    hsmCount: int(props, 'HsmCount'),
    backupRetentionDays: int(props, 'BackupRetentionDays'),
    mode: optional(props, 'Mode'),
    tags,
  };
}

async function describe(clusterId: string): Promise<Cluster | undefined> {
  const res = await withRetry('DescribeClusters', () => hsm().send(new DescribeClustersCommand({ Filters: { clusterIds: [clusterId] } })));
  return res.Clusters?.[0];
}

async function createCluster(event: ResourceEvent, d: Desired): Promise<string> {
  // A retried request must not create a second cluster: look for the one this request already made.
  const existing = await withRetry('DescribeClusters', () => hsm().send(new DescribeClustersCommand({ Filters: { vpcIds: [d.vpcId] } })));
  const mine = existing.Clusters?.find((c) => c.TagList?.some((t) => t.Key === REQUEST_TAG && t.Value === event.RequestId)
    && c.State !== 'DELETED' && c.State !== 'DELETE_IN_PROGRESS');
  if (mine?.ClusterId) return mine.ClusterId;
  const tagList = [...Object.entries(d.tags).map(([Key, Value]) => ({ Key, Value })), { Key: REQUEST_TAG, Value: event.RequestId }];
  try {
    const res = await withRetry('CreateCluster', () => hsm().send(new CreateClusterCommand({
      HsmType: d.hsmType,
      SubnetIds: d.subnetIds,
      BackupRetentionPolicy: { Type: 'DAYS', Value: String(d.backupRetentionDays) },
      TagList: tagList,
      ...(d.mode ? { Mode: d.mode } : {}),
    } as any)));
    if (!res.Cluster?.ClusterId) throw new ResourceError('CloudHSM returned no cluster id');
    return res.Cluster.ClusterId;
  } catch (e) {
    if (e instanceof ResourceError) throw e;
    throw new ResourceError(`CreateCluster failed: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

function needsReplacement(oldD: Desired, newD: Desired): boolean {
  return oldD.hsmType !== newD.hsmType || oldD.mode !== newD.mode || oldD.vpcId !== newD.vpcId
    || [...oldD.subnetIds].sort().join() !== [...newD.subnetIds].sort().join();
}

export async function onEvent(event: ResourceEvent): Promise<OnEventResult> {
  log(event, 'onEvent');
  if (event.RequestType === 'Delete') {
    const id = event.PhysicalResourceId!;
    const cluster = await describe(id).catch((e) => { if (isNotFound(e)) return undefined; throw e; });
    for (const h of cluster?.Hsms ?? []) {
      if (h.HsmId && h.State !== 'DELETE_IN_PROGRESS' && h.State !== 'DELETED') {
        await withRetry('DeleteHsm', () => hsm().send(new DeleteHsmCommand({ ClusterId: id, HsmId: h.HsmId }))).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      }
    }
    return { PhysicalResourceId: id };
  }
  const d = desired(event.ResourceProperties);
  if (event.RequestType === 'Create') {
    return { PhysicalResourceId: await createCluster(event, d) };
  }
  const old = desired(event.OldResourceProperties ?? {});
  if (needsReplacement(old, d)) {
    // A new physical id makes CloudFormation delete the old cluster (unless it is retained).
    return { PhysicalResourceId: await createCluster(event, d) };
  }
  const id = event.PhysicalResourceId!;
  if (old.backupRetentionDays !== d.backupRetentionDays) {
    await withRetry('ModifyCluster', () => hsm().send(new ModifyClusterCommand({
      ClusterId: id, BackupRetentionPolicy: { Type: 'DAYS', Value: String(d.backupRetentionDays) },
    })));
  }
  const removed = Object.keys(old.tags).filter((k) => !(k in d.tags));
  if (removed.length > 0) {
    await withRetry('UntagResource', () => hsm().send(new UntagResourceCommand({ ResourceId: id, TagKeyList: removed })));
  }
  const changed = Object.entries(d.tags).filter(([k, v]) => old.tags[k] !== v);
  if (changed.length > 0) {
    await withRetry('TagResource', () => hsm().send(new TagResourceCommand({
      ResourceId: id, TagList: changed.map(([Key, Value]) => ({ Key, Value })),
    })));
  }
  return { PhysicalResourceId: id };
}

/** The availability zone of each subnet the cluster spans, from the cluster itself. */
function zones(cluster: Cluster): string[] {
  return Object.keys(cluster.SubnetMapping ?? {}).sort();
}

export async function isComplete(event: ResourceEvent): Promise<IsCompleteResult> {
  const id = event.PhysicalResourceId!;
  if (event.RequestType === 'Delete') {
    const cluster = await describe(id).catch((e) => { if (isNotFound(e)) return undefined; throw e; });
    if (!cluster || cluster.State === 'DELETED') return { IsComplete: true };
    const live = (cluster.Hsms ?? []).filter((h) => h.State !== 'DELETED');
    if (live.length > 0) return { IsComplete: false };
    if (cluster.State !== 'DELETE_IN_PROGRESS') {
      await withRetry('DeleteCluster', () => hsm().send(new DeleteClusterCommand({ ClusterId: id }))).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
    return { IsComplete: false };
  }

  const d = desired(event.ResourceProperties);
  const cluster = await describe(id);
  if (!cluster) throw new ResourceError(`CloudHSM cluster ${id} was not found`);
  log(event, 'isComplete', `${cluster.State} with ${(cluster.Hsms ?? []).length} HSMs`);
  switch (cluster.State) {
    case 'CREATE_IN_PROGRESS':
    case 'UPDATE_IN_PROGRESS':
    case 'INITIALIZE_IN_PROGRESS':
      return { IsComplete: false };
    case 'DEGRADED':
    case 'DELETED':
    case 'DELETE_IN_PROGRESS':
      throw new ResourceError(`CloudHSM cluster ${id} is ${cluster.State}: ${cluster.StateMessage ?? 'no detail from CloudHSM'}`);
    default:
      if ((cluster.State as string) === 'CREATE_FAILED') {
        throw new ResourceError(`CloudHSM cluster ${id} failed to create: ${cluster.StateMessage ?? 'no detail from CloudHSM'}`);
      }
  }

  const hsms = (cluster.Hsms ?? []).filter((h) => h.State !== 'DELETED' && h.State !== 'DELETE_IN_PROGRESS');
  const degraded = hsms.find((h) => h.State === 'DEGRADED');
  if (degraded) throw new ResourceError(`HSM ${degraded.HsmId} in cluster ${id} is DEGRADED: ${degraded.StateMessage ?? 'no detail'}`);
  if (hsms.length < d.hsmCount) {
    // Spread HSMs over the cluster's availability zones, fewest first.
    const inZone = (az: string) => hsms.filter((h) => h.AvailabilityZone === az).length;
    const az = zones(cluster).sort((a, b) => inZone(a) - inZone(b))[0];
    await withRetry('CreateHsm', () => hsm().send(new CreateHsmCommand({ ClusterId: id, AvailabilityZone: az })));
    return { IsComplete: false };
  }
  if (hsms.length > d.hsmCount) {
    const extra = hsms[hsms.length - 1];
    await withRetry('DeleteHsm', () => hsm().send(new DeleteHsmCommand({ ClusterId: id, HsmId: extra.HsmId })));
    return { IsComplete: false };
  }
  if (hsms.some((h) => h.State !== 'ACTIVE')) return { IsComplete: false };
  const csr = cluster.Certificates?.ClusterCsr;
  if (cluster.State === 'UNINITIALIZED' && !csr) return { IsComplete: false };
  return {
    IsComplete: true,
    Data: {
      ClusterId: id,
      SecurityGroupId: cluster.SecurityGroup ?? '',
      ClusterCsr: csr ?? '',
      HsmEniIps: hsms.map((h) => h.EniIp).filter((x): x is string => !!x).join(','),
      State: cluster.State ?? '',
      VpcId: cluster.VpcId ?? d.vpcId,
    },
  };
}

/** For tests: forget the cached client so mocks apply. */
export function resetClient(): void {
  client = undefined;
}
