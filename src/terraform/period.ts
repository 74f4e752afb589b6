/*
 * Period props whose amount is a cdktf number token. Terraform can bound such a value before it touches any
 * resource only when the token is a reference to a TerraformVariable: a `validation` block on the variable is
 * evaluated at plan time, and a value outside it stops the plan with the block's error message.
 *   https://developer.hashicorp.com/terraform/language/expressions/custom-conditions#input-variable-validation
 * Before Terraform 1.9 a condition may refer only to its own variable, so every bound is folded into one range of
 * that variable (the other props it is checked against must then be literals), and the error message is a sentence
 * starting with a capital letter and ending with a period, as Terraform requires.
 * So a prop that takes tokens (rotation) bounds them with a validation on the variable, and every other token (a
 * resource attribute, a local, an expression of a variable, or a token on a prop whose cross-checks cannot be
 * written as one variable's condition) is refused, never skipped. Shared by src/azure and src/gcp, both cdktf: this
 * folder is their common Terraform code (core knows no token system, and a cloud folder never imports another).
 */
import { DefaultTokenResolver, Fn, Op, StringConcat, TerraformStack, TerraformVariable, Token, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';
import { Period } from '../core/period';
import { shown, ValidationError } from '../core/validation';

/** How a plan-time value is bounded, for evidence and messages. */
export interface PlanTimeBound {
  readonly prop: string;
  /** `var.<name>`, as Terraform expressions name the variable. */
  readonly variable: string;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** `a plan-time value (variable var.rotation_days, validated to 7..365 days)`. */
export function describePlanTimeBound(b: PlanTimeBound): string {
  return `a plan-time value (variable ${b.variable}, validated to ${b.min}..${b.max} ${b.unit})`;
}

/** The Terraform expression a token stands for (`var.x`, `(var.x + 30)`), or the literal as text. */
export function expressionText(scope: IConstruct, value: number | string): string {
  if (!Token.isUnresolved(value)) return String(value);
  const resolved = Tokenization.resolve(value, {
    scope: TerraformStack.of(scope), resolver: new DefaultTokenResolver(new StringConcat()), preparing: true,
  });
  const text = String(resolved);
  return text.startsWith('${') && text.endsWith('}') ? text.slice(2, -1) : text;
}

/** A literal amount of days; a token is refused naming the prop (this prop cannot be bounded at plan time). */
export function literalDays(scope: IConstruct, prop: string, period: Period): number {
  refuseToken(scope, prop, period);
  return period.toDays();
}

export function refuseToken(scope: IConstruct, prop: string, period: Period): void {
  if (Token.isUnresolved(period.amount)) {
    throw new ValidationError(`${prop} must be a literal period, got a token (${expressionText(scope, period.amount)}): ` +
      `${scope.node.path} checks it before deployment and Terraform could not check this one before changing the resource`);
  }
}

/**
 * Bounds a token amount to whole numbers in [min, max] with a validation on the TerraformVariable it refers to, or
 * refuses it. `why` says where the bounds come from (e.g. `profile SOC2 and Key Vault`).
 */
export function boundPlanTimeNumber(
  scope: IConstruct, subject: string, prop: string, value: number, min: number, max: number, unit: string, why: string,
): PlanTimeBound {
  const stack = TerraformStack.of(scope);
  const expression = expressionText(scope, value);
  const variable = stack.node.findAll().find((c): c is TerraformVariable =>
    c instanceof TerraformVariable && expressionText(scope, c.numberValue) === expression);
  if (!variable) {
    throw new ValidationError(`${prop} is a token that cannot be bounded before deployment (${expression} is not a TerraformVariable of ` +
      `${stack.node.path}): pass a literal, or the numberValue of a TerraformVariable, which ${subject} validates to ${min}..${max} ${unit}`);
  }
  if (variable.type !== undefined && variable.type !== 'number') {
    throw new ValidationError(`${prop} must come from a TerraformVariable of type number, got ${expression} of type ${variable.type}`);
  }
  if (min > max) {
    throw new ValidationError(`${prop} comes from ${expression} but no value satisfies ${why}: it would have to be from ${min} to ${max} ${unit}`);
  }
  const dflt = variable.default;
  if (dflt !== undefined && !Token.isUnresolved(dflt) && (!Number.isInteger(dflt) || dflt < min || dflt > max)) {
    throw new ValidationError(`${prop} comes from ${expression}, whose default must be a whole number from ${min} to ${max} ${unit} (${why}), got ${shown(dflt)}`);
  }
  const errorMessage = `The ${prop} must be a whole number of ${unit} from ${min} to ${max} (${why}).`;
  if (!(variable.validation ?? []).some((v) => v.errorMessage === errorMessage)) {
    const n = variable.numberValue;
    variable.addValidation({ condition: Op.and(Op.and(Op.gte(n, min), Op.lte(n, max)), Op.eq(Fn.floor(n), n)), errorMessage });
  }
  return { prop, variable: expression, min, max, unit };
}

/** A number, literal or token, as text inside a Terraform string (`P${var.x}D`). */
export function inString(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}
