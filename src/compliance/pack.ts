import { readFileSync } from 'fs';
import { isComplianceProfile } from '../core/input';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { templateRegion } from './private/manifest-region';
import { RULES } from './rules/registry';
import { RuleCloud, RuleFinding, RuleResult } from './rules/rule';

// Where the registry lived before it had a file of its own.
export { registerRule, RULES, ruleControls } from './rules/registry';

/**
 * A profile from JavaScript or another jsii language may be anything (a profile's name as a string, a plain object):
 * refused by name here, not a TypeError inside a rule.
 */
export function requireProfile(prop: string, profile: unknown): void {
  if (!isComplianceProfile(profile)) {
    throw new ValidationError(`${prop} must be a ComplianceProfile (e.g. ComplianceProfile.HIPAA), got ${shown(profile)}`);
  }
}

/** Which template format a file or object is. */
export function detectCloud(template: any): string {
  if (template?.Resources || template?.AWSTemplateFormatVersion) return 'aws';
  const types = Object.keys(template?.resource ?? {});
  if (types.some((t) => t.startsWith('azurerm_'))) return 'azure';
  if (types.some((t) => t.startsWith('google_'))) return 'gcp';
  throw new ValidationError('the file is neither a CloudFormation template nor Terraform JSON with azurerm or google resources');
}

/**
 * The KMS-aware rule pack: rotation, deletion safeguards, named principals, separation of duties, dual control, HSM
 * level, audit, and no key material in outputs, on CloudFormation templates (keys made by our custom resources
 * included) and on Terraform JSON for Azure and Google Cloud.
 */
export class KmsRulePack {
  constructor(public readonly profile: ComplianceProfile = ComplianceProfile.COMMERCIAL) {
    requireProfile('profile', profile);
  }

  /**
   * Runs the cloud's rules on one template.
   * @param region the stack's region, for the residency rule (`checkFile` reads it from the cloud assembly's manifest)
   */
  public check(template: any, cloud?: string, siblings?: any[], region?: string): RuleFinding[] {
    const c = (cloud ?? detectCloud(template)) as RuleCloud;
    if (!Object.prototype.hasOwnProperty.call(RULES, c)) throw new ValidationError(`cloud must be aws, azure or gcp, got ${shown(cloud)}`);
    return RULES[c].flatMap((rule) => rule.evaluate(template, { profile: this.profile, siblings, region }));
  }

  /** Runs the rules on a template file (`*.template.json` or `cdk.tf.json`). */
  public checkFile(path: string): RuleFinding[] {
    let template: unknown;
    try {
      template = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      // Neither the parser's excerpt of the text nor a stack: the path and what is wrong with it.
      const code = (e as NodeJS.ErrnoException).code;
      throw new ValidationError(code ? `path ${shown(path)} cannot be read: ${code}` : `path ${shown(path)} is not JSON`);
    }
    return this.check(template, undefined, undefined, templateRegion(path));
  }

  /** Only the non-compliant findings. */
  public violations(template: any, cloud?: string, siblings?: any[]): RuleFinding[] {
    return this.check(template, cloud, siblings).filter((f) => f.result === RuleResult.NON_COMPLIANT);
  }
}
