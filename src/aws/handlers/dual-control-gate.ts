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
import { randomUUID } from 'crypto';
// Provided by the Lambda runtime (bundling keeps @aws-sdk/* external); present here through the dev toolchain. It
// belongs in .projenrc.ts devDeps like the other clients (not added here: package.json is the maintainer's).
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { errorName, IsCompleteResult, log, OnEventResult, required, ResourceError, ResourceEvent } from './common';
import { applyRequest } from './gate-apply';
import {
  aliasTarget, currentPolicy, custodiansOf, executorId, GateConfig, nowSeconds, resetExecutorId, validApprovers,
} from './gate-custodians';
import {
  canonicalJson, checkRequest, GateError, GateOperation, N, parseRef, principalIdOf, proposalItem, proposalRef, requestHash, S,
} from './gate-request';

export { GATED_KEY_POLICY_TYPE } from './resource-types';
export type { GateConfig } from './gate-custodians';
export type { GateOperation } from './gate-request';
export { approvalItem, canonicalJson, GATE_SIDS, GateError, principalIdOf, proposalItem, proposalRef, requestHash } from './gate-request';

export interface ExecuteResult {
  readonly executed: boolean;
  readonly operation: string;
  readonly approvers: string[];
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
    await applyRequest(c.kms, request, c.kmsIn);
  } catch (e) {
    await c.ddb.send(new DeleteItemCommand({ TableName: c.tableName, Key: marker }));
    throw new GateError(`${request.operation} on ${keyId} failed: ${errorName(e)}: ${(e as Error).message}`);
  }
  console.log(JSON.stringify({ gate: 'executed', operation: request.operation, keyId, proposal: ref, approvers }));
  return { executed: true, operation: request.operation, approvers };
}

const REGIONAL_KMS = new Map<string, KMSClient>();
/** One client per region the gate's keys are in (a gated replica's). */
function regionalKms(region: string): KMSClient {
  let client = REGIONAL_KMS.get(region);
  if (!client) REGIONAL_KMS.set(region, client = new KMSClient({ region }));
  return client;
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
    kmsIn: regionalKms,
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
  resetExecutorId();
}
