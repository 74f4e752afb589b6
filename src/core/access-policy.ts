import { CustodianRole } from './custodians';
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
  readonly resolve?: (cache: Map<unknown, unknown>) => ResolvedAccessPolicy;
  /**
   * The key's access matrix, computed by the cloud itself from what it synthesized (Azure role definitions and
   * assignments, Google IAM bindings), for clouds whose access is not a policy document for the IAM evaluator.
   */
  readonly matrix?: (cache: Map<unknown, unknown>) => AccessMatrix;
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

/** What a principal can reach in one action class. */
export enum Access {
  ALLOWED = 'allowed',
  ALLOWED_WITH_MFA = 'allowed with MFA',
  DUAL_CONTROL_GATE = 'only through the dual-control gate',
  /** Only inside an approved, time-limited activation (Azure PIM, Google Privileged Access Manager). */
  JUST_IN_TIME = 'only with an approved just-in-time activation',
  DENIED = 'denied',
}

/** One cell: a principal and an action class. */
export interface MatrixCell {
  readonly access: Access;
  /** The actions of the class the principal reaches (absent when it reaches none). */
  readonly actions?: string[];
  /**
   * What every allowed request must carry, e.g. `the right encryption context`, `through sqs.us-east-1.amazonaws.com`
   * (absent when nothing is required).
   */
  readonly conditions?: string[];
}

/** One row: a principal by role. */
export interface MatrixRow {
  /** The role, e.g. `administrator`, `deployment identity`, `AWS service`, `anyone else in the account`. */
  readonly role: string;
  /** Who: a construct path, an ARN or a service name. */
  readonly principal: string;
  readonly access: Record<string, MatrixCell>;
}

/** Someone who alone can reach cryptographic use although not a user of the key. */
export interface EscalationPath {
  readonly role: string;
  readonly principal: string;
  /** How: `use`, `change policy`, `replicate`, `alias`, each with its access (e.g. `change policy (allowed)`). */
  readonly via: string[];
}

/** The access matrix of one key. */
export interface AccessMatrix {
  /** Whether it was computed; when not, `reason` says why and how to get it. */
  readonly computed: boolean;
  /**
   * Set in the report when this key's matrix is identical to an earlier key's (the keys of a tenant hierarchy): the
   * matrix is that key's, and is not repeated.
   */
  readonly sameAs?: string;
  readonly reason?: string;
  /** The evaluator and version. */
  readonly evaluator?: string;
  readonly classes: string[];
  readonly rows: MatrixRow[];
  /** Whether the key policy delegates to IAM (account root): IAM policies, assumed maximal here, then decide. */
  readonly delegatesToIam: boolean;
  /** Principals other than the key's users who alone can reach cryptographic use. */
  readonly aloneReachUse: EscalationPath[];
  /**
   * What the key's profile expects of `aloneReachUse` (under dual control nobody outside the gate, otherwise at most the
   * deployment identity) and whether the evaluation meets it. Set for keys with a profile.
   */
  readonly aloneReachUseTarget?: { readonly expected: string; readonly met: boolean };
  /** Whether a dual-control gate executor is named in the key policy. */
  readonly dualControlGate: boolean;
  /** Principals other than the gate who alone can perform an operation dual control must hold. */
  readonly singlePersonDualControl: EscalationPath[];
  /** What the matrix assumed. */
  readonly assumptions: string[];
  /**
   * The classes a key's user must not reach (separation of duties).
   * @default - AWS's: manage, change policy, delete/disable, replicate, alias
   */
  readonly userForbiddenClasses?: string[];
  /**
   * The evidence settings the matrix replaces with evaluated evidence (the structural records of the same controls).
   * @default ['KeyPolicy']
   */
  readonly derivesFrom?: string[];
  /**
   * What holds dual-controlled operations behind two people, for the report's sentences.
   * @default 'the dual-control gate executor'
   */
  readonly gateName?: string;
}

/** How the access matrix and the report name a role's holders. */
export const ROLE_NAMES: Record<CustodianRole, string> = {
  [CustodianRole.ADMINISTRATOR]: 'administrator',
  [CustodianRole.USER]: 'user',
  [CustodianRole.AUDITOR]: 'auditor',
  [CustodianRole.APPROVER]: 'approver',
  [CustodianRole.IMPORTER]: 'importer',
  [CustodianRole.DEPLOYER]: 'deployment identity',
  [CustodianRole.BACKUP_OPERATOR]: 'backup operator',
};

/** The `oncePerReport` kind of a cdktf stack's Terraform JSON, which the Azure and Google matrices both read. */
export const TERRAFORM_JSON = 'terraform-json';

/**
 * A value computed once per report: `cache` is the map a report hands every access-policy source. Values are kept by
 * kind, so two clouds (or two uses) can key by the same stack without reading each other's values.
 */
export function oncePerReport<T>(cache: Map<unknown, unknown>, kind: string, key: unknown, make: () => T): T {
  let byKey = cache.get(kind) as Map<unknown, T> | undefined;
  if (!byKey) {
    byKey = new Map();
    cache.set(kind, byKey);
  }
  if (!byKey.has(key)) byKey.set(key, make());
  return byKey.get(key)!;
}
