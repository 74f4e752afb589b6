import { readFileSync } from 'fs';
import {
  IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1,
} from 'aws-cdk-lib';
import { checkByKeyProfile } from './key-profiles';
import { requireProfile } from './pack';
import { templateRegion } from './private/manifest-region';
import { ComplianceProfile } from '../core/profile';
import { RULES, ruleControls } from './rules/registry';
import { RuleResult } from './rules/rule';

/**
 * The KMS rule pack as an aws-cdk-lib policy-validation plugin: `Validations.of(app).addPlugins(new KmsRulesPlugin())`.
 * Runs on every synthesized template (nested stacks included); findings can be acknowledged like cdk-nag's.
 *
 * Each key is judged by the profile it was built under (the `cloud-kms-constructs:profile` metadata our constructs
 * write on the key resource); resources with no profile of their own (the trail, the operational log key) by every
 * profile of the keys in their template. A template with no profile recorded anywhere is judged by COMMERCIAL.
 */
export class KmsRulesPlugin implements IPolicyValidationPluginBeta1 {
  public readonly name = 'cloud-kms-rules';
  public readonly version?: string = '1';
  private readonly override?: ComplianceProfile;

  /**
   * @param profile judge every key by this profile instead of its own. @default - each key's own profile
   */
  constructor(profile?: ComplianceProfile) {
    if (profile !== undefined) requireProfile('profile', profile);
    this.override = profile;
  }

  /** The AWS rules of the registry (`RULES.aws`), those registered after this plugin was made included. */
  public get ruleIds(): string[] | undefined {
    return RULES.aws.map((r) => r.id);
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const controls = ruleControls();
    const byRule = new Map<string, PolicyViolationBeta1 & { violatingResources: any[] }>();
    const templates = context.templatePaths.map((p) => [p, JSON.parse(readFileSync(p, 'utf8'))] as const);
    for (const [templatePath, template] of templates) {
      const siblings = templates.filter(([p]) => p !== templatePath).map(([, t]) => t);
      const { findings } = checkByKeyProfile(template, { cloud: 'aws', siblings, override: this.override, region: templateRegion(templatePath) });
      for (const f of findings) {
        if (f.result !== RuleResult.NON_COMPLIANT) continue;
        // One violation per rule and profile, so the report says which profile each key was judged by.
        const key = `${f.rule}\u0000${f.profile}`;
        const v = byRule.get(key) ?? {
          ruleName: f.rule,
          description: `${f.message} (profile ${f.profile}; controls: ${controls[f.rule].join(', ')})`,
          violatingResources: [],
          severity: 'error',
        };
        v.violatingResources.push({ resourceLogicalId: f.resource, templatePath, locations: [f.resource] });
        byRule.set(key, v);
      }
    }
    const violations = [...byRule.values()];
    return { success: violations.length === 0, violations };
  }
}
