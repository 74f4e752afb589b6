/*
 * Custom resource type names, shared by the constructs and the handlers. No imports: construct code loads this
 * file, and it must not pull the AWS SDK into a CDK app.
 */
export const HSM_CLUSTER_TYPE = 'Custom::CloudKmsHsmCluster';
export const KEY_STORE_TYPE = 'Custom::CloudKmsKeyStore';
export const STORE_KEY_TYPE = 'Custom::CloudKmsStoreKey';

/** Namespace and metric of the key-store health check. */
export const HEALTH_NAMESPACE = 'CloudKmsConstructs';
export const CONNECTED_METRIC = 'KeyStoreConnected';
export const KEY_DELETION_TYPE = 'Custom::CloudKmsKeyDeletion';
/** A dual-control key's policy, carried out through the dual-control gate. */
export const GATED_KEY_POLICY_TYPE = 'Custom::CloudKmsGatedKeyPolicy';
/** A gated replica (created by the dual-control gate), checked at deployment in its own region. */
export const REPLICA_CHECK_TYPE = 'Custom::CloudKmsReplicaCheck';
