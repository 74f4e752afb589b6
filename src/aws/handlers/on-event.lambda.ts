import { OnEventResult, ResourceError, ResourceEvent } from './common';
import * as gate from './dual-control-gate';
import * as hsmCluster from './hsm-cluster';
import * as keyDeletion from './key-deletion';
import * as keyStore from './key-store';
import * as replicaCheck from './replica-check';
import * as storeKey from './store-key';

/**
 * Provider framework onEvent handler for every cloud-kms-constructs custom resource; as the dual-control gate's
 * executor it also takes direct `{ gate: 'execute', ... }` invocations (it trusts nothing in them but the proposal id).
 */
export async function handler(event: ResourceEvent | gate.GateInvocation): Promise<OnEventResult | gate.ExecuteResult | { error: string }> {
  // The gate's executor holds the gated operations on every dual-control key, and anyone allowed to invoke it can hand it
  // any event: it serves only the gate (whose requests it checks against proposals and approvals), never the handlers
  // that act on a key because an event says so. The other providers hold no gated operation and serve no gate request.
  if (process.env.GATE_ONLY === '1') {
    if (gate.isGateInvocation(event)) return gate.invoke(event);
    if (event.ResourceType === gate.GATED_KEY_POLICY_TYPE) return gate.onEvent(event);
    throw new ResourceError(`the dual-control gate's executor serves only ${gate.GATED_KEY_POLICY_TYPE} and gate requests, got ${String(event.ResourceType)}`);
  }
  if (gate.isGateInvocation(event)) return { error: 'gate requests go to the dual-control gate\'s executor function' };
  switch (event.ResourceType) {
    case hsmCluster.HSM_CLUSTER_TYPE: return hsmCluster.onEvent(event);
    case keyStore.KEY_STORE_TYPE: return keyStore.onEvent(event);
    case storeKey.STORE_KEY_TYPE: return storeKey.onEvent(event);
    case keyDeletion.KEY_DELETION_TYPE: return keyDeletion.onEvent(event);
    case replicaCheck.REPLICA_CHECK_TYPE: return replicaCheck.onEvent(event);
    default: throw new ResourceError(`unknown resource type ${event.ResourceType}`);
  }
}
