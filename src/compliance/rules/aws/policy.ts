import { policyPrincipals } from '../../../aws/key-policy-actions';
import { asList } from '../rule';

/**
 * The KMS keys of a template, as [logical id, key policy, resource]: AWS::KMS::Key and keys made by our custom resource.
 * A dual-control key's policy is the one the dual-control gate installs (Custom::CloudKmsGatedKeyPolicy, whose KeyId
 * refers to the key); the key itself carries only its fixed genesis policy.
 */
export function kmsKeys(template: any): Array<[string, any, any]> {
  const resources = Object.entries(template?.Resources ?? {}) as Array<[string, any]>;
  const gated = new Map<string, any>();
  for (const [, r] of resources) {
    const ref = r?.Type === 'Custom::CloudKmsGatedKeyPolicy' ? r.Properties?.KeyId?.Ref : undefined;
    if (typeof ref === 'string') gated.set(ref, r.Properties?.Policy);
  }
  return resources
    .filter(([, r]) => r?.Type === 'AWS::KMS::Key' || r?.Type === 'Custom::CloudKmsStoreKey')
    .map(([id, r]) => [id, gated.get(id) ?? r.Properties?.KeyPolicy, r]);
}

export function statements(policy: any): any[] {
  const doc = typeof policy === 'string' ? JSON.parse(policy) : policy;
  return asList(doc?.Statement);
}

/** Whether an Allow applies to every principal: `*` without a condition that names who. */
export function isWildcard(st: any): boolean {
  return policyPrincipals(st.Principal).some((p) => p === '*' || p === 'AWS:*');
}
