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
  let doc = policy;
  if (typeof policy === 'string') {
    try {
      doc = JSON.parse(policy);
    } catch {
      // The parser's message quotes the text; a key policy is no secret, but a template may hold anything.
      throw new Error('a key policy is a string that is not JSON');
    }
  }
  return asList(doc?.Statement);
}

/** Whether an Allow applies to every principal: `*` without a condition that names who. */
export function isWildcard(st: any): boolean {
  return policyPrincipals(st.Principal).some((p) => p === '*' || p === 'AWS:*');
}
