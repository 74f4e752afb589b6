import { ActionClass, classifyAction } from '../../../aws/private/actions';
import { asList } from '../rule';

/** The KMS keys of a template, as [logical id, key policy, resource]: AWS::KMS::Key and keys made by our custom resource. */
export function kmsKeys(template: any): Array<[string, any, any]> {
  return Object.entries(template?.Resources ?? {})
    .filter(([, r]: [string, any]) => r?.Type === 'AWS::KMS::Key' || r?.Type === 'Custom::CloudKmsStoreKey')
    .map(([id, r]: [string, any]) => [id, r.Properties?.KeyPolicy, r]);
}

/** A principal as comparable text. */
export function principals(st: any): string[] {
  const p = st?.Principal;
  if (p === '*') return ['*'];
  return Object.entries(p ?? {}).flatMap(([kind, v]) => asList(v).map((x) => `${kind}:${typeof x === 'string' ? x : JSON.stringify(x)}`));
}

export function statements(policy: any): any[] {
  const doc = typeof policy === 'string' ? JSON.parse(policy) : policy;
  return asList(doc?.Statement);
}

/** The classes of what an Allow statement grants (NotAction grants nearly everything). */
export function classes(st: any): Set<ActionClass> {
  if (st.NotAction !== undefined) return new Set([ActionClass.READ, ActionClass.MANAGEMENT, ActionClass.IMPORT, ActionClass.CRYPTOGRAPHIC]);
  const isServiceGrant = JSON.stringify(st.Condition ?? {}).includes('kms:GrantIsForAWSResource');
  return new Set(isServiceGrant ? [ActionClass.CRYPTOGRAPHIC] : asList<string>(st.Action).flatMap(classifyAction));
}

/** Whether an Allow applies to every principal: `*` without a condition that names who. */
export function isWildcard(st: any): boolean {
  return principals(st).some((p) => p === '*' || p === 'AWS:*');
}
