import { Stack, Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import { EvidenceLedger } from '../core/evidence';
import { Enforcement } from '../core/guardrails';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { conformanceRules, ConformanceRule, conformanceTemplateBody } from './private/conformance-rules';

/**
 * Properties of a `KmsConformancePack`.
 */
export interface KmsConformancePackProps {
  /** The compliance profile whose thresholds the generated Guard rules carry. */
  readonly profile: ComplianceProfile;

  /**
   * The conformance pack's name: a letter, then letters, digits and hyphens, at most 256 characters. It also prefixes
   * the name of every Config rule in the pack, so a rule name (prefix, hyphen, rule suffix) must stay within 128.
   * @default - `cloud-kms-` and the profile's name in lower case, e.g. `cloud-kms-pci-dss`
   * @see https://docs.aws.amazon.com/config/latest/APIReference/API_PutConformancePack.html
   */
  readonly conformancePackName?: string;

  /**
   * Where the pack applies, for the evidence: the organizational units or accounts the baseline stack that holds it is
   * rolled out to.
   * @default - the account of the stack
   */
  readonly targets?: string[];
}

/** ConformancePackName: 1 to 256 characters, `[a-zA-Z][-a-zA-Z0-9]*`. */
const PACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,255}$/;
/** ConfigRule.ConfigRuleName: 1 to 128 characters (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigRule.html). */
const MAX_RULE_NAME = 128;

/**
 * AWS Config rules that keep judging the deployed KMS keys of one account and region, as a conformance pack: the AWS
 * managed rules CMK_BACKING_KEY_ROTATION_ENABLED, KMS_CMK_NOT_SCHEDULED_FOR_DELETION, CLOUD_TRAIL_ENABLED and
 * CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED, and Guard custom policy rules generated from the rule pack (the same rule
 * that judged the template judges the deployed key's configuration item, with the profile's thresholds).
 *
 * A conformance pack needs AWS Config recording in the account and region (a configuration recorder that records
 * AWS::KMS::Key and AWS::CloudTrail::Trail, and a delivery channel); this construct creates none and cannot see at
 * synthesis whether one runs: without it, the change-triggered Guard rules are never invoked and report nothing. The
 * rules detect, they do not prevent; that an account administrator cannot delete the pack or stop the recorder is
 * the business of a service control policy.
 *
 * @see https://docs.aws.amazon.com/config/latest/developerguide/conformance-packs.html
 */
export class KmsConformancePack extends Construct {
  /** The conformance pack's name. */
  public readonly conformancePackName: string;
  /** The names of the Config rules in the pack's template, each the pack's name and a rule suffix. */
  public readonly configRuleNames: string[];
  /** The pack's template (JSON, which is YAML too): AWS::Config::ConfigRule resources only. */
  public readonly templateBody: string;

  private readonly resource: config.CfnConformancePack;

  constructor(scope: Construct, id: string, props: KmsConformancePackProps) {
    super(scope, id);
    if (!(props?.profile instanceof ComplianceProfile)) throw new ValidationError(`profile must be a ComplianceProfile, got ${shown(props?.profile)}`);
    this.conformancePackName = packName(props);
    const rules = conformanceRules(props.profile, this.conformancePackName);
    for (const r of rules) {
      if (r.configRuleName.length > MAX_RULE_NAME) {
        throw new ValidationError(`conformancePackName must leave Config rule names within ${MAX_RULE_NAME} characters, ` +
          `got ${shown(this.conformancePackName)}, which makes ${r.configRuleName.length}`);
      }
    }
    this.configRuleNames = rules.map((r) => r.configRuleName);
    this.templateBody = conformanceTemplateBody(rules);
    this.resource = new config.CfnConformancePack(this, 'Resource', {
      conformancePackName: this.conformancePackName,
      templateBody: this.templateBody,
    });
    this.recordEvidence(props, rules);
  }

  private recordEvidence(props: KmsConformancePackProps, rules: ConformanceRule[]): void {
    const stack = Stack.of(this);
    const targets = props.targets ?? [Token.isUnresolved(stack.account) ? 'the account the stack is deployed to' : stack.account];
    const ledger = EvidenceLedger.of(this);
    for (const r of rules) {
      ledger.registerGuardrail({
        path: this.resource.node.path,
        stack: stack.node.path,
        cloud: 'aws',
        enforcement: Enforcement.DETECTIVE,
        mechanism: r.mechanism,
        name: r.configRuleName,
        description: `${r.evidence}; reports only while AWS Config records in the account and region`,
        controls: r.controls,
        targets,
        profile: props.profile.name,
        partial: r.partial,
      });
    }
  }
}

function packName(props: KmsConformancePackProps): string {
  const name = props.conformancePackName ?? `cloud-kms-${props.profile.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '')}`;
  if (Token.isUnresolved(name) || !PACK_NAME.test(name)) {
    throw new ValidationError(`conformancePackName must start with a letter and hold only letters, digits and hyphens (at most 256), got ${shown(name)}`);
  }
  return name;
}
