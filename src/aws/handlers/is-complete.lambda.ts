import { IsCompleteResult, ResourceError, ResourceEvent } from './common';
import * as gate from './dual-control-gate';
import * as hsmCluster from './hsm-cluster';
import * as keyStore from './key-store';

/** Provider framework isComplete handler for the custom resources that take time (clusters, key stores). */
export async function handler(event: ResourceEvent): Promise<IsCompleteResult> {
  // As the gate's (see on-event.lambda.ts), this function serves only the gate; the others never the gate.
  if (process.env.GATE_ONLY === '1') {
    if (event.ResourceType === gate.GATED_KEY_POLICY_TYPE) return gate.isComplete(event);
    throw new ResourceError(`the dual-control gate's functions serve only ${gate.GATED_KEY_POLICY_TYPE}, got ${String(event.ResourceType)}`);
  }
  switch (event.ResourceType) {
    case hsmCluster.HSM_CLUSTER_TYPE: return hsmCluster.isComplete(event);
    case keyStore.KEY_STORE_TYPE: return keyStore.isComplete(event);
    default: throw new ResourceError(`unknown resource type ${event.ResourceType}`);
  }
}
