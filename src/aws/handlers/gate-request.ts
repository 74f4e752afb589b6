/*
 * What the dual-control gate is asked to do, and the items proposers and approvers write: a request is named by the
 * SHA-256 of its canonical JSON, so an approval is for exactly one request. No AWS client here (attribute types only).
 */
import { createHash } from 'crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Sids the executor reads in a key's current policy (kept equal to key-policy.ts's SID values). */
export const GATE_SIDS = {
  ADMINISTER: 'AllowKeyAdministration',
  APPROVE: 'AllowApproversReviewOnly',
  EXECUTOR: 'AllowDualControlExecutor',
  DENY_UNAPPROVED: 'DenyDualControlOperationsExceptExecutor',
  /** Marks the policy a dual-control key is created with, before its custodian policy is installed. */
  GENESIS: 'CloudKmsDualControlGenesis',
} as const;

/** The operations the gate carries out, with the parameters each takes. */
export type GateOperation =
  | { operation: 'PutKeyPolicy'; keyId: string; policy: string }
  | { operation: 'DisableKey'; keyId: string }
  | { operation: 'ScheduleKeyDeletion'; keyId: string; pendingWindowInDays: number }
  | { operation: 'CancelKeyDeletion'; keyId: string }
  | { operation: 'ReplicateKey'; keyId: string; replicaRegion: string; policy: string }
  | { operation: 'UpdatePrimaryRegion'; keyId: string; primaryRegion: string }
  | { operation: 'ImportKeyMaterial'; keyId: string; importToken: string; encryptedKeyMaterial: string; expirationModel?: string; validTo?: string }
  | { operation: 'DeleteImportedKeyMaterial'; keyId: string }
  | { operation: 'CreateAlias'; keyId: string; aliasName: string }
  | { operation: 'UpdateAlias'; keyId: string; aliasName: string }
  | { operation: 'DeleteAlias'; keyId: string; aliasName: string };

/** A refusal; the message says why, never a request's material. */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateError';
  }
}

/** JSON with sorted object keys, so the same request always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as any)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** SHA-256 of the exact request (policies hashed as the exact string KMS will receive). */
export function requestHash(request: GateOperation): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** The reference approvers and the executor name a proposal by: `<proposer userid>|<proposal id>`. */
export function proposalRef(proposerUserId: string, id: string): string {
  return `${proposerUserId}|${id}`;
}

/** The unique id of the role or user in an `aws:userid` (`AROA…:session` or `AIDA…`). */
export function principalIdOf(userId: string): string {
  return userId.split(':')[0];
}

export const S = (v: string): AttributeValue => ({ S: v });
export const N = (v: number): AttributeValue => ({ N: String(v) });

/** The item a proposer writes (with its own credentials: the partition key must be its own `aws:userid`). */
export function proposalItem(
  proposerUserId: string, id: string, request: GateOperation, proposedAt: number, expiresAt: number,
): Record<string, AttributeValue> {
  return {
    pk: S(proposerUserId),
    sk: S(`proposal#${id}`),
    proposal: S(proposalRef(proposerUserId, id)),
    kind: S('proposal'),
    request: S(canonicalJson(request)),
    hash: S(requestHash(request)),
    proposedAt: N(proposedAt),
    expiresAt: N(expiresAt),
  };
}

/** The item an approver writes (with its own credentials and MFA). */
export function approvalItem(approverUserId: string, ref: string, hash: string, approvedAt: number): Record<string, AttributeValue> {
  return {
    pk: S(approverUserId),
    sk: S(`approval#${ref}`),
    proposal: S(ref),
    kind: S('approval'),
    hash: S(hash),
    approvedAt: N(approvedAt),
  };
}

export function parseRef(ref: string): { proposer: string; id: string } {
  const i = ref.lastIndexOf('|');
  if (i <= 0 || i === ref.length - 1) throw new GateError(`proposal reference must be <proposer userid>|<id>, got ${ref.slice(0, 200)}`);
  return { proposer: ref.slice(0, i), id: ref.slice(i + 1) };
}

/** Requests whose parameters the gate checks beyond the hash. */
export function checkRequest(request: GateOperation): void {
  if (!request || typeof request !== 'object' || typeof (request as any).keyId !== 'string') throw new GateError('request must name keyId');
  if (request.operation === 'ReplicateKey') {
    // The replica must carry the same gate, or it would be a copy of the key outside dual control.
    const replica = JSON.parse(request.policy);
    const st = (replica.Statement ?? []) as any[];
    if (!st.some((s) => s.Sid === GATE_SIDS.EXECUTOR) || !st.some((s) => s.Sid === GATE_SIDS.DENY_UNAPPROVED && s.Effect === 'Deny')) {
      throw new GateError(`ReplicateKey: the replica policy must keep the dual-control statements ${GATE_SIDS.EXECUTOR} and ${GATE_SIDS.DENY_UNAPPROVED}`);
    }
  }
  if (request.operation === 'PutKeyPolicy') {
    const st = (JSON.parse(request.policy).Statement ?? []) as any[];
    if (st.some((s) => s.Sid === GATE_SIDS.GENESIS)) throw new GateError(`PutKeyPolicy: a policy must not carry the genesis marker ${GATE_SIDS.GENESIS}`);
  }
}
