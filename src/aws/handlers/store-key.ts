/*
 * Custom::CloudKmsStoreKey: a KMS key inside a custom key store (Origin EXTERNAL_KEY_STORE with an XKS key id,
 * or AWS_CLOUDHSM). CloudFormation's AWS::KMS::Key cannot create these. Physical id: the key id.
 */
import {
  CreateKeyCommand, DescribeKeyCommand, KMSClient, PutKeyPolicyCommand, ScheduleKeyDeletionCommand, TagResourceCommand,
  UntagResourceCommand, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import {
  bool, errorName, int, isNotFound, log, OnEventResult, optional, required, ResourceError, ResourceEvent, withRetry,
} from './common';

export { STORE_KEY_TYPE } from './resource-types';

let client: KMSClient | undefined;
const kms = () => (client ??= new KMSClient({}));

function policyText(props: Record<string, any>): string {
  const p = props.KeyPolicy;
  if (!p) throw new ResourceError('property KeyPolicy is required');
  return typeof p === 'string' ? p : JSON.stringify(p);
}

function tags(props: Record<string, any>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of (props.Tags ?? []) as Array<{ TagKey: string; TagValue: string }>) out[t.TagKey] = String(t.TagValue);
  return out;
}

function explain(e: unknown): ResourceError {
  if (e instanceof ResourceError) return e;
  const name = errorName(e);
  const hints: Record<string, string> = {
    CustomKeyStoreInvalidStateException: 'the custom key store must be CONNECTED to create keys in it',
    CustomKeyStoreNotFoundException: 'the custom key store does not exist',
    XksKeyNotFoundException: 'the external key manager has no key with this XKS key id',
    XksKeyInvalidConfigurationException: 'the external key must be an enabled AES-256 key that supports encrypt and decrypt',
    XksKeyAlreadyInUseException: 'another KMS key in this store already uses this XKS key id',
    CloudHsmClusterInvalidConfigurationException: 'the CloudHSM cluster needs two active HSMs in different Availability Zones',
    MalformedPolicyDocumentException: 'KMS refused the key policy',
  };
  return new ResourceError(`${name}: ${hints[name] ? `${hints[name]} (${(e as Error).message})` : (e as Error).message}`);
}

async function create(props: Record<string, any>): Promise<OnEventResult> {
  const origin = required(props, 'Origin');
  if (origin !== 'EXTERNAL_KEY_STORE' && origin !== 'AWS_CLOUDHSM') {
    throw new ResourceError(`property Origin must be EXTERNAL_KEY_STORE or AWS_CLOUDHSM, got ${origin}`);
  }
  const res = await kms().send(new CreateKeyCommand({
    CustomKeyStoreId: required(props, 'CustomKeyStoreId'),
    Origin: origin,
    XksKeyId: origin === 'EXTERNAL_KEY_STORE' ? required(props, 'XksKeyId') : undefined,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Description: optional(props, 'Description'),
    Policy: policyText(props),
    // Dual control: the policy lets only the gate's executor call PutKeyPolicy, so KMS's lockout check must be skipped.
    BypassPolicyLockoutSafetyCheck: bool(props, 'BypassPolicyLockoutSafetyCheck', false),
    Tags: Object.entries(tags(props)).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  })).catch((e) => { throw explain(e); });
  const m = res.KeyMetadata!;
  return { PhysicalResourceId: m.KeyId!, Data: { KeyId: m.KeyId!, Arn: m.Arn! } };
}

export async function onEvent(event: ResourceEvent): Promise<OnEventResult> {
  log(event, 'onEvent');
  const props = event.ResourceProperties;
  if (event.RequestType === 'Create') return create(props);
  const id = event.PhysicalResourceId!;
  if (event.RequestType === 'Delete') {
    try {
      await withRetry('ScheduleKeyDeletion', () => kms().send(new ScheduleKeyDeletionCommand({
        KeyId: id, PendingWindowInDays: int(props, 'PendingWindowInDays', 30),
      })));
    } catch (e) {
      // Gone already, or already pending deletion: nothing to do.
      if (!isNotFound(e) && errorName(e) !== 'KMSInvalidStateException') throw explain(e);
    }
    return { PhysicalResourceId: id };
  }
  const old = event.OldResourceProperties ?? {};
  if (old.CustomKeyStoreId !== props.CustomKeyStoreId || old.Origin !== props.Origin || old.XksKeyId !== props.XksKeyId) {
    return create(props);
  }
  try {
    if (policyText(old) !== policyText(props)) {
      await withRetry('PutKeyPolicy', () => kms().send(new PutKeyPolicyCommand({ KeyId: id, Policy: policyText(props), BypassPolicyLockoutSafetyCheck: false })));
    }
    if (old.Description !== props.Description) {
      await withRetry('UpdateKeyDescription', () => kms().send(new UpdateKeyDescriptionCommand({ KeyId: id, Description: optional(props, 'Description') ?? '' })));
    }
    const before = tags(old);
    const after = tags(props);
    const removed = Object.keys(before).filter((k) => !(k in after));
    if (removed.length > 0) await withRetry('UntagResource', () => kms().send(new UntagResourceCommand({ KeyId: id, TagKeys: removed })));
    const changed = Object.entries(after).filter(([k, v]) => before[k] !== v);
    if (changed.length > 0) {
      await withRetry('TagResource', () => kms().send(new TagResourceCommand({
        KeyId: id, Tags: changed.map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
      })));
    }
    const { KeyMetadata: m } = await withRetry('DescribeKey', () => kms().send(new DescribeKeyCommand({ KeyId: id })));
    return { PhysicalResourceId: id, Data: { KeyId: id, Arn: m!.Arn! } };
  } catch (e) {
    throw explain(e);
  }
}

/** For tests. */
export function resetClient(): void {
  client = undefined;
}
