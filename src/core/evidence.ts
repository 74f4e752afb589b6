import { IConstruct } from 'constructs';
import type { AccessPolicySource } from './access-policy';
import { Control } from './controls';
import { CustodianAssignment } from './custodians';
import { DeploymentModel, KeyCustody } from './deployment-model';
import { FipsLevel } from './fips';
import { GuardrailRecord } from './guardrails';
import type { KeyCryptoRecord } from './key-algorithm';
import { ComplianceProfile } from './profile';

/**
 * Whether a setting satisfies a control.
 */
export enum EvidenceStatus {
  SATISFIED = 'SATISFIED',
  /**
   * Part of what the control asks is enforced and part is not (e.g. dual control on some destructive operations
   * while one principal can still perform others alone). The description says which part is missing; a required
   * control that is only partially satisfied fails synthesis unless acknowledged, like an unmet one.
   */
  PARTIALLY_SATISFIED = 'PARTIALLY_SATISFIED',
  NOT_SATISFIED = 'NOT_SATISFIED',
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}

/**
 * One piece of evidence: a control, the resource and setting that bear on it, and the verdict.
 * e.g. NIST SP 800-53 SC-12 -> key rotation every 365 days on `Stack/OrdersKey/Resource`.
 */
export interface EvidenceEntry {
  /** The control. */
  readonly control: Control;
  /** The verdict. */
  readonly status: EvidenceStatus;
  /** Construct path of the key or audit sink the evidence belongs to. */
  readonly subject: string;
  /** Construct path of the resource that carries the setting. */
  readonly resource: string;
  /** The setting, in the provider's own terms (e.g. `RotationPeriodInDays`). */
  readonly setting: string;
  /** The setting's value, as text. */
  readonly value: string;
  /** One sentence an auditor can read, e.g. `key rotation every 365 days`. */
  readonly description: string;
}

/**
 * A key the ledger knows about.
 */
export interface KeyRecord {
  /** Construct path of the key. */
  readonly path: string;
  /** Construct path of the stack (CloudFormation or Terraform) that holds it. */
  readonly stack: string;
  /** `aws`, `azure` or `gcp`. */
  readonly cloud: string;
  /** The construct class, e.g. `CustomerManagedKey`. */
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly profile: ComplianceProfile;
  /** FIPS 140 level of the module that holds the key material. */
  readonly fipsLevel: FipsLevel;
  /**
   * Construct path of the audit sink.
   * @default - none
   */
  readonly auditSink?: string;
  /**
   * Construct path of the key's parent in the hierarchy (a key store, HSM or tenant hierarchy; a replica's primary).
   * @default - none: a root key
   */
  readonly parent?: string;
  /**
   * The key's cryptography (algorithm, size or parameter set, purpose, protection level), for the cryptographic
   * inventory and the profile's algorithm rule.
   * @default - not recorded
   */
  readonly crypto?: KeyCryptoRecord;
  /**
   * Where the key material is: the key's region or location (a Google multi-region or dual-region location by its own
   * name); an unresolved token when the stack's region is only known at deployment.
   * @default - not recorded
   */
  readonly regions?: string[];
}

/**
 * An audit sink the ledger knows about.
 */
export interface AuditSinkRecord {
  readonly path: string;
  readonly stack: string;
  readonly cloud: string;
  /** Whether records are write-once. */
  readonly immutable: boolean;
  /** How long records are kept, in days. */
  readonly retentionDays: number;
  /**
   * Where the records are stored.
   * @default - not recorded
   */
  readonly regions?: string[];
}

/**
 * Something that holds keys: an HSM cluster, a custom or external key store, a tenant hierarchy.
 */
export interface KeyContainerRecord {
  readonly path: string;
  readonly stack: string;
  readonly cloud: string;
  /** What it is, e.g. `CloudHSM cluster`, `external key store (XKS)`. */
  readonly kind: string;
  /** Who holds the key material it contains. */
  readonly custody: KeyCustody;
  /** FIPS 140 level of the module that holds the material. */
  readonly fipsLevel: FipsLevel;
  /**
   * Construct path of the container this one sits in (a key store's HSM cluster).
   * @default - none
   */
  readonly parent?: string;
  /**
   * Where the container (and the material it holds) is.
   * @default - not recorded
   */
  readonly regions?: string[];
  /**
   * The HSM instance type, where the module's certificate depends on it (AWS CloudHSM: `hsm2m.medium` FIPS 140-3,
   * `hsm1.medium` FIPS 140-2).
   * @default - not recorded
   */
  readonly hsmType?: string;
}

/**
 * A finding or control deliberately accepted, with its reason.
 */
export interface Acknowledgement {
  /** Construct path of the key or sink. */
  readonly subject: string;
  /** Construct path of the resource the acknowledgement is attached to. */
  readonly resource: string;
  /** The rule or control id acknowledged (e.g. `AwsSolutions-S1`). */
  readonly rule: string;
  /** Why it is acceptable. */
  readonly reason: string;
}

const LEDGERS = new WeakMap<IConstruct, EvidenceLedger>();
const CREATION_HOOKS: Array<(scope: IConstruct) => void> = [];

/**
 * Every app that records evidence writes its compliance report at synthesis, and an unmet required control fails it,
 * whatever path its constructs were imported from (`cloud-kms-constructs`, `cloud-kms-constructs/aws`, a deep
 * `lib/aws/customer-managed-key`): every construct records through this ledger, so the ledger attaches the report
 * itself instead of relying on an import side effect of `compliance/index`. The report writer reads the ledger, so it
 * is required here at first use, not at load: a static import would be a cycle (report -> evidence -> report) and would
 * load the writer into apps that never build a key.
 */
function attachComplianceReport(scope: IConstruct): void {
  const root = scope.node.root;
  if (REPORT_ATTACHED.has(root)) return;
  // The one place core reaches above itself, on purpose and lazily (see above).
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-restricted-paths
  const report: typeof import('../compliance/report') = require('../compliance/report');
  if (report.attachReport(scope)) REPORT_ATTACHED.add(root);
}

/**
 * Apps whose report is attached. The report attaches to a stack, and the first construct to reach the ledger may be
 * the app itself (`ComplianceReport.acknowledgeControl(app, …)`, `EvidenceLedger.of(app)`), which has none: every
 * `EvidenceLedger.of` tries again until a scope inside a stack arrives, so such a call can never switch the report and
 * its synthesis check off.
 */
const REPORT_ATTACHED = new WeakSet<IConstruct>();

/**
 * The evidence ledger of one construct tree (one app): which keys and audit sinks exist,
 * which controls their settings satisfy, who holds which role, and which findings were accepted.
 *
 * Constructs write to it as they are built; reports and rule packs read it after synthesis.
 */
export class EvidenceLedger {
  /** The ledger of the app that `scope` belongs to. */
  public static of(scope: IConstruct): EvidenceLedger {
    const root = scope.node.root;
    let ledger = LEDGERS.get(root);
    if (!ledger) {
      ledger = new EvidenceLedger();
      LEDGERS.set(root, ledger);
      for (const hook of CREATION_HOOKS) hook(scope);
    }
    attachComplianceReport(scope);
    return ledger;
  }

  /**
   * Registers what runs when an app's ledger is created, with the construct that first recorded evidence (the
   * compliance report attaches itself to that construct's stack here: the report reads the ledger, the ledger does
   * not know the report).
   * @internal
   */
  public static _onCreate(hook: (scope: IConstruct) => void): void {
    CREATION_HOOKS.push(hook);
  }

  private readonly keyRecords = new Map<string, KeyRecord>();
  private readonly sinkRecords = new Map<string, AuditSinkRecord>();
  private readonly containerRecords = new Map<string, KeyContainerRecord>();
  private readonly custodianRecords = new Map<string, CustodianAssignment[]>();
  private readonly entries: EvidenceEntry[] = [];
  /** Where each subject's entries are: apps with thousands of keys record hundreds of thousands of entries. */
  private readonly entriesBySubject = new Map<string, number[]>();
  private readonly acks: Acknowledgement[] = [];
  private readonly serviceKeyRecords = new Map<string, KeyRecord>();
  private readonly ackKeys = new Set<string>();
  private readonly accessPolicySources = new Map<string, AccessPolicySource>();
  private readonly guardrailRecords = new Map<string, GuardrailRecord>();

  private constructor() {}

  /** Registers a key. */
  public registerKey(record: KeyRecord): void {
    this.keyRecords.set(record.path, record);
  }

  /**
   * Registers a key the library makes for its own use (the key of its functions' logs): listed in the cryptographic
   * inventory and held to the profile's algorithm rule, but not a key the report holds to every key control.
   */
  public registerServiceKey(record: KeyRecord): void {
    this.serviceKeyRecords.set(record.path, record);
  }

  /** Registers an audit sink. */
  public registerAuditSink(record: AuditSinkRecord): void {
    this.sinkRecords.set(record.path, record);
  }

  /** Registers an HSM cluster, key store or other key container. */
  public registerContainer(record: KeyContainerRecord): void {
    this.containerRecords.set(record.path, record);
  }

  /**
   * Registers a guardrail (an organisation policy, a Config rule, a policy assignment). A later record with the same
   * path and name replaces the earlier one.
   */
  public registerGuardrail(record: GuardrailRecord): void {
    this.guardrailRecords.set(`${record.path}\u0000${record.name}`, record);
  }

  /** Records that `identity` holds `role` over the key or sink at `subject`. */
  public addCustodian(subject: string, assignment: CustodianAssignment): void {
    const list = this.custodianRecords.get(subject) ?? [];
    if (!list.some((a) => a.role === assignment.role && a.identity === assignment.identity)) {
      list.push(assignment);
    }
    this.custodianRecords.set(subject, list);
  }

  /** Records a piece of evidence. A later entry for the same subject, control and setting replaces the earlier one. */
  public record(entry: EvidenceEntry): void {
    let indices = this.entriesBySubject.get(entry.subject);
    if (!indices) {
      indices = [];
      this.entriesBySubject.set(entry.subject, indices);
    }
    for (const i of indices) {
      const e = this.entries[i];
      if (e.control.id === entry.control.id && e.setting === entry.setting) {
        this.entries[i] = entry;
        return;
      }
    }
    indices.push(this.entries.length);
    this.entries.push(entry);
  }

  /** Records an accepted finding. */
  public acknowledge(ack: Acknowledgement): void {
    const key = `${ack.resource}\u0000${ack.rule}`;
    if (!this.ackKeys.has(key)) {
      this.ackKeys.add(key);
      this.acks.push(ack);
    }
  }

  /**
   * Registers where a key's access policy can be read at synthesis, for the report's access matrix.
   * @internal
   */
  public _registerAccessPolicy(source: AccessPolicySource): void {
    this.accessPolicySources.set(source.subject, source);
  }

  /**
   * Every registered access policy, in registration order (including keys that are not registered as keys).
   * @internal
   */
  public _accessPolicies(): AccessPolicySource[] {
    return [...this.accessPolicySources.values()];
  }

  /**
   * The access policy registered for the key at `path`, if any.
   * @internal
   */
  public _accessPolicyOf(path: string): AccessPolicySource | undefined {
    return this.accessPolicySources.get(path);
  }

  /** Every key, in registration order. */
  public get keys(): KeyRecord[] {
    return [...this.keyRecords.values()];
  }

  /** Every key the library made for its own use, in registration order. */
  public get serviceKeys(): KeyRecord[] {
    return [...this.serviceKeyRecords.values()];
  }

  /** Every audit sink, in registration order. */
  public get auditSinks(): AuditSinkRecord[] {
    return [...this.sinkRecords.values()];
  }

  /** Every key container (HSM clusters, key stores), in registration order. */
  public get containers(): KeyContainerRecord[] {
    return [...this.containerRecords.values()];
  }

  /** Every guardrail, in registration order. */
  public get guardrails(): GuardrailRecord[] {
    return [...this.guardrailRecords.values()];
  }

  /** The key registered at `path`, if any. */
  public tryFindKey(path: string): KeyRecord | undefined {
    return this.keyRecords.get(path);
  }

  /** The audit sink registered at `path`, if any. */
  public tryFindAuditSink(path: string): AuditSinkRecord | undefined {
    return this.sinkRecords.get(path);
  }

  /** Who holds which role over the subject. */
  public custodiansOf(subject: string): CustodianAssignment[] {
    return [...(this.custodianRecords.get(subject) ?? [])];
  }

  /** Evidence about one subject, or all evidence. */
  public evidence(subject?: string): EvidenceEntry[] {
    if (subject === undefined) return [...this.entries];
    return (this.entriesBySubject.get(subject) ?? []).map((i) => this.entries[i]);
  }

  /** Evidence for one control, optionally for one subject. */
  public evidenceFor(control: Control, subject?: string): EvidenceEntry[] {
    return this.evidence(subject).filter((e) => e.control.id === control.id);
  }

  /** Accepted findings, for one subject or all. */
  public acknowledgements(subject?: string): Acknowledgement[] {
    return this.acks.filter((a) => subject === undefined || a.subject === subject);
  }
}
