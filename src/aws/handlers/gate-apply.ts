/* The KMS call that carries out each gated operation, once the gate has checked its proposal and approvals. */
import {
  CancelKeyDeletionCommand, CreateAliasCommand, DeleteAliasCommand, DeleteImportedKeyMaterialCommand, DisableKeyCommand,
  ImportKeyMaterialCommand, KMSClient, PutKeyPolicyCommand, ReplicateKeyCommand, ScheduleKeyDeletionCommand,
  UpdateAliasCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { kmsFor } from './gate-custodians';
import { GateError, GateOperation } from './gate-request';

type Operation = GateOperation['operation'];
type RequestOf<O extends Operation> = Extract<GateOperation, { operation: O }>;

function b64(s: string): Uint8Array {
  return Buffer.from(s, 'base64');
}

/** Each operation's KMS call, made with the request's parameters only. */
const CALLS: { readonly [O in Operation]: (kms: KMSClient, r: RequestOf<O>) => Promise<unknown> } = {
  PutKeyPolicy: (kms, r) => kms.send(new PutKeyPolicyCommand({ KeyId: r.keyId, PolicyName: 'default', Policy: r.policy })),
  DisableKey: (kms, r) => kms.send(new DisableKeyCommand({ KeyId: r.keyId })),
  ScheduleKeyDeletion: (kms, r) => kms.send(new ScheduleKeyDeletionCommand({ KeyId: r.keyId, PendingWindowInDays: r.pendingWindowInDays })),
  CancelKeyDeletion: (kms, r) => kms.send(new CancelKeyDeletionCommand({ KeyId: r.keyId })),
  ReplicateKey: (kms, r) => kms.send(new ReplicateKeyCommand({ KeyId: r.keyId, ReplicaRegion: r.replicaRegion, Policy: r.policy })),
  UpdatePrimaryRegion: (kms, r) => kms.send(new UpdatePrimaryRegionCommand({ KeyId: r.keyId, PrimaryRegion: r.primaryRegion })),
  ImportKeyMaterial: (kms, r) => kms.send(new ImportKeyMaterialCommand({
    KeyId: r.keyId,
    ImportToken: b64(r.importToken),
    EncryptedKeyMaterial: b64(r.encryptedKeyMaterial),
    ExpirationModel: r.expirationModel as any,
    ValidTo: r.validTo ? new Date(r.validTo) : undefined,
  })),
  DeleteImportedKeyMaterial: (kms, r) => kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: r.keyId })),
  CreateAlias: (kms, r) => kms.send(new CreateAliasCommand({ AliasName: r.aliasName, TargetKeyId: r.keyId })),
  UpdateAlias: (kms, r) => kms.send(new UpdateAliasCommand({ AliasName: r.aliasName, TargetKeyId: r.keyId })),
  DeleteAlias: (kms, r) => kms.send(new DeleteAliasCommand({ AliasName: r.aliasName })),
};

/** Alias operations act in the gate's region: an alias and the key it names are in one region. */
const GATE_REGION_ONLY = new Set<string>(['CreateAlias', 'UpdateAlias', 'DeleteAlias']);

/**
 * Carries out `r` with the gate's own KMS permissions; an operation outside the table is refused. A key named by an ARN
 * of another region (a gated replica) is reached in that region through `kmsIn`.
 */
export async function applyRequest(kms: KMSClient, r: GateOperation, kmsIn?: (region: string) => KMSClient): Promise<void> {
  // Own keys only: an operation named `constructor` or `toString` must not reach Object.prototype.
  if (!Object.prototype.hasOwnProperty.call(CALLS, r.operation)) {
    throw new GateError(`operation must be one of the gated KMS operations, got ${String((r as any).operation).slice(0, 60)}`);
  }
  const client = GATE_REGION_ONLY.has(r.operation) ? kms : kmsFor({ kms, kmsIn }, r.keyId);
  await (CALLS[r.operation] as (client: KMSClient, request: GateOperation) => Promise<unknown>)(client, r);
}
