import { policyPrincipals } from '../../../aws/private/actions';
import { asList } from '../rule';

/** The KMS keys of a template, as [logical id, key policy, resource]: AWS::KMS::Key and keys made by our custom resource. */
export function kmsKeys(template: any): Array<[string, any, any]> {
  return Object.entries(template?.Resources ?? {})
    .filter(([, r]: [string, any]) => r?.Type === 'AWS::KMS::Key' || r?.Type === 'Custom::CloudKmsStoreKey')
    .map(([id, r]: [string, any]) => [id, r.Properties?.KeyPolicy, r]);
}

export function statements(policy: any): any[] {
  const doc = typeof policy === 'string' ? JSON.parse(policy) : policy;
  return asList(doc?.Statement);
}

/** Whether an Allow applies to every principal: `*` without a condition that names who. */
export function isWildcard(st: any): boolean {
  return policyPrincipals(st.Principal).some((p) => p === '*' || p === 'AWS:*');
}
