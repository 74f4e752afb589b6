/*
 * The requests a caller could send for one action, as far as a key policy's conditions tell them apart (with and without
 * MFA, the right, a wrong or no encryption context, ...): the matrix asks the evaluator about each.
 */

/** Actions whose requests carry an encryption context. */
const EC_ACTIONS = new Set(['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:CreateGrant']);
/** Actions whose requests carry kms:GrantIsForAWSResource. */
const GRANT_ACTIONS = new Set(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);

export interface Variant {
  readonly ctx: Record<string, string | string[]>;
  /** Which requirement this variant meets, per dimension (undefined: neutral). */
  readonly marks: Record<string, string | undefined>;
  readonly mfa: boolean;
}

/** Conditions the policy uses, from which request variants are built. */
export interface PolicyConditions {
  mfa: boolean;
  /** Encryption-context keys, with the values that meet them. */
  readonly ec: Map<string, Set<string>>;
  /** Principal tags used by policy variables or conditions, with values. */
  readonly tags: Map<string, Set<string>>;
  readonly via: Set<string>;
  grant: boolean;
  readonly sourceArn: Set<string>;
  readonly sourceAccount: Set<string>;
}

const TENANT_VALUE = 'matrix-tenant-a';
const WRONG_VALUE = 'matrix-wrong-value';

export function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A value that meets a pattern: wildcards filled in; a policy variable of a principal tag, the tenant value. */
function meeting(value: string, tags: Map<string, Set<string>>): string {
  const variable = /\$\{aws:PrincipalTag\/([^}]+)\}/g;
  let out = value.replace(variable, (_m, tag: string) => {
    const set = tags.get(tag) ?? new Set<string>();
    set.add(TENANT_VALUE);
    tags.set(tag, set);
    return TENANT_VALUE;
  });
  out = out.replace(/\*/g, 'x').replace(/\?/g, 'x');
  return out;
}

/** The conditions a key policy's statements use, with values that meet them. */
export function conditionsOf(statements: any[]): PolicyConditions {
  const c: PolicyConditions = {
    mfa: false, ec: new Map(), tags: new Map(), via: new Set(), grant: false, sourceArn: new Set(), sourceAccount: new Set(),
  };
  for (const st of statements) {
    for (const [op, tests] of Object.entries(st.Condition ?? {})) {
      for (const [key, values] of Object.entries(tests as Record<string, unknown>)) {
        const k = key.toLowerCase();
        const strings = list(values).filter((v): v is string => typeof v === 'string');
        if (k === 'aws:multifactorauthpresent') {c.mfa = true;} else if (k === 'kms:grantisforawsresource') {c.grant = true;} else if (k === 'kms:viaservice') {strings.forEach((v) => c.via.add(meeting(v, c.tags)));} else if (k === 'aws:sourcearn') {strings.forEach((v) => c.sourceArn.add(meeting(v, c.tags)));} else if (k === 'aws:sourceaccount') {strings.forEach((v) => c.sourceAccount.add(meeting(v, c.tags)));} else if (k.startsWith('kms:encryptioncontext:')) {
          const name = key.slice('kms:EncryptionContext:'.length);
          const set = c.ec.get(name) ?? new Set<string>();
          if (op === 'Null') set.add(TENANT_VALUE);
          else strings.forEach((v) => set.add(meeting(v, c.tags)));
          c.ec.set(name, set);
        } else if (k.startsWith('aws:principaltag/')) {
          const name = key.slice('aws:PrincipalTag/'.length);
          const set = c.tags.get(name) ?? new Set<string>();
          strings.forEach((v) => set.add(meeting(v, c.tags)));
          c.tags.set(name, set);
        }
      }
    }
  }
  return c;
}

function cross(a: Variant[], b: Variant[]): Variant[] {
  return a.flatMap((x) => b.map((y) => ({ ctx: { ...x.ctx, ...y.ctx }, marks: { ...x.marks, ...y.marks }, mfa: x.mfa || y.mfa })));
}

const NEUTRAL: Variant = { ctx: {}, marks: {}, mfa: false };

/** Every request a caller could send for `action`, as far as the policy's conditions tell them apart. */
export function variantsFor(c: PolicyConditions, action: string, isService: boolean): Variant[] {
  let out: Variant[] = [NEUTRAL];
  if (c.mfa && !isService) {
    out = cross(out, [
      NEUTRAL, // long-term credentials carry no MFA key at all
      { ctx: { 'aws:MultiFactorAuthPresent': 'false' }, marks: {}, mfa: false },
      { ctx: { 'aws:MultiFactorAuthPresent': 'true' }, marks: {}, mfa: true },
    ]);
  }
  if (c.ec.size > 0 && EC_ACTIONS.has(action)) {
    const names = [...c.ec.keys()];
    const width = Math.max(...names.map((n) => c.ec.get(n)!.size));
    const right: Variant[] = [];
    for (let i = 0; i < width; i++) {
      const ctx: Record<string, string | string[]> = {};
      for (const n of names) {
        const values = [...c.ec.get(n)!];
        ctx[`kms:EncryptionContext:${n}`] = values[i % values.length];
      }
      ctx['kms:EncryptionContextKeys'] = names;
      right.push({ ctx, marks: { ec: 'the right encryption context' }, mfa: false });
    }
    const wrong: Record<string, string | string[]> = { 'kms:EncryptionContextKeys': names };
    for (const n of names) wrong[`kms:EncryptionContext:${n}`] = WRONG_VALUE;
    out = cross(out, [NEUTRAL, { ctx: wrong, marks: {}, mfa: false }, ...right]);
  }
  if (c.tags.size > 0 && !isService) {
    const ctx: Record<string, string> = {};
    for (const [t, values] of c.tags) ctx[`aws:PrincipalTag/${t}`] = values.has(TENANT_VALUE) ? TENANT_VALUE : [...values][0];
    out = cross(out, [NEUTRAL, { ctx, marks: { tags: `principal tags ${[...c.tags.keys()].join(', ')}` }, mfa: false }]);
  }
  if (c.via.size > 0) {
    out = cross(out, [NEUTRAL, ...[...c.via].map((v) => ({ ctx: { 'kms:ViaService': v }, marks: { via: `through ${v}` }, mfa: false }))]);
  }
  if (c.grant && GRANT_ACTIONS.has(action)) {
    out = cross(out, [
      NEUTRAL,
      { ctx: { 'kms:GrantIsForAWSResource': 'true' }, marks: { grant: 'grants for AWS resources only' }, mfa: false },
      { ctx: { 'kms:GrantIsForAWSResource': 'false' }, marks: {}, mfa: false },
    ]);
  }
  if (isService && (c.sourceArn.size > 0 || c.sourceAccount.size > 0)) {
    const ctx: Record<string, string> = {};
    if (c.sourceArn.size > 0) ctx['aws:SourceArn'] = [...c.sourceArn][0];
    if (c.sourceAccount.size > 0) ctx['aws:SourceAccount'] = [...c.sourceAccount][0];
    const wrong: Record<string, string> = {};
    if (c.sourceArn.size > 0) wrong['aws:SourceArn'] = `arn:aws:cloudtrail:us-east-1:999999999999:trail/${WRONG_VALUE}`;
    if (c.sourceAccount.size > 0) wrong['aws:SourceAccount'] = '999999999999';
    out = cross(out, [NEUTRAL, { ctx, marks: { source: 'on behalf of its own source resource' }, mfa: false }, { ctx: wrong, marks: {}, mfa: false }]);
  }
  return out;
}
