import type * as kms from 'aws-cdk-lib/aws-kms';
import type { CustodianPolicy } from './custodian-policy';
import type { KeySettings } from './key-settings';
import type { DeploymentModel } from '../../core/deployment-model';

/**
 * What a multi-Region primary hands its replicas (`ReplicaKey`): the custodian policy's input, so the replica's policy is
 * built by the same builder from the same custodians, and the lifecycle settings the replica keeps consistent. Set by
 * `CustomerManagedKey` and `ByokImport` (the `_replication` member of their base); read by `ReplicaKey`.
 */
export interface ReplicationSource {
  readonly key: kms.Key;
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly settings: KeySettings;
  readonly custodianPolicy: CustodianPolicy;
  readonly multiRegion: boolean;
  /** Imported key material (Origin EXTERNAL): each replica is created without material and needs the same imported. */
  readonly importedMaterial: boolean;
  /** Tags the `cloud-kms byok` ceremony reads (key material expiry, wrapping algorithm), copied to each replica. */
  readonly ceremonyTags: { readonly [key: string]: string };
}

/** The primary's replication source, if the key is a primary made by this library. */
export function replicationSourceOf(key: unknown): ReplicationSource | undefined {
  const source = (key as { _replication?: ReplicationSource } | undefined)?._replication;
  return source && typeof source === 'object' && source.key === key ? source : undefined;
}
