import { RuleContext, RuleFinding, RuleResult } from './result';
import { Control } from '../../core/controls';

export * from './result';

/** The clouds and template formats the pack reads. */
export type RuleCloud = 'aws' | 'azure' | 'gcp';

/**
 * One rule: which cloud's templates it reads, the controls it evidences, and how it judges a whole template
 * (a CloudFormation template, or Terraform JSON). Rules report every resource they look at.
 */
export interface KmsRule {
  readonly id: string;
  readonly cloud: RuleCloud;
  readonly description: string;
  readonly controls: Control[];
  evaluate(template: any, ctx: RuleContext): RuleFinding[];
}

/** A verdict helper for rules. */
export function finding(rule: string, resource: string, ok: boolean | undefined, message: string): RuleFinding {
  return { rule, resource, message, result: ok === undefined ? RuleResult.NOT_APPLICABLE : ok ? RuleResult.COMPLIANT : RuleResult.NON_COMPLIANT };
}

/** CloudFormation resources of the given types, as [logical id, resource]. */
export function cfnResources(template: any, ...types: string[]): Array<[string, any]> {
  return Object.entries(template?.Resources ?? {}).filter(([, r]: [string, any]) => types.includes(r?.Type)) as Array<[string, any]>;
}

/** Terraform resources of the given types, as [`type.name`, body]. */
export function tfResources(json: any, ...types: string[]): Array<[string, any]> {
  // A body that is not an object (null in a hand-edited file) is judged as a resource with no settings: never skipped,
  // never a crash, and never compliant for a setting it lacks.
  return types.flatMap((type) => Object.entries(json?.resource?.[type] ?? {})
    .map(([name, body]) => [`${type}.${name}`, typeof body === 'object' && body !== null ? body : {}] as [string, any]));
}

export function asList<T = unknown>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** `P365D` or `365` days; undefined when it is an expression. */
export function isoDays(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^P(\d+)D$/.exec(v) : null;
  return m ? Number(m[1]) : undefined;
}

/** `7776000s` as days; undefined when it is an expression. */
export function secondsAsDays(v: unknown): number | undefined {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(v) : null;
  return m ? Number(m[1]) / 86400 : undefined;
}

/**
 * The longest rotation, in days, a Terraform variable can give: `P${var.x}D` (Key Vault) or `${(var.x * 86400)}s`
 * (Cloud KMS, any unit), bounded by the validation the Azure and Google constructs add to the variable. Only that
 * exact condition counts (Terraform must reject every value above the bound); any other expression, or a variable
 * without it, is undefined: Terraform would accept any value.
 */
export function variableMaxDays(json: any, v: unknown): { variable: string; maxDays: number } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^P\$\{var\.([A-Za-z_][\w-]*)\}D$/.exec(v) ?? /^\$\{\(var\.([A-Za-z_][\w-]*) \* (\d+)\)\}s$/.exec(v);
  if (!m) return undefined;
  const name = m[1];
  const secondsPerUnit = m[2] ? Number(m[2]) : 86400;
  const ref = `var\\.${name.replace(/-/g, '\\-')}`;
  const bounded = new RegExp(`^\\$\\{\\(\\(\\(${ref} >= \\d+\\) && \\(${ref} <= (\\d+)\\)\\) && \\(floor\\(${ref}\\) == ${ref}\\)\\)\\}$`);
  const maxima = asList<any>(json?.variable?.[name]?.validation)
    .map((rule) => bounded.exec(String(rule?.condition ?? '')))
    .filter((x): x is RegExpExecArray => x !== null)
    .map((x) => Number(x[1]));
  if (maxima.length === 0) return undefined;
  return { variable: `var.${name}`, maxDays: Math.min(...maxima) * secondsPerUnit / 86400 };
}

/** Strings that look like key material or credentials: PEM blocks, long base64 or hex runs, access keys. */
export function looksLikeKeyMaterial(value: unknown): boolean {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return /-----BEGIN [A-Z ]*(PRIVATE|SECRET|RSA|EC) ?KEY-----/.test(text)
    || /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43,}={0,2}(?![A-Za-z0-9+/=])/.test(text.replace(/\$\{[^}]*\}/g, ''))
    || /(?<![0-9a-f])[0-9a-f]{64,}(?![0-9a-f])/i.test(text)
    || /AKIA[0-9A-Z]{16}/.test(text);
}
