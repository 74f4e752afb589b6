import { ComplianceProfile } from '../../core/profile';

/** A rule's verdict on one resource, in cdk-nag's three states. */
export enum RuleResult {
  COMPLIANT = 'COMPLIANT',
  NON_COMPLIANT = 'NON_COMPLIANT',
  NOT_APPLICABLE = 'NOT_APPLICABLE',
}

/** One verdict of one rule on one resource (a logical id, or a Terraform `type.name`). */
export interface RuleFinding {
  readonly rule: string;
  readonly result: RuleResult;
  readonly resource: string;
  readonly message: string;
}

/** What a rule is checked against. */
export interface RuleContext {
  readonly profile: ComplianceProfile;
  /**
   * The other templates of the same assembly or configuration (a nested stack's parent, sibling stacks), for rules
   * whose evidence may live next door, such as the audit trail.
   * @default - none
   */
  readonly siblings?: any[];
  /**
   * The stack's region (AWS: from the cloud assembly's manifest), for the residency rule.
   * @default - unknown: an environment-agnostic stack, or a template read without its manifest
   */
  readonly region?: string;
}

