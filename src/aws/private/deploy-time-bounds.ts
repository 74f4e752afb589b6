/*
 * Compliance-relevant numbers that are tokens (a CfnParameter's value, known only at deploy time). They are bounded
 * where CloudFormation can enforce a bound before it touches any resource, and refused where it cannot:
 *
 * - the parameter's own MinValue/MaxValue (CloudFormation validates Number parameters against them before the stack
 *   operation starts),
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
 * - a template rule whose assertion lists every allowed whole number (rule functions compare strings, there is no
 *   numeric comparison; Ref of a Number parameter is its value as a string), so a fractional or out-of-range value
 *   fails with a message that names the prop and the profile.
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-rules.html
 *
 * Any other token (an attribute of a resource, an import, an expression) cannot be bounded before deployment, so the
 * construct refuses it.
 */
import { CfnParameter, CfnRule, Duration, Fn, Names, Reference, Stack, Tokenization } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ValidationError } from '../../core/validation';

/** How a deploy-time value is bounded, for evidence and messages. */
export interface DeployTimeBound {
  /** The construct prop, e.g. `rotation`. */
  readonly prop: string;
  /** The parameter's logical id (as written in the template). */
  readonly parameter: string;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** `a deploy-time value (parameter RotationDays, bounded to 90..365 days)`. */
export function describeDeployTimeBound(b: DeployTimeBound): string {
  return `a deploy-time value (parameter ${b.parameter}, bounded to ${b.min}..${b.max} ${b.unit})`;
}

/**
 * Bounds a Duration whose amount is a token to whole days in [min, max] at deploy time, or refuses it.
 * `why` says where the bounds come from, for the rule's description (e.g. `profile SOC2 and KMS`).
 */
export function boundDeployTimeDays(
  subject: string, prop: string, value: Duration, min: number, max: number, why: string,
): DeployTimeBound {
  if (value.unitLabel() !== 'days') {
    throw new ValidationError(
      `${prop} must be Duration.days(...) when its amount is a deploy-time value, got a token in ${value.unitLabel()}`);
  }
  return boundDeployTimeNumber(subject, prop, value.toDays(), min, max, 'days', why);
}

/** Bounds a number that is a token to whole numbers in [min, max] at deploy time, or refuses it. */
export function boundDeployTimeNumber(
  subject: string, prop: string, value: number, min: number, max: number, unit: string, why: string,
): DeployTimeBound {
  const param = parameterOf(value);
  if (!param) {
    throw new ValidationError(
      `${prop} is a deploy-time value that cannot be bounded before deployment (not a reference to a CfnParameter of type Number): ` +
      `pass a literal, or the valueAsNumber of a Number CfnParameter, which ${subject} bounds to ${min}..${max} ${unit}`);
  }
  const logicalId = Stack.of(param).resolve(param.logicalId) as string;
  if (param.type !== 'Number') {
    throw new ValidationError(`${prop} must come from a CfnParameter of type Number, got parameter ${logicalId} of type ${param.type}`);
  }
  const lo = Math.max(min, param.minValue ?? min);
  const hi = Math.min(max, param.maxValue ?? max);
  if (lo > hi) {
    throw new ValidationError(`${prop} comes from parameter ${logicalId}, whose MinValue..MaxValue (${param.minValue ?? '-'}..${param.maxValue ?? '-'}) ` +
      `leaves no value in ${min}..${max} ${unit} (${why})`);
  }
  const outside = (v: unknown) => !Number.isInteger(Number(v)) || Number(v) < lo || Number(v) > hi;
  if (param.default !== undefined && outside(param.default)) {
    throw new ValidationError(`${prop} comes from parameter ${logicalId}, whose default must be a whole number from ${lo} to ${hi} ${unit} (${why}), got ${param.default}`);
  }
  const badAllowed = (param.allowedValues ?? []).filter(outside);
  if (badAllowed.length > 0) {
    throw new ValidationError(`${prop} comes from parameter ${logicalId}, whose AllowedValues must be whole numbers from ${lo} to ${hi} ${unit} (${why}), got ${badAllowed.join(', ')}`);
  }
  param.minValue = lo;
  param.maxValue = hi;
  const stack = Stack.of(param);
  const ruleId = `CloudKmsBound${Names.nodeUniqueId(param.node)}${lo}to${hi}`;
  if (!stack.node.tryFindChild(ruleId)) {
    const allowed = Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i));
    new CfnRule(stack, ruleId, {
      assertions: [{
        assert: Fn.conditionContains(allowed, param.valueAsString),
        assertDescription: `${logicalId} (${prop} of ${subject}) must be a whole number of ${unit} from ${lo} to ${hi} (${why})`,
      }],
    });
  }
  return { prop, parameter: logicalId, min: lo, max: hi, unit };
}

function parameterOf(value: number): CfnParameter | undefined {
  const token = Tokenization.reverseNumber(value);
  if (!(token instanceof Reference)) return undefined;
  const target = token.target as Construct;
  return target instanceof CfnParameter && (token as any).displayName === 'Ref' ? target : undefined;
}
