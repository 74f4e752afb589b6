/*
 * Whether the primary's key policy lets anyone but named principals create replicas, read before anything is imported:
 * ReplicateKey runs with the caller's credentials, and the library's key policies let only the deployment principal
 * (SID DenyReplicationExceptDeployment; under dual control, the gate's executor, the only principal allowed) replicate.
 * An importer asking for --create-replicas would otherwise be refused by KMS after the primary's import succeeded.
 * The CLI cannot see who it runs as (it loads no STS client), so a policy that names the principals allowed refuses the
 * request: they create replicas through the stack (aws.ReplicaKey, replicaRegions) or the gate, not through this command.
 */
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CliError } from './errors';

interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** kms:ReplicateKey, or a wildcard that matches it (policy actions are case-insensitive). */
const coversReplicateKey = (s: Statement) => list(s.Action).some((a) => /^kms:(\*|replicate\*|replicatekey)$/i.test(a) || a === '*');
const everyone = (p: unknown) => p === '*' || (typeof p === 'object' && p !== null && list((p as { AWS?: string | string[] }).AWS).includes('*'));

/** What refuses a replica in these Regions to a caller the CLI cannot name, or undefined when nothing visible does. */
export function replicationRefusal(policy: string, regions: string[]): string | undefined {
  let statements: Statement[];
  try {
    const parsed = JSON.parse(policy).Statement as Statement | Statement[] | undefined;
    statements = Array.isArray(parsed) ? parsed : parsed ? [parsed] : [];
  } catch {
    return 'the key policy is not JSON';
  }
  // The CLI prints at most 300 characters: the rest is in --help and docs/ceremonies.md.
  const how = 'create replicas with aws.ReplicaKey or the gate (see --help)';
  for (const s of statements.filter((x) => x.Effect === 'Deny' && coversReplicateKey(x) && everyone(x.Principal))) {
    const condition = s.Condition ?? {};
    const exempt = ['ArnNotEquals', 'ArnNotLike', 'StringNotEquals', 'StringNotLike']
      .flatMap((op) => list(condition[op]?.['aws:PrincipalArn'] ?? condition[op]?.['aws:principalarn']));
    const allowedRegions = list(condition.StringNotEquals?.['kms:ReplicaRegion']);
    const sid = s.Sid ? ` (statement ${s.Sid})` : '';
    if (Object.keys(condition).length === 0) return `the key policy denies kms:ReplicateKey to everyone${sid}`;
    if (exempt.length > 0) return `only ${exempt.join(', ')} may replicate this key${sid}, not you: ${how}`;
    const outside = regions.filter((r) => allowedRegions.length > 0 && !allowedRegions.includes(r));
    if (outside.length > 0) return `the key policy allows replicas only in ${allowedRegions.join(', ')}${sid}, not ${outside.join(', ')}`;
  }
  return undefined;
}

/**
 * Under dual control (the library's SID DenyDualControlOperationsExceptExecutor), only the gate's executor may call
 * ImportKeyMaterial, after two approvals: this command, run as an importer, would be refused at the primary. Read up
 * front, so nothing is half-imported. A caller that may not read the policy learns KMS's answer instead.
 */
export async function checkNotDualControl(client: KMSClient, keyArn: string): Promise<void> {
  let policy: string | undefined;
  try {
    policy = (await client.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy;
  } catch {
    return;
  }
  let statements: Statement[] = [];
  try {
    const parsed = JSON.parse(policy ?? '{}').Statement as Statement | Statement[] | undefined;
    statements = Array.isArray(parsed) ? parsed : parsed ? [parsed] : [];
  } catch {
    return;
  }
  const gated = statements.some((s) => s.Effect === 'Deny' && s.Sid === 'DenyDualControlOperationsExceptExecutor' &&
    list(s.Action).some((a) => /^kms:(\*|import\*|importkeymaterial)$/i.test(a)));
  if (gated) {
    throw new CliError(`key ${keyArn} is under dual control: only the dual-control gate's executor imports its material ` +
      '(nothing imported); propose a gated ImportKeyMaterial per Region (docs/ceremonies.md)');
  }
}

/** Reads the primary's key policy and refuses --create-replicas, before any import, when it would be denied. */
export async function checkReplicationAllowed(client: KMSClient, keyArn: string, regions: string[]): Promise<void> {
  if (regions.length === 0) return;
  const { Policy: policy } = await client.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
  if (!policy) throw new CliError(`KMS returned no key policy for ${keyArn}; nothing was imported`);
  const refusal = replicationRefusal(policy, regions);
  if (refusal) throw new CliError(`--create-replicas (nothing imported): ${refusal}`);
}
