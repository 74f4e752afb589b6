/*
 * Who may propose and approve a change to a key, read from the key's current (gate-protected) policy and resolved to
 * IAM unique ids, and which approvals of a proposal count. Identity comes from what KMS, IAM and DynamoDB say, never
 * from the event.
 */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { errorName } from './common';
import { GATE_SIDS, GateError, principalIdOf, S } from './gate-request';

export interface GateConfig {
  readonly tableName: string;
  /** The executor role's ARN: its unique id may propose on CloudFormation's behalf. */
  readonly executorRoleArn: string;
  /** The longest a proposal may stay open. */
  readonly maxWindowSeconds: number;
  readonly ddb: DynamoDBClient;
  readonly kms: KMSClient;
  /**
   * A KMS client in another region. A gated replica (`ReplicaKey` under dual control) is in another region than the
   * gate: its policy is read, and operations on it are carried out, there.
   * @default - every call goes through `kms`
   */
  readonly kmsIn?: (region: string) => KMSClient;
  readonly iam: IAMClient;
  readonly now?: () => number;
}

/** The region of a KMS key ARN (`arn:aws:kms:eu-central-1:111122223333:key/mrk-...`); undefined for ids and aliases. */
export function keyArnRegion(keyId: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\//.exec(keyId)?.[1];
}

/** The client that reaches the key: in the region its ARN names, else the gate's own. */
export function kmsFor(c: Pick<GateConfig, 'kms' | 'kmsIn'>, keyId: string): KMSClient {
  const region = keyArnRegion(keyId);
  return region && c.kmsIn ? c.kmsIn(region) : c.kms;
}

export function nowSeconds(c: GateConfig): number {
  return Math.floor((c.now ?? Date.now)() / 1000);
}

export interface KeyCustodians {
  readonly proposers: Set<string>;
  readonly approvers: Set<string>;
  readonly genesis: boolean;
}

export async function currentPolicy(c: GateConfig, keyId: string): Promise<{ Statement?: any[] }> {
  const res = await kmsFor(c, keyId).send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
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
export async function custodiansOf(c: GateConfig, keyId: string): Promise<KeyCustodians> {
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
export async function executorId(c: GateConfig): Promise<string> {
  if (executorIdCache?.arn === c.executorRoleArn) return executorIdCache.id;
  const id = await uniqueIdOf(c, c.executorRoleArn);
  if (!id) throw new GateError(`the executor role ${c.executorRoleArn} cannot be resolved`);
  executorIdCache = { arn: c.executorRoleArn, id };
  return id;
}

export async function aliasTarget(c: GateConfig, aliasName: string): Promise<string> {
  if (!/^alias\//.test(aliasName)) throw new GateError(`aliasName must start with alias/, got ${aliasName.slice(0, 100)}`);
  const res = await c.kms.send(new DescribeKeyCommand({ KeyId: aliasName }));
  const arn = res.KeyMetadata?.Arn;
  if (!arn) throw new GateError(`alias ${aliasName} names no key`);
  return arn;
}

/** Approvals of `ref` (by hash) from named approvers other than the proposer. */
export async function validApprovers(c: GateConfig, ref: string, hash: string, proposerId: string, approvers: Set<string>): Promise<string[]> {
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

/** For tests: the executor role's id is looked up again. */
export function resetExecutorId(): void {
  executorIdCache = undefined;
}
