/*
 * What KMS decides for one request against a synthesized key policy, asked of a real IAM policy evaluator
 * (@cloud-copilot/iam-simulate) through the same entry point the compliance report's access matrix uses. Nothing here
 * evaluates IAM: it turns template values into concrete ARNs and adds the global keys every real request carries.
 *
 * Requests go through the evaluator's runUnsafeSimulation: its validating entry point (runSimulation) drops context keys
 * it does not list for the action, and it lists kms:EncryptionContext:${TagKey} only as a pattern, so every
 * kms:EncryptionContext:<key> condition would be evaluated as if the key were absent (see key-policy-eval.test.ts).
 */
import { ACCOUNT, REGION } from './fixtures';
import { concretize, ConcreteEnvironment } from '../../src/aws/private/access-policy';
import { Decision, loadEvaluator, principalContext, simulate } from '../../src/compliance/access-matrix';

export type { Decision };

export interface RequestContext {
  /** Condition keys and their values, e.g. `aws:MultiFactorAuthPresent: 'true'`; lists for multivalued keys. */
  readonly [key: string]: string | string[] | undefined;
}

const ENV: ConcreteEnvironment = { account: ACCOUNT, region: REGION, partition: 'aws' };

/**
 * What KMS would decide for `principal` (an ARN, a service name, or the intrinsic as it appears in the template) calling
 * `action`, with identity policies assumed to allow everything, so the key policy decides. The request carries the global
 * keys of its principal (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalIsAWSService) unless `ctx` sets them.
 */
export function decide(policy: { Statement: any[] }, principal: unknown, action: string, ctx: RequestContext = {}): Decision {
  const e = loadEvaluator();
  if (!e) throw new Error('the IAM policy evaluator @cloud-copilot/iam-simulate is not installed; tests need it');
  const value = String(concretize(principal, ENV));
  const context: Record<string, string | string[]> = { ...principalContext(value) };
  for (const [k, v] of Object.entries(ctx)) {
    if (v !== undefined) context[k] = Array.isArray(v) ? v : String(concretize(v, ENV));
  }
  const statements = concretize(policy.Statement, ENV);
  return simulate(e, { Version: '2012-10-17', Statement: statements }, ACCOUNT, REGION, value, action, context);
}
