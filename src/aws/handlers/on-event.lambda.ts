import { OnEventResult, ResourceError, ResourceEvent } from './common';
import * as hsmCluster from './hsm-cluster';
import * as keyDeletion from './key-deletion';
import * as keyStore from './key-store';
import * as storeKey from './store-key';

/** Provider framework onEvent handler for every cloud-kms-constructs custom resource. */
export async function handler(event: ResourceEvent): Promise<OnEventResult> {
  switch (event.ResourceType) {
    case hsmCluster.HSM_CLUSTER_TYPE: return hsmCluster.onEvent(event);
    case keyStore.KEY_STORE_TYPE: return keyStore.onEvent(event);
    case storeKey.STORE_KEY_TYPE: return storeKey.onEvent(event);
    case keyDeletion.KEY_DELETION_TYPE: return keyDeletion.onEvent(event);
    default: throw new ResourceError(`unknown resource type ${event.ResourceType}`);
  }
}
