/*
 * Not exported from the package: the ledger's methods that take these are internal, and each cloud resolves its own
 * policy language.
 */
/**
 * Where a key's access policy can be read at synthesis, for the access matrix of the compliance report.
 */
export interface AccessPolicySource {
  /** Construct path of the key. */
  readonly subject: string;
  /** Construct path of the stack that holds it. */
  readonly stack: string;
  /** `aws`, `azure` or `gcp`. */
  readonly cloud: string;
  /** What the key is for, for keys that are not registered as keys (e.g. a function's log key). */
  readonly purpose?: string;
  /**
   * The policy as deployed, with each principal resolved to a concrete value; called at synthesis. `cache` lives for one
   * report: keys of a hierarchy share statements, which need resolving only once.
   */
  readonly resolve: (cache: Map<unknown, unknown>) => ResolvedAccessPolicy;
}

/** A resolved access policy (for AWS, a key policy with intrinsic functions replaced by concrete values). */
export interface ResolvedAccessPolicy {
  readonly policy: { readonly Statement: any[] };
  readonly account: string;
  readonly region: string;
  /**
   * Every principal value in the policy, with the identity the custodian records use for it (so the report names it
   * by role) and a readable label where the policy holds a reference (e.g. the construct path of a role).
   */
  readonly principals: { readonly value: string; readonly identity: string; readonly label?: string }[];
}
