/*
 * Custom::CloudKmsKeyDeletion: crypto-shredding of an offboarded tenant's key. Create disables the key and schedules
 * its deletion after the pending window; Delete (the tenant is brought back) cancels the deletion if the key is still
 * pending and leaves it disabled for an administrator to re-enable. Physical id: the key id.
 */
import { CancelKeyDeletionCommand, DisableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { errorName, int, isNotFound, log, OnEventResult, required, ResourceError, ResourceEvent, withRetry } from './common';

export { KEY_DELETION_TYPE } from './resource-types';

let client: KMSClient | undefined;
const kms = () => (client ??= new KMSClient({}));

/** KMS's answer when the key is already in the state we want (disabled, pending deletion). */
const ALREADY = 'KMSInvalidStateException';

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

export async function onEvent(event: ResourceEvent): Promise<OnEventResult> {
  log(event, 'onEvent');
  const props = event.ResourceProperties;
  const keyId = required(props, 'KeyId');
  const days = int(props, 'PendingWindowInDays', 30);
  if (days < 7 || days > 30) throw new ResourceError(`property PendingWindowInDays must be between 7 and 30, got ${days}`);
  try {
    if (event.RequestType === 'Delete') {
      try {
        await withRetry('CancelKeyDeletion', () => kms().send(new CancelKeyDeletionCommand({ KeyId: event.PhysicalResourceId ?? keyId })));
      } catch (e) {
        // Already deleted (past the window), or never pending: nothing to cancel.
        if (!isNotFound(e) && errorName(e) !== ALREADY) throw e;
      }
      return { PhysicalResourceId: event.PhysicalResourceId ?? keyId };
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
