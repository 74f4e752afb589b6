import { CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  DefeatedCondition, defaultName, describeCondition, describePrincipal, describeStatement, findDefeatedConditions,
} from '../conditional-grants';

/**
 * Synthesis-time check of a finished key policy: a conditional grant that another Allow to the same principal makes
 * moot fails synthesis, naming both statements, the principal (by its construct path where it is one of the app's
 * roles) and how to keep the condition.
 */
export function conditionalGrantErrors(key: IConstruct, document: iam.PolicyDocument): string[] {
  const stack = Stack.of(key);
  const json = stack.resolve(document.toJSON()) as { Statement?: unknown } | undefined;
  const found = findDefeatedConditions(json);
  if (found.length === 0) return [];
  const name = namer(stack);
  return found.map((d) => message(d, name));
}

function message(d: DefeatedCondition, name: (v: unknown) => string): string {
  const who = describePrincipal(d.principal, name);
  return `conditional grant defeated on ${who}: ${describeStatement(d.conditional)} allows ${d.actions.join(', ')} only when ` +
    `${describeCondition(d.conditional.condition, name)}, but ${describeStatement(d.weaker)} also allows ${d.actions.join(', ')} ` +
    `with ${d.weaker.condition ? `only ${describeCondition(d.weaker.condition, name)}` : 'no condition'}, so the condition restrains ` +
    'nothing. A CDK grant on a resource encrypted with this key (bucket.grantRead, table.grantReadData, queue.grantConsumeMessages ...) ' +
    'adds such an unconditional kms:Decrypt: keep the condition by granting the key yourself through grantDecryptWhen / ' +
    'grantEncryptDecryptWhen (e.g. with viaServices for the calling service) and giving the CDK grant a key-less resource ' +
    '(e.g. s3.Bucket.fromBucketArn, which grants no key actions), or drop the conditional grant if the principal should not be restricted';
}

/** Names a principal's intrinsic by the construct it refers to (`Stack/Fn/ServiceRole`), its logical id otherwise. */
function namer(stack: Stack): (v: unknown) => string {
  let paths: Map<string, string> | undefined;
  const pathOf = (logicalId: string) => {
    if (!paths) {
      paths = new Map();
      for (const c of stack.node.findAll()) {
        if (CfnElement.isCfnElement(c)) {
          const id = stack.resolve(c.logicalId);
          if (typeof id === 'string') paths.set(id, c.node.scope?.node.path ?? c.node.path);
        }
      }
    }
    return paths.get(logicalId);
  };
  return (v: unknown) => {
    const o = v as any;
    const logicalId = Array.isArray(o?.['Fn::GetAtt']) ? o['Fn::GetAtt'][0] : typeof o?.Ref === 'string' ? o.Ref : undefined;
    const path = logicalId ? pathOf(logicalId) : undefined;
    return path ?? defaultName(v);
  };
}
