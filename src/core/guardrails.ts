import { Control } from './controls';

/**
 * How a control is enforced beyond the template: before the act (an organisation policy refuses it), after it (a rule
 * keeps judging the deployed resource), or only when the template is synthesized.
 */
export enum Enforcement {
  /**
   * An organisation-level policy refuses the act whoever attempts it: an AWS service or resource control policy, an
   * Azure Policy `deny` effect at a management group, a Google organization policy constraint or IAM deny policy.
   */
  PREVENTIVE = 'preventive',
  /**
   * A rule keeps judging the deployed resources and reports, alarms or remediates: an AWS Config rule, an Azure Policy
   * `audit` or `deployIfNotExists` effect, a drift alarm.
   */
  DETECTIVE = 'detective',
  /** Only the synthesized template is judged (the constructs' own checks and the rule pack); nothing checks it afterwards. */
  SYNTHESIS = 'synthesis',
}

/**
 * A guardrail an organisation-scale construct deploys, as the compliance report lists it.
 */
export interface GuardrailRecord {
  /** Construct path of the resource that carries the guardrail (the policy, the rule, the assignment). */
  readonly path: string;
  /** Construct path of the stack (CloudFormation or Terraform) that holds it. */
  readonly stack: string;
  /** `aws`, `azure` or `gcp`. */
  readonly cloud: string;
  /** Whether it refuses the act or detects it afterwards. */
  readonly enforcement: Enforcement;
  /** The engine that enforces it, e.g. `AWS Organizations service control policy`, `AWS Config rule (Guard)`. */
  readonly mechanism: string;
  /** The guardrail's own name: the policy or rule name, the constraint (`constraints/cloudkms.allowedProtectionLevels`). */
  readonly name: string;
  /** What it refuses or checks, as one sentence an auditor can read. */
  readonly description: string;
  /** The controls it enforces. */
  readonly controls: Control[];
  /** Where it applies: organizational unit or account ids, a management group, `organizations/123`, `folders/456`. */
  readonly targets: string[];
  /** The name of the compliance profile whose thresholds it carries. */
  readonly profile: string;
  /**
   * Set when the guardrail enforces its controls only in part: what it leaves out, or who inside its targets can set
   * it aside (a subscription Owner's policy exemption). The report then never counts it as enforcing them in full.
   * @default - it enforces its controls in full for every principal inside its targets
   */
  readonly partial?: string;
}
