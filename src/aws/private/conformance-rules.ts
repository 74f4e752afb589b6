import { GUARD_RULES, guardPolicyText } from '../../compliance/rules/aws/guard';
import { Control } from '../../core/controls';
import { AUDIT_LOGGING_CONTROLS, DELETION_CONTROLS, ROTATION_CONTROLS } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';
import { ValidationError } from '../../core/validation';

/** One AWS::Config::ConfigRule of the conformance pack, with what its evidence says. */
export interface ConformanceRule {
  /** Logical id in the pack's template. */
  readonly logicalId: string;
  /** The Config rule's name in the pack's template: the pack's name and a rule suffix. */
  readonly configRuleName: string;
  readonly mechanism: string;
  /** What it checks, and what it does not, for the auditor. */
  readonly evidence: string;
  readonly controls: Control[];
  /** What of its controls it does not judge (the evidence's `partial`). */
  readonly partial: string;
  /** The CloudFormation resource in the pack's template. */
  readonly resource: Record<string, unknown>;
}

/** Every Config rule: the construct creates no configuration recorder, and without one nothing is judged. */
const RECORDER_GAP = 'it judges only while a configuration recorder records the key types in the account and region, which this pack does not create';

/** ConfigRule.Description is 0 to 256 characters: https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigRule.html */
const MAX_DESCRIPTION = 256;

function clip(text: string): string {
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 3)}...`;
}

interface ManagedRule {
  readonly identifier: string;
  readonly suffix: string;
  readonly description: string;
  readonly controls: Control[];
  /** The managed rule's page (identifier, trigger, parameters). */
  readonly doc: string;
  /** What of its controls it does not judge. */
  readonly gap?: string;
}

/**
 * The AWS managed rules of the pack, all periodic and without required parameters (each doc page lists its
 * identifier, trigger type and parameters); without MaximumExecutionFrequency Config runs them every 24 hours.
 */
const MANAGED_RULES: ManagedRule[] = [
  {
    identifier: 'CMK_BACKING_KEY_ROTATION_ENABLED',
    suffix: 'cmk-rotation-enabled',
    description: 'automatic rotation is on for each customer managed key (rotation status only, not its period)',
    controls: ROTATION_CONTROLS,
    gap: 'it checks that rotation is on, not that its period is within the profile\'s',
    doc: 'https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html',
  },
  {
    identifier: 'KMS_CMK_NOT_SCHEDULED_FOR_DELETION',
    suffix: 'cmk-not-scheduled-for-deletion',
    description: 'no KMS key is scheduled for deletion (the waiting period chosen is not checked)',
    controls: DELETION_CONTROLS,
    gap: 'it reports a scheduled deletion, not whether its waiting period is the profile\'s',
    doc: 'https://docs.aws.amazon.com/config/latest/developerguide/kms-cmk-not-scheduled-for-deletion.html',
  },
  {
    identifier: 'CLOUD_TRAIL_ENABLED',
    suffix: 'cloudtrail-enabled',
    description: 'a CloudTrail trail is enabled in the account (which records the KMS API calls)',
    controls: AUDIT_LOGGING_CONTROLS,
    gap: 'any enabled trail passes, whether or not it keeps the records write-once for the profile\'s retention',
    doc: 'https://docs.aws.amazon.com/config/latest/developerguide/cloudtrail-enabled.html',
  },
  {
    identifier: 'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
    suffix: 'cloudtrail-log-file-validation',
    description: 'every trail writes signed digest files, so a changed or deleted log file is detected (not prevented: write-once storage is not checked)',
    controls: [Control.NIST_AU_9],
    gap: 'a changed log file is detected, not prevented: write-once storage is not checked',
    doc: 'https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html',
  },
];

function logicalId(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

function managedRules(prefix: string): ConformanceRule[] {
  return MANAGED_RULES.map((m) => ({
    logicalId: logicalId(m.suffix),
    configRuleName: `${prefix}-${m.suffix}`,
    mechanism: 'AWS Config managed rule',
    evidence: `${m.identifier}: ${m.description} (${m.doc})`,
    controls: m.controls,
    partial: `${m.gap ? `${m.gap}; ` : ''}${RECORDER_GAP}`,
    resource: {
      Type: 'AWS::Config::ConfigRule',
      Properties: {
        ConfigRuleName: `${prefix}-${m.suffix}`,
        Description: clip(m.description),
        Source: { Owner: 'AWS', SourceIdentifier: m.identifier },
      },
    },
  }));
}

/**
 * The Guard custom policy rules generated from the rule pack. Custom policy rules are change-triggered only: their
 * SourceDetails may name ConfigurationItemChangeNotification and OversizedConfigurationItemChangeNotification and
 * nothing else (https://docs.aws.amazon.com/config/latest/APIReference/API_Source.html), and PolicyRuntime must match
 * `guard-2.x.x` (https://docs.aws.amazon.com/config/latest/APIReference/API_CustomPolicyDetails.html).
 */
function guardRules(profile: ComplianceProfile, prefix: string): ConformanceRule[] {
  return GUARD_RULES.map((g) => {
    const suffix = g.name.replace(/^cloud_kms_aws_/, '').replace(/_/g, '-');
    const description = g.describe(profile);
    return {
      logicalId: logicalId(g.name),
      configRuleName: `${prefix}-${suffix}`,
      mechanism: 'AWS Config custom policy rule (Guard)',
      evidence: `generated from rule ${g.rule.id}: ${description}` + (g.notInConfigurationItem ? `; partly: ${g.notInConfigurationItem}` : ''),
      controls: g.rule.controls,
      partial: `${g.notInConfigurationItem ? `${g.notInConfigurationItem}; ` : ''}${RECORDER_GAP}`,
      resource: {
        Type: 'AWS::Config::ConfigRule',
        Properties: {
          ConfigRuleName: `${prefix}-${suffix}`,
          Description: clip(`${g.rule.id}: ${description}`),
          Scope: { ComplianceResourceTypes: g.resourceTypes },
          Source: {
            Owner: 'CUSTOM_POLICY',
            CustomPolicyDetails: { PolicyRuntime: 'guard-2.x.x', PolicyText: guardPolicyText(g, profile), EnableDebugLogDelivery: false },
            SourceDetails: ['ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification']
              .map((MessageType) => ({ EventSource: 'aws.config', MessageType })),
          },
        },
      },
    };
  });
}

/** Every rule of the pack: the managed rules, then the Guard rules in the rule pack's order. */
export function conformanceRules(profile: ComplianceProfile, prefix: string): ConformanceRule[] {
  return [...managedRules(prefix), ...guardRules(profile, prefix)];
}

/**
 * TemplateBody: 1 to 51,200 bytes (https://docs.aws.amazon.com/config/latest/APIReference/API_PutConformancePack.html);
 * a larger pack would need TemplateS3Uri.
 */
export const MAX_CONFORMANCE_TEMPLATE_BYTES = 51_200;

/** The pack's template, JSON (which YAML parsers read too), refused at synthesis when Config would refuse its size. */
export function conformanceTemplateBody(rules: ConformanceRule[]): string {
  const body = JSON.stringify({ Resources: Object.fromEntries(rules.map((r) => [r.logicalId, r.resource])) });
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_CONFORMANCE_TEMPLATE_BYTES) {
    throw new ValidationError(`the conformance pack template must be at most ${MAX_CONFORMANCE_TEMPLATE_BYTES} bytes (TemplateBody's limit), got ${bytes}`);
  }
  return body;
}
