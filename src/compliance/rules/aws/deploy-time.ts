/*
 * Template values that are deploy-time values ({ Ref: <parameter> }): what bounds CloudFormation enforces on them
 * before deployment, read from the parameter's MinValue/MaxValue. A nested stack's parameter that only passes on a
 * parent's parameter is followed into the parent (a sibling template of the same assembly).
 */

/** A numeric setting as the rule pack sees it. */
export type TemplateNumber =
  | { readonly kind: 'literal'; readonly value: number }
  | { readonly kind: 'parameter'; readonly parameter: string; readonly min?: number; readonly max?: number }
  | { readonly kind: 'expression' };

export function templateNumber(template: any, value: unknown, siblings: any[] = []): TemplateNumber {
  if (typeof value === 'number') return { kind: 'literal', value };
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return { kind: 'literal', value: Number(value) };
  const ref = (value as any)?.Ref;
  if (typeof ref !== 'string' || !template?.Parameters?.[ref]) return { kind: 'expression' };
  const own = bounds(template.Parameters[ref]);
  if (own.min !== undefined || own.max !== undefined) return { kind: 'parameter', parameter: ref, ...own };
  for (const parent of siblings) {
    for (const r of Object.values(parent?.Resources ?? {}) as any[]) {
      if (r?.Type !== 'AWS::CloudFormation::Stack') continue;
      const passed = r.Properties?.Parameters?.[ref]?.Ref;
      if (typeof passed === 'string' && parent.Parameters?.[passed]) {
        const b = bounds(parent.Parameters[passed]);
        if (b.min !== undefined || b.max !== undefined) return { kind: 'parameter', parameter: passed, ...b };
      }
    }
  }
  return { kind: 'parameter', parameter: ref };
}

function bounds(p: any): { min?: number; max?: number } {
  const n = (v: unknown) => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  return { min: n(p?.MinValue), max: n(p?.MaxValue) };
}

/** `a deploy-time value (parameter RotationDays, bounded to 90..365 days)`, never an object. */
export function describeTemplateNumber(v: TemplateNumber, unit: string): string {
  switch (v.kind) {
    case 'literal': return `${v.value} ${unit}`;
    case 'parameter': return `a deploy-time value (parameter ${v.parameter}, ${v.min !== undefined || v.max !== undefined
      ? `bounded to ${v.min ?? 'unbounded'}..${v.max ?? 'unbounded'} ${unit}` : 'unbounded'})`;
    default: return 'a CloudFormation expression that cannot be checked before deployment';
  }
}
