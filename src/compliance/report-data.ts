/*
 * The report's data: what compliance-report.json holds, and what the Markdown and HTML pages are rendered from.
 */
import type { AccessMatrix } from '../core/access-policy';
import { Control } from '../core/controls';
import type { Enforcement } from '../core/guardrails';
import type { PostQuantumReadinessReport } from './private/report-pq';

/** How a required control stands for one key. */
export enum ControlStatus {
  SATISFIED = 'satisfied',
  /** Part of the control is enforced; the evidence says which part is not. Fails synthesis unless acknowledged. */
  PARTIALLY_SATISFIED = 'partially satisfied',
  NOT_SATISFIED = 'not satisfied',
  NOT_APPLICABLE = 'not applicable',
}

/** One setting that bears on a control. */
export interface ControlEvidence {
  readonly resource: string;
  /** The setting, in the provider's own terms (e.g. `rotation_period`). */
  readonly setting: string;
  /** The setting's value, every period in days (e.g. `90 days`). */
  readonly value: string;
  /** The value as the provider writes it (e.g. `7776000s`), where it differs from `value`. */
  readonly providerValue?: string;
  /** What the setting proves, as a sentence. */
  readonly description: string;
  readonly status: string;
}

/** Who holds a custodian role over a key. */
export interface CustodianReport {
  /** The custodian role (`ADMINISTRATOR`, `USER`, ...). */
  readonly role: string;
  /** The role as the report and the access matrix name it (`administrator`, `user`, ...). */
  readonly roleName: string;
  /** The identity as the cloud names it (an ARN, an object id, an IAM member), CloudFormation references resolved. */
  readonly identity: string;
  /** A short name for the identity (an IAM role's name, a construct path). */
  readonly name: string;
}

/** Findings of other rule packs (cdk-nag, Control Tower) accepted for a resource, with the reason. */
export interface AcknowledgementReport {
  readonly resource: string;
  /** Every rule accepted for the resource with this reason. */
  readonly rules: string[];
  readonly reason: string;
}

/** A required control, for one key. */
export interface ControlReport {
  readonly id: string;
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
  readonly status: ControlStatus;
  /** Set when a finding or an unmet (or only partially satisfied) control was accepted on purpose. */
  readonly acknowledged?: string;
  readonly evidence: ControlEvidence[];
}

/** One key of the report. */
export interface KeyReport {
  readonly path: string;
  readonly stack: string;
  readonly cloud: string;
  readonly construct: string;
  readonly model: string;
  readonly custody: string;
  readonly profile: string;
  /**
   * The profile's figures as the rules read them (the `cloud-kms-constructs:profile` record AWS keys carry in their
   * metadata), so `cloud-kms check` judges a Terraform key built under a custom profile by that profile.
   */
  readonly profileRecord: Record<string, unknown>;
  readonly fipsLevel: string;
  readonly auditSink?: string;
  readonly parent?: string;
  readonly custodians: CustodianReport[];
  readonly controls: ControlReport[];
  /** AWS keys: who can do what, evaluated from the synthesized key policy. */
  readonly accessMatrix?: AccessMatrix;
}

/** A key that protects something of the library's own (a function's logs) and carries no profile of its own. */
export interface SupportingKeyReport {
  readonly path: string;
  readonly purpose: string;
  readonly accessMatrix: AccessMatrix;
}

/** One stack (CloudFormation or Terraform) of the report. */
export interface StackReport {
  readonly name: string;
  readonly cloud: string;
  readonly keys: KeyReport[];
  /** Keys outside the profile's scope that still hold data (function log keys), with their access matrix. */
  readonly supportingKeys: SupportingKeyReport[];
  /**
   * Findings accepted in the stack (on its keys, their containers and audit sinks), each resource and reason once, with
   * every rule it covers. Accepted required controls are on the control itself (`acknowledged`).
   */
  readonly acknowledgements: AcknowledgementReport[];
  /** Mermaid flowchart of the stack's key hierarchy. */
  readonly diagram: string;
}

/** The whole report: what `compliance-report.json` holds. */
export interface ComplianceReportData {
  readonly generator: string;
  readonly stacks: StackReport[];
  readonly summary: {
    readonly keys: number;
    readonly requiredControls: number;
    readonly satisfied: number;
    readonly partiallySatisfied: number;
    readonly notApplicable: number;
    readonly acknowledged: number;
    /** Required controls nothing satisfies (or only partially) and nobody acknowledged: synthesis fails on these. */
    readonly unmet: { readonly key: string; readonly control: string; readonly status: string }[];
    /** Whether access matrices were computed (the optional evaluator was installed), and if not, why. */
    readonly accessMatrix: { readonly computed: boolean; readonly note?: string };
  };
  /**
   * The rule pack's rules for the clouds of these stacks (the registry, `RULES.<cloud>`) and the controls each evidences.
   * The report does not run them: `cloud-kms check` and `KmsRulesPlugin` do, on the synthesized templates.
   * @default - none listed (a report written before the list existed)
   */
  readonly rules?: RuleReport[];
  /**
   * The organisation guardrails the app deploys (AWS SCPs, RCPs and Config rules; Azure Policy assignments; Google
   * organization policies and IAM deny policies), as the guardrail constructs registered them.
   * @default - none listed (a report written before guardrails were recorded)
   */
  readonly guardrails?: GuardrailReport[];
  /**
   * Per cloud, every control its keys require or its guardrails enforce, and how it is enforced beyond the template.
   * @default - not computed (a report written before enforcement was recorded)
   */
  readonly enforcement?: ControlEnforcementReport[];
  /**
   * Per cloud, the keys a quantum computer breaks, which to migrate first, and the keys with no crypto record.
   * @default - not computed (a report written before keys recorded their cryptography)
   */
  readonly postQuantum?: PostQuantumReadinessReport;
  /**
   * Data residency (NIST SP 800-53 SA-9(5)): where keys, key containers and audit records are, and each profile's
   * allowed regions.
   * @default - none: no profile of the app restricts regions
   */
  readonly residency?: ResidencyReport;
}

/** Where the report's keys, key containers and audit stores are. */
export interface ResidencyReport {
  /** Every profile of the app's keys that restricts regions, with its allowed list. */
  readonly profiles: ResidencyProfileReport[];
  /** Every key, container and audit sink with a recorded location or a residency verdict. */
  readonly placements: ResidencyPlacement[];
}

/** A profile's allowed regions. */
export interface ResidencyProfileReport {
  readonly profile: string;
  readonly allowedRegions: string[];
}

/** Where one key, key container or audit sink is. */
export interface ResidencyPlacement {
  readonly path: string;
  /** `key`, `audit sink`, or the container's kind (e.g. `CloudHSM cluster`). */
  readonly kind: string;
  readonly cloud: string;
  /**
   * The key's profile.
   * @default - containers and audit sinks: the verdict's evidence names the profile
   */
  readonly profile?: string;
  /** Its regions or locations; `(chosen at deployment)` for one only known then. */
  readonly regions: string[];
  /** `allowed`, `partially shown` (an external key manager's site is not shown), `outside`, or `not restricted`. */
  readonly status: string;
  /**
   * The SA-9(5) evidence sentence.
   * @default - none: the profile does not restrict regions
   */
  readonly description?: string;
}

/** A control, named. */
export interface ControlRef {
  /** Framework and control id, e.g. `NIST SP 800-53 Rev. 5 SC-12`. */
  readonly id: string;
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
}

/** An organisation guardrail, as the report lists it. */
export interface GuardrailReport {
  readonly path: string;
  readonly stack: string;
  readonly cloud: string;
  /** `preventive` or `detective`. */
  readonly enforcement: Enforcement;
  /** The engine that enforces it (e.g. `AWS Organizations service control policy`). */
  readonly mechanism: string;
  readonly name: string;
  readonly description: string;
  /** The controls it enforces. */
  readonly controls: ControlRef[];
  /** The organizational units, accounts, management groups, folders or organisations it applies to. */
  readonly targets: string[];
  /** The profile whose thresholds it carries. */
  readonly profile: string;
  /**
   * What it leaves out of its controls, or who inside its targets can set it aside.
   * @default - it enforces its controls in full
   */
  readonly partial?: string;
}

/** How one control is enforced on one cloud, beyond the synthesized template. */
export interface ControlEnforcementReport {
  readonly cloud: string;
  /** The control's id (framework and control id). */
  readonly control: string;
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
  /**
   * The strongest enforcement a guardrail of the cloud gives it IN FULL: `preventive`, else `detective`, else `synthesis`
   * (only the template is judged). In full means: the guardrail leaves nothing of its controls out and nobody inside its
   * targets can set it aside (no `partial`), and it carries the thresholds of the profile of every key that requires the
   * control. It holds only for keys inside the guardrails' targets (see `scope`).
   */
  readonly enforcement: Enforcement;
  /**
   * A stronger enforcement than `enforcement` that guardrails give the control only in part; `gaps` says why.
   * @default - none
   */
  readonly partially?: Enforcement;
  /**
   * Why each guardrail that covers the control does so only in part (`name: reason`).
   * @default - none
   */
  readonly gaps?: string[];
  /** How many keys of the cloud in the report require the control (0: only a guardrail names it). */
  readonly keys: number;
  /** The preventive guardrails that cover it (`name (mechanism)`). */
  readonly preventive: string[];
  /** The detective guardrails that cover it (`name (mechanism)`). */
  readonly detective: string[];
  /**
   * Where the enforcement holds, as a sentence: a guardrail applies to the targets it names, and the report cannot know
   * which accounts, subscriptions or projects are inside an organizational unit, management group or folder.
   */
  readonly scope: string;
}

/** A rule of the pack, as the report lists it. */
export interface RuleReport {
  readonly id: string;
  /** The cloud whose templates it reads (`aws`, `azure`, `gcp`). */
  readonly cloud: string;
  readonly description: string;
  /** The ids of the controls its findings evidence. */
  readonly controls: string[];
}

/** The rule id that acknowledges an unmet required control (e.g. `control:PCI DSS v4.0 3.7.6`). */
export function controlRule(control: Control): string {
  return `control:${control.id}`;
}
