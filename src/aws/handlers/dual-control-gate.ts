/*
 * The dual-control gate's executor: the only principal a dual-control key policy allows PutKeyPolicy, DisableKey,
 * ScheduleKeyDeletion, CancelKeyDeletion, ReplicateKey, UpdatePrimaryRegion, UpdateAlias, DeleteAlias, ImportKeyMaterial
 * and DeleteImportedKeyMaterial. It carries out a request only when
 *   - a custodian of the key (an administrator or approver named in its current policy, or the gate itself on behalf
 *     of CloudFormation) proposed exactly that request (the proposal holds its SHA-256),
 *   - a named approver who is a different IAM principal approved that same hash,
 *   - and the proposal has not expired or been carried out before.
 * Identity comes from DynamoDB, not from the event: the table's resource policy lets a principal write only items whose
 * partition key is its own `aws:userid` (`dynamodb:LeadingKeys`) and only with MFA, so a proposal's or approval's
 * partition key names the role (unique id, `AROA…`) or user (`AIDA…`) that wrote it. Whoever invokes this function, with
 * whatever event, can only ask it to check; it trusts nothing the event says about who asked.
 *
 * No CDK imports: bundled into Lambda (on-event.lambda.ts and is-complete.lambda.ts route here).
 */
import { createHash, randomUUID } from 'crypto';
// Provided by the Lambda runtime (bundling keeps @aws-sdk/* external); present here through the dev toolchain. It
// belongs in .projenrc.ts devDeps like the other clients (not added here: package.json is the maintainer's).
import {
  AttributeValue, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, DeleteAliasCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, DisableKeyCommand,
  GetKeyPolicyCommand, ImportKeyMaterialCommand, KMSClient, PutKeyPolicyCommand, ReplicateKeyCommand, ScheduleKeyDeletionCommand,
  UpdateAliasCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { errorName, IsCompleteResult, log, OnEventResult, required, ResourceError, ResourceEvent } from './common';

export { GATED_KEY_POLICY_TYPE } from './resource-types';

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

export interface GateConfig {
  readonly tableName: string;
  /** The executor role's ARN: its unique id may propose on CloudFormation's behalf. */
  readonly executorRoleArn: string;
  /** The longest a proposal may stay open. */
  readonly maxWindowSeconds: number;
  readonly ddb: DynamoDBClient;
  readonly kms: KMSClient;
  readonly iam: IAMClient;
  readonly now?: () => number;
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

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(v) });

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

function nowSeconds(c: GateConfig): number {
  return Math.floor((c.now ?? Date.now)() / 1000);
}

interface KeyCustodians {
  readonly proposers: Set<string>;
  readonly approvers: Set<string>;
  readonly genesis: boolean;
}

async function currentPolicy(c: GateConfig, keyId: string): Promise<{ Statement?: any[] }> {
  const res = await c.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  return JSON.parse(res.Policy ?? '{}');
}

function principalsOf(st: any): string[] {
  const aws = st?.Principal?.AWS;
  if (aws === undefined) return [];
  return Array.isArray(aws) ? aws : [aws];
}

/** Role or user ARN (or a unique id KMS left in place of a deleted principal) to the principal's unique id. */
async function uniqueIdOf(c: GateConfig, principal: string): Promise<string | undefined> {
  if (/^(AROA|AIDA)[A-Z0-9]+$/.test(principal)) return principal;
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(principal);
  if (!m) return undefined;
  // GetRole and GetUser look in the gate's own account: a custodian of another account is not resolved (a local role
  // with the same name is someone else).
  if (m[1] !== c.executorRoleArn.split(':')[4]) return undefined;
  try {
    if (m[2] === 'role') return (await c.iam.send(new GetRoleCommand({ RoleName: m[3] }))).Role?.RoleId;
    return (await c.iam.send(new GetUserCommand({ UserName: m[3] }))).User?.UserId;
  } catch (e) {
    if (/NoSuchEntity/.test(errorName(e))) return undefined;
    throw e;
  }
}

/** Who may propose and approve changes to the key, read from its current (gate-protected) policy. */
async function custodiansOf(c: GateConfig, keyId: string): Promise<KeyCustodians> {
  const policy = await currentPolicy(c, keyId);
  const statements = policy.Statement ?? [];
  const ids = async (sid: string) => new Set((await Promise.all(statements.filter((st) => st.Sid === sid && st.Effect === 'Allow')
    .flatMap(principalsOf).map((p) => uniqueIdOf(c, p)))).filter((x): x is string => x !== undefined));
  const approvers = await ids(GATE_SIDS.APPROVE);
  const administrators = await ids(GATE_SIDS.ADMINISTER);
  return {
    approvers,
    proposers: new Set([...approvers, ...administrators]),
    genesis: statements.some((st) => st.Sid === GATE_SIDS.GENESIS),
  };
}

let executorIdCache: { arn: string; id: string } | undefined;
async function executorId(c: GateConfig): Promise<string> {
  if (executorIdCache?.arn === c.executorRoleArn) return executorIdCache.id;
  const id = await uniqueIdOf(c, c.executorRoleArn);
  if (!id) throw new GateError(`the executor role ${c.executorRoleArn} cannot be resolved`);
  executorIdCache = { arn: c.executorRoleArn, id };
  return id;
}

async function aliasTarget(c: GateConfig, aliasName: string): Promise<string> {
  if (!/^alias\//.test(aliasName)) throw new GateError(`aliasName must start with alias/, got ${aliasName.slice(0, 100)}`);
  const res = await c.kms.send(new DescribeKeyCommand({ KeyId: aliasName }));
  const arn = res.KeyMetadata?.Arn;
  if (!arn) throw new GateError(`alias ${aliasName} names no key`);
  return arn;
}

function parseRef(ref: string): { proposer: string; id: string } {
  const i = ref.lastIndexOf('|');
  if (i <= 0 || i === ref.length - 1) throw new GateError(`proposal reference must be <proposer userid>|<id>, got ${ref.slice(0, 200)}`);
  return { proposer: ref.slice(0, i), id: ref.slice(i + 1) };
}

/** Requests whose parameters the gate checks beyond the hash. */
function checkRequest(request: GateOperation): void {
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

export interface ExecuteResult {
  readonly executed: boolean;
  readonly operation: string;
  readonly approvers: string[];
}

/** Approvals of `ref` (by hash) from named approvers other than the proposer. */
async function validApprovers(c: GateConfig, ref: string, hash: string, proposerId: string, approvers: Set<string>): Promise<string[]> {
  const res = await c.ddb.send(new QueryCommand({
    TableName: c.tableName,
    IndexName: 'ByProposal',
    KeyConditionExpression: 'proposal = :p',
    ExpressionAttributeValues: { ':p': S(ref) },
    ConsistentRead: false,
  }));
  const ok = new Set<string>();
  for (const item of res.Items ?? []) {
    if (item.kind?.S !== 'approval' || item.hash?.S !== hash) continue;
    const writer = item.pk?.S;
    if (!writer || item.sk?.S !== `approval#${ref}`) continue;
    const id = principalIdOf(writer);
    if (id !== proposerId && approvers.has(id)) ok.add(id);
  }
  return [...ok];
}

/**
 * Checks a proposal and, when two people agreed on exactly `request`, carries it out once.
 * Throws GateError on every refusal; returns executed false only when approval is still missing and `waitIfUnapproved`.
 */
export async function execute(c: GateConfig, ref: string, request: GateOperation, waitIfUnapproved = false): Promise<ExecuteResult> {
  checkRequest(request);
  const { proposer, id } = parseRef(ref);
  const got = await c.ddb.send(new GetItemCommand({ TableName: c.tableName, Key: { pk: S(proposer), sk: S(`proposal#${id}`) }, ConsistentRead: true }));
  const p = got.Item;
  if (!p || p.kind?.S !== 'proposal') throw new GateError(`proposal ${ref} does not exist`);
  const now = nowSeconds(c);
  const proposedAt = Number(p.proposedAt?.N);
  const expiresAt = Number(p.expiresAt?.N);
  if (!Number.isFinite(proposedAt) || !Number.isFinite(expiresAt) || proposedAt > now + 300 || expiresAt - proposedAt > c.maxWindowSeconds) {
    throw new GateError(`proposal ${ref} has an invalid validity window (at most ${c.maxWindowSeconds} s)`);
  }
  if (now >= expiresAt) throw new GateError(`proposal ${ref} expired at ${new Date(expiresAt * 1000).toISOString()}; propose again`);
  const hash = requestHash(request);
  if (p.hash?.S !== hash) throw new GateError(`the request differs from what proposal ${ref} proposed (hash mismatch): only the exact proposed request can be carried out`);
  // Approvers review the request text stored with the proposal: it must be what the hash stands for.
  let stored: unknown;
  try {
    stored = JSON.parse(p.request?.S ?? '');
  } catch {
    stored = undefined;
  }
  // The stored text must be the canonical form itself: JSON with, say, a key given twice parses to one request while
  // an approver reading the text could see another.
  if (stored === undefined || requestHash(stored as GateOperation) !== hash || p.request?.S !== canonicalJson(stored)) {
    throw new GateError(`proposal ${ref} shows a request that is not the one its hash stands for`);
  }

  const keyId = request.keyId;
  // Moving or deleting an alias is governed by the key it leaves (its current target): the key named in the request
  // could be one whose policy the proposer wrote.
  const governing = request.operation === 'UpdateAlias' || request.operation === 'DeleteAlias'
    ? await aliasTarget(c, request.aliasName) : keyId;
  const custodians = await custodiansOf(c, governing);
  const proposerId = principalIdOf(proposer);
  const self = await executorId(c);
  if (!custodians.proposers.has(proposerId) && proposerId !== self) {
    throw new GateError(`proposal ${ref} was not written by an administrator or approver of ${governing}`);
  }
  const approvers = await validApprovers(c, ref, hash, proposerId, custodians.approvers);
  // The gate proposes on CloudFormation's behalf for whoever can invoke it, which an approver may be: such proposals
  // need two approvers, so no single person both asks for and approves a change.
  const needed = proposerId === self ? 2 : 1;
  if (approvers.length < needed) {
    if (waitIfUnapproved) return { executed: false, operation: request.operation, approvers };
    throw new GateError(needed === 1
      ? `proposal ${ref} has no approval from an approver of ${governing} other than the proposer`
      : `proposal ${ref} (made by the gate for CloudFormation) needs approvals from two different approvers of ${governing}, has ${approvers.length}`);
  }

  // Once only: the marker is written before the call and removed if KMS refuses it.
  const marker = { pk: S('executed'), sk: S(`executed#${ref}`) };
  try {
    await c.ddb.send(new PutItemCommand({
      TableName: c.tableName,
      Item: { ...marker, proposal: S(`executed#${ref}`), kind: S('executed'), hash: S(hash), executedAt: N(now), approvers: S(approvers.join(',')) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') throw new GateError(`proposal ${ref} was already carried out`);
    throw e;
  }
  try {
    await apply(c.kms, request);
  } catch (e) {
    await c.ddb.send(new DeleteItemCommand({ TableName: c.tableName, Key: marker }));
    throw new GateError(`${request.operation} on ${keyId} failed: ${errorName(e)}: ${(e as Error).message}`);
  }
  console.log(JSON.stringify({ gate: 'executed', operation: request.operation, keyId, proposal: ref, approvers }));
  return { executed: true, operation: request.operation, approvers };
}

function b64(s: string): Uint8Array {
  return Buffer.from(s, 'base64');
}

async function apply(kms: KMSClient, r: GateOperation): Promise<void> {
  switch (r.operation) {
    case 'PutKeyPolicy':
      await kms.send(new PutKeyPolicyCommand({ KeyId: r.keyId, PolicyName: 'default', Policy: r.policy }));
      return;
    case 'DisableKey':
      await kms.send(new DisableKeyCommand({ KeyId: r.keyId }));
      return;
    case 'ScheduleKeyDeletion':
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: r.keyId, PendingWindowInDays: r.pendingWindowInDays }));
      return;
    case 'CancelKeyDeletion':
      await kms.send(new CancelKeyDeletionCommand({ KeyId: r.keyId }));
      return;
    case 'ReplicateKey':
      await kms.send(new ReplicateKeyCommand({ KeyId: r.keyId, ReplicaRegion: r.replicaRegion, Policy: r.policy }));
      return;
    case 'UpdatePrimaryRegion':
      await kms.send(new UpdatePrimaryRegionCommand({ KeyId: r.keyId, PrimaryRegion: r.primaryRegion }));
      return;
    case 'ImportKeyMaterial':
      await kms.send(new ImportKeyMaterialCommand({
        KeyId: r.keyId,
        ImportToken: b64(r.importToken),
        EncryptedKeyMaterial: b64(r.encryptedKeyMaterial),
        ExpirationModel: r.expirationModel as any,
        ValidTo: r.validTo ? new Date(r.validTo) : undefined,
      }));
      return;
    case 'DeleteImportedKeyMaterial':
      await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: r.keyId }));
      return;
    case 'CreateAlias':
      await kms.send(new CreateAliasCommand({ AliasName: r.aliasName, TargetKeyId: r.keyId }));
      return;
    case 'UpdateAlias':
      await kms.send(new UpdateAliasCommand({ AliasName: r.aliasName, TargetKeyId: r.keyId }));
      return;
    case 'DeleteAlias':
      await kms.send(new DeleteAliasCommand({ AliasName: r.aliasName }));
      return;
    default:
      throw new GateError(`operation must be one of the gated KMS operations, got ${String((r as any).operation).slice(0, 60)}`);
  }
}

/*
 * CloudFormation's path: Custom::CloudKmsGatedKeyPolicy carries a dual-control key's policy. Every change, the first
 * policy of a key still on its genesis policy included, is proposed by the gate on CloudFormation's behalf, and
 * isComplete carries it out once two approvers named in the key's current policy have approved it, or fails when the
 * proposal expires.
 */

let defaultConfig: GateConfig | undefined;
/** The Lambda's configuration, from its environment. */
export function configFromEnv(): GateConfig {
  if (!process.env.GATE_TABLE_NAME || !process.env.GATE_EXECUTOR_ROLE_ARN) throw new GateError('this function is not a dual-control gate executor');
  return defaultConfig ??= {
    tableName: process.env.GATE_TABLE_NAME ?? '',
    executorRoleArn: process.env.GATE_EXECUTOR_ROLE_ARN ?? '',
    maxWindowSeconds: Number(process.env.GATE_MAX_WINDOW_SECONDS ?? '86400'),
    ddb: new DynamoDBClient({}),
    kms: new KMSClient({}),
    iam: new IAMClient({}),
  };
}

function policyString(props: Record<string, any>): string {
  const policy = props.Policy;
  if (policy === undefined || policy === null || policy === '') throw new ResourceError('property Policy is required');
  return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

function samePolicy(a: string, b: string): boolean {
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b));
  } catch {
    return false;
  }
}

export async function onEvent(event: ResourceEvent, c: GateConfig = configFromEnv()): Promise<OnEventResult> {
  log(event, 'onEvent');
  const keyId = required(event.ResourceProperties, 'KeyId');
  // Consumers read the key's ARN from here, so CloudFormation creates them only once the key's policy is in place.
  const data = { KeyArn: String(event.ResourceProperties.KeyArn ?? keyId) };
  if (event.RequestType === 'Delete') {
    // The key is retained; its policy stays as approved.
    return { PhysicalResourceId: event.PhysicalResourceId ?? keyId };
  }
  const policy = policyString(event.ResourceProperties);
  const windowSeconds = Math.min(Number(event.ResourceProperties.ApprovalWindowSeconds ?? c.maxWindowSeconds), c.maxWindowSeconds);
  try {
    const current = await currentPolicy(c, keyId);
    if (samePolicy(JSON.stringify(current), policy)) return { PhysicalResourceId: keyId, Data: { ...data, Proposal: 'none' } };
    const request: GateOperation = { operation: 'PutKeyPolicy', keyId, policy };
    checkRequest(request);
    // No shortcut for a key still on its genesis policy: anyone who may invoke the gate could hand it a policy of their
    // own for a key CloudFormation has just created. The first policy waits for two approvers named in the genesis
    // policy, like every later change.
    const now = nowSeconds(c);
    const proposer = `${await executorId(c)}:cloudformation`;
    const id = `cfn-${randomUUID()}`;
    await c.ddb.send(new PutItemCommand({ TableName: c.tableName, Item: proposalItem(proposer, id, request, now, now + windowSeconds) }));
    const ref = proposalRef(proposer, id);
    console.log(JSON.stringify({
      gate: 'proposed',
      keyId,
      proposal: ref,
      hash: requestHash(request),
      expiresAt: new Date((now + windowSeconds) * 1000).toISOString(),
      approve: 'an approver other than the proposer writes an approval item for this proposal and hash (cloud-kms gate approve)',
    }));
    return { PhysicalResourceId: keyId, Data: { ...data, Proposal: ref } };
  } catch (e) {
    if (e instanceof ResourceError) throw e;
    throw new ResourceError(`${errorName(e)}: ${(e as Error).message}`);
  }
}

export async function isComplete(event: ResourceEvent, c: GateConfig = configFromEnv()): Promise<IsCompleteResult> {
  const ref = event.Data?.Proposal;
  if (event.RequestType === 'Delete' || !ref || ref === 'none') return { IsComplete: true };
  const keyId = required(event.ResourceProperties, 'KeyId');
  const request: GateOperation = { operation: 'PutKeyPolicy', keyId, policy: policyString(event.ResourceProperties) };
  try {
    const res = await execute(c, ref, request, true);
    return { IsComplete: res.executed };
  } catch (e) {
    if (e instanceof GateError && /expired/.test(e.message)) {
      throw new ResourceError(`the key policy change for ${keyId} was not approved in time: ${e.message}. No change was made; ` +
        'deploy again and have an approver other than the proposer approve the new proposal');
    }
    if (e instanceof GateError) throw new ResourceError(`the dual-control gate refused the key policy change for ${keyId}: ${e.message}`);
    throw new ResourceError(`${errorName(e)}: ${(e as Error).message}`);
  }
}

/** A direct invocation: `{ "gate": "execute", "proposal": "<ref>", "request": { ...the exact proposed request } }`. */
export interface GateInvocation {
  readonly gate: 'execute';
  readonly proposal: string;
  readonly request: GateOperation;
}

export function isGateInvocation(event: unknown): event is GateInvocation {
  return !!event && typeof event === 'object' && (event as any).gate === 'execute';
}

export async function invoke(event: GateInvocation, config?: GateConfig): Promise<ExecuteResult | { error: string }> {
  try {
    return await execute(config ?? configFromEnv(), event.proposal, event.request);
  } catch (e) {
    if (e instanceof GateError) return { error: e.message };
    throw e;
  }
}

/** For tests. */
export function resetGate(): void {
  defaultConfig = undefined;
  executorIdCache = undefined;
}
