/*
 * Custom::CloudKmsKeyDeletion: crypto-shredding of an offboarded tenant's key, and its explicit reversal.
 *
 * Action `Offboard` (the default): Create and Update disable the key and schedule its deletion after the pending
 * window. Delete does nothing: removing the resource (cdk destroy, a tenant moved between shards, a hand-made Delete
 * event sent to the function) must never bring a tenant's data back, so the key stays pending deletion.
 *
 * Action `Reonboard` (the tenant's `reonboard` prop, an explicit act recorded in the evidence ledger): Create and
 * Update cancel the pending deletion and enable the key; a key already deleted fails the deployment. Delete does
 * nothing. The key policy grants this function CancelKeyDeletion only on keys marked for re-onboarding, so a hand-made
 * event cannot cancel any other key's deletion.
 *
 * Physical id: the key id.
 */
import { CancelKeyDeletionCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { errorName, int, isNotFound, log, OnEventResult, required, ResourceError, ResourceEvent, withRetry } from './common';

export { KEY_DELETION_TYPE } from './resource-types';

let client: KMSClient | undefined;
const kms = () => (client ??= new KMSClient({}));

/** KMS's answer when the key is already in the state we want (disabled, pending deletion, not pending deletion). */
const ALREADY = 'KMSInvalidStateException';

export const OFFBOARD = 'Offboard';
export const REONBOARD = 'Reonboard';

async function schedule(keyId: string, days: number): Promise<Date | undefined> {
  try {
    await withRetry('DisableKey', () => kms().send(new DisableKeyCommand({ KeyId: keyId })));
  } catch (e) {
    if (errorName(e) !== ALREADY) throw e;
  }
  try {
    const res = await withRetry('ScheduleKeyDeletion', () => kms().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days })));
    return res.DeletionDate;
  } catch (e) {
    if (errorName(e) === ALREADY) return undefined;
    throw e;
  }
}

async function reonboard(keyId: string): Promise<void> {
  try {
    await withRetry('CancelKeyDeletion', () => kms().send(new CancelKeyDeletionCommand({ KeyId: keyId })));
  } catch (e) {
    if (isNotFound(e)) {
      throw new ResourceError(`key ${keyId} no longer exists (deleted after its pending window): the tenant cannot be re-onboarded onto it`);
    }
    // Not pending deletion (a fresh key, or cancelled already): nothing to cancel.
    if (errorName(e) !== ALREADY) throw e;
  }
  await withRetry('EnableKey', () => kms().send(new EnableKeyCommand({ KeyId: keyId })));
}

export async function onEvent(event: ResourceEvent): Promise<OnEventResult> {
  log(event, 'onEvent');
  const props = event.ResourceProperties;
  const keyId = required(props, 'KeyId');
  const action = props.Action ?? OFFBOARD;
  if (action !== OFFBOARD && action !== REONBOARD) throw new ResourceError(`property Action must be ${OFFBOARD} or ${REONBOARD}, got ${action}`);
  const days = int(props, 'PendingWindowInDays', 30);
  if (days < 7 || days > 30) throw new ResourceError(`property PendingWindowInDays must be between 7 and 30, got ${days}`);
  try {
    if (event.RequestType === 'Delete') {
      // Never cancels: re-onboarding is the Reonboard action, not a side effect of removing this resource.
      return { PhysicalResourceId: event.PhysicalResourceId ?? keyId };
    }
    if (action === REONBOARD) {
      await reonboard(keyId);
      return { PhysicalResourceId: keyId, Data: { DeletionDate: 'cancelled' } };
    }
    const when = await schedule(keyId, days);
    return { PhysicalResourceId: keyId, Data: { DeletionDate: when ? when.toISOString() : 'already scheduled' } };
  } catch (e) {
    if (e instanceof ResourceError) throw e;
    throw new ResourceError(`${errorName(e)}: ${(e as Error).message}`);
  }
}

/** For tests. */
export function resetClient(): void {
  client = undefined;
}
