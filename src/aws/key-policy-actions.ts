/*
 * Every KMS action list used in key policies, in one place. Lists are explicit (no wildcards),
 * so a policy reads as what it allows and cdk-nag's IAM5 has nothing to flag.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
 * Outside private/: the compliance rule pack reads synthesized key policies with the same vocabulary the constructs
 * write them with. Not exported from the package (src/aws/index.ts leaves it out): an internal contract.
 */

/** Read-only key metadata: what auditors get, and what everyone else also needs. */
export const READ_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
];

/**
 * Every operation that could, by one principal alone, expose or destroy what the key protects: change its policy,
 * disable or delete it (or undo a deletion), copy it to another region under a policy of the caller's choosing, swap
 * or remove its material, or move an alias a workload resolves. Under dual control only the dual-control gate's
 * executor may call them, and only with a request two people agreed on (see DualControlGate).
 * CreateAlias stays outside: it can only add a name for this key, never point a name elsewhere (UpdateAlias and
 * DeleteAlias need permission on the key the alias leaves).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
 */
export const DUAL_CONTROL_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:DisableKey',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:ReplicateKey',
  'kms:UpdatePrimaryRegion',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ImportKeyMaterial',
  'kms:DeleteImportedKeyMaterial',
];

/**
 * Multi-Region operations: a replica is a separate key with its own policy that decrypts the primary's ciphertexts,
 * so outside dual control only the deployment principal (whose replica policy comes from the template) holds them.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
 */
export const REPLICATION_ACTIONS = ['kms:ReplicateKey', 'kms:UpdatePrimaryRegion'];

/**
 * Operations by which one principal reaches cryptographic use without being a user: rewriting the key policy (a
 * statement granting themselves Decrypt), copying the key under a policy of their own (replication), or moving a name
 * workloads resolve to a key they control. Outside dual control only the deployment principal holds them (and the
 * access matrix names it for that); administrators manage everything else.
 */
export const REACH_ACTIONS = ['kms:PutKeyPolicy', 'kms:UpdateAlias', 'kms:DeleteAlias', ...REPLICATION_ACTIONS];

/** Key management without cryptographic use. */
export const MANAGEMENT_ACTIONS = [
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:UpdateAlias',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:PutKeyPolicy',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:RevokeGrant',
  'kms:ReplicateKey',
  'kms:UpdatePrimaryRegion',
];

/** Key-material import (BYOK): for importers only. */
export const IMPORT_ACTIONS = [
  'kms:GetParametersForImport',
  'kms:ImportKeyMaterial',
  'kms:DeleteImportedKeyMaterial',
];

/** Encrypt side of a symmetric or RSA key. */
export const ENCRYPT_ACTIONS = [
  'kms:Encrypt',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];

/** Decrypt side of a symmetric or RSA key. */
export const DECRYPT_ACTIONS = [
  'kms:Decrypt',
  'kms:ReEncryptFrom',
];

export const DATA_KEY_PAIR_ACTIONS = [
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
];

export const SIGN_ACTIONS = ['kms:Sign'];
export const VERIFY_ACTIONS = ['kms:Verify'];
export const GENERATE_MAC_ACTIONS = ['kms:GenerateMac'];
export const VERIFY_MAC_ACTIONS = ['kms:VerifyMac'];
export const KEY_AGREEMENT_ACTIONS = ['kms:DeriveSharedSecret'];
export const PUBLIC_KEY_ACTIONS = ['kms:GetPublicKey'];

/** Grants that let AWS services use the key on a user's behalf (only with kms:GrantIsForAWSResource). */
export const SERVICE_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

/** Every action that uses key material, plus CreateGrant, which can hand that use to someone else. */
export const CRYPTOGRAPHIC_ACTIONS = [
  ...ENCRYPT_ACTIONS,
  ...DECRYPT_ACTIONS,
  ...DATA_KEY_PAIR_ACTIONS,
  ...SIGN_ACTIONS,
  ...VERIFY_ACTIONS,
  ...GENERATE_MAC_ACTIONS,
  ...VERIFY_MAC_ACTIONS,
  ...KEY_AGREEMENT_ACTIONS,
  ...PUBLIC_KEY_ACTIONS,
  'kms:CreateGrant',
];

/** Which side of the separation-of-duties line an action falls on. */
export enum ActionClass {
  READ = 'READ',
  MANAGEMENT = 'MANAGEMENT',
  IMPORT = 'IMPORT',
  CRYPTOGRAPHIC = 'CRYPTOGRAPHIC',
}

/** Classifies one action (wildcards match every action they cover). */
export function classifyAction(action: string): ActionClass[] {
  let classes = CLASSIFIED.get(action);
  if (!classes) {
    classes = classify(action);
    CLASSIFIED.set(action, classes);
  }
  return classes;
}

/** Actions already classified: policies of thousands of keys repeat the same few dozen. */
const CLASSIFIED = new Map<string, ActionClass[]>();

function classify(action: string): ActionClass[] {
  if (action === '*' || action === 'kms:*') {
    return [ActionClass.READ, ActionClass.MANAGEMENT, ActionClass.IMPORT, ActionClass.CRYPTOGRAPHIC];
  }
  const re = new RegExp('^' + action.split('*').map(escapeRegExp).join('.*') + '$');
  const classes: ActionClass[] = [];
  if (READ_ACTIONS.some((a) => re.test(a))) classes.push(ActionClass.READ);
  if (MANAGEMENT_ACTIONS.some((a) => re.test(a))) classes.push(ActionClass.MANAGEMENT);
  if (IMPORT_ACTIONS.some((a) => re.test(a))) classes.push(ActionClass.IMPORT);
  if (CRYPTOGRAPHIC_ACTIONS.some((a) => re.test(a))) classes.push(ActionClass.CRYPTOGRAPHIC);
  return classes;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/*
 * Reading key-policy JSON (as synthesized): shared by the synthesis-time policy check and the rule pack, which reads
 * templates without CDK.
 */

/** A policy element (Action, Principal value) as a list of strings; objects (intrinsics) as their JSON. */
export function policyList(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/** A statement's Principal as comparable `kind:value` strings (`*` for the bare wildcard). */
export function policyPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!principal || typeof principal !== 'object') return [];
  return Object.entries(principal as Record<string, unknown>).flatMap(([kind, v]) => policyList(v).map((x) => `${kind}:${x}`));
}

/** What a statement grants or denies, by class: NotAction covers nearly everything; AWS-resource grants are use. */
export function statementClasses(st: { Action?: unknown; NotAction?: unknown; Condition?: unknown }): Set<ActionClass> {
  if (st.NotAction !== undefined) return new Set([ActionClass.READ, ActionClass.MANAGEMENT, ActionClass.IMPORT, ActionClass.CRYPTOGRAPHIC]);
  const isServiceGrant = JSON.stringify(st.Condition ?? {}).includes('kms:GrantIsForAWSResource');
  return new Set(isServiceGrant ? [ActionClass.CRYPTOGRAPHIC] : policyList(st.Action).flatMap(classifyAction));
}
