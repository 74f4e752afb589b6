import { Annotations, CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { KmsResourceProvider, ProviderKind } from './providers';
import { FROZEN_ROTATION_DAYS, FROZEN_WINDOW_DAYS, TenantKey } from './tenant-key';
import { Control } from '../../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { TenantPlacement } from '../../core/tenants';
import { ValidationError } from '../../core/validation';
import { KEY_DELETION_TYPE } from '../handlers/resource-types';

/**
 * A leaving dedicated tenant's key: all use denied, then disabled and scheduled for deletion by the key-deletion
 * provider (or, under dual control, through the gate).
 */
export function offboardTenantKey(scope: IConstruct, key: TenantKey, placement: TenantPlacement, window: Duration): void {
  key.denyAllUse('DenyOffboardedTenant');
  const ledger = EvidenceLedger.of(scope);
  if (key.dualControl) {
    Annotations.of(key).addInfo(`tenant ${placement.tenantId} is offboarded: its key denies all use; under dual control its deletion ` +
      `goes through the dual-control gate: propose { operation: 'ScheduleKeyDeletion', keyId: <key arn>, pendingWindowInDays: ${window.toDays()} }, ` +
      'have an approver other than the proposer approve it, then invoke the gate executor (README, AWS dual control)');
    ledger.acknowledge({
      subject: key.node.path,
      resource: key.node.path,
      rule: 'cloud-kms:OffboardedKeyDeletion',
      reason: `tenant ${placement.tenantId} offboarded: all use denied in the key policy; deletion goes through the dual-control gate (two people)`,
    });
    return;
  }
  // No CancelKeyDeletion: the handler never cancels an offboarding (only a key marked reonboard grants it that).
  const deletion = keyDeletionResource(key, `${placement.tenantId}Deletion`, ['kms:DisableKey', 'kms:ScheduleKeyDeletion'],
    { KeyId: key.keyId, PendingWindowInDays: window.toDays(), Action: 'Offboard' });
  ledger.record({
    control: Control.NIST_800_57_KEY_STATES,
    status: EvidenceStatus.SATISFIED,
    subject: key.node.path,
    resource: deletion.node.path,
    setting: 'offboarded',
    value: 'true',
    description: `tenant ${placement.tenantId} offboarded: all use denied, key disabled and pending deletion; removing the deletion ` +
      'resource (cdk destroy, a moved shard) never cancels it, only the explicit reonboard prop does; rotation, deletion window, ' +
      `description and tags are frozen (${FROZEN_ROTATION_DAYS} days, ${FROZEN_WINDOW_DAYS} days) so later changes do not touch the key`,
  });
}

/**
 * A request to the key-deletion provider of the key's shard, whose handler role is granted `actions` on the key first.
 */
function keyDeletionResource(key: TenantKey, id: string, actions: string[], properties: Record<string, unknown>): CustomResource {
  const shard = Stack.of(key);
  const provider = KmsResourceProvider.of(shard, ProviderKind.KEY_DELETION);
  key.grantManagement(provider.handlerRole, actions);
  const resource = new CustomResource(shard, id, { serviceToken: provider.serviceToken, resourceType: KEY_DELETION_TYPE, properties });
  // The grant must be in the key policy before the handler runs.
  resource.node.addDependency(key);
  return resource;
}

/** Cancels an offboarded tenant's pending key deletion and enables the key: only through the explicit prop. */
export function reonboardTenantKey(scope: IConstruct, key: TenantKey, placement: TenantPlacement): CustomResource {
  if (key.dualControl) {
    throw new ValidationError(`tenants[${placement.tenantId}].reonboard is not available under dual control: a custodian proposes ` +
      'CancelKeyDeletion to the dual-control gate, a second approver approves it, an administrator enables the key, ' +
      'then offboarded is cleared; got reonboard true');
  }
  const resource = keyDeletionResource(key, `${placement.tenantId}Reonboarding`, ['kms:CancelKeyDeletion', 'kms:EnableKey'],
    { KeyId: key.keyId, Action: 'Reonboard' });
  EvidenceLedger.of(scope).record({
    control: Control.NIST_800_57_KEY_STATES,
    status: EvidenceStatus.SATISFIED,
    subject: key.node.path,
    resource: resource.node.path,
    setting: 'reonboard',
    value: 'true',
    description: `tenant ${placement.tenantId} re-onboarded by the explicit reonboard prop: its key's pending deletion is cancelled ` +
      'and the key enabled (a key already deleted fails the deployment)',
  });
  return resource;
}

/** An offboarded pooled tenant: its context is denied on its pool key (one statement a pool, listing every such tenant). */
export function denyPooledTenant(poolKey: TenantKey, placement: TenantPlacement, contextKey: string,
  offboardedPooled: Map<string, string[]>): void {
  const pool = placement.pool!;
  let denied = offboardedPooled.get(pool);
  if (!denied) {
    const list: string[] = [];
    denied = list;
    offboardedPooled.set(pool, list);
    poolKey.denyAllUse('DenyOffboardedTenants', {
      StringEquals: { [`kms:EncryptionContext:${contextKey}`]: Lazy.list({ produce: () => list }) },
    });
  }
  denied.push(placement.tenantId);
}
