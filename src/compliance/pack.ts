import { readFileSync } from 'fs';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { AuditTrail } from './rules/aws/audit-trail';
import { KeyConditionalGrants } from './rules/aws/key-conditional-grants';
import { KeyDeletionWindow } from './rules/aws/key-deletion-window';
import { KeyDualControl } from './rules/aws/key-dual-control';
import { KeyPolicyPrincipals } from './rules/aws/key-policy-principals';
import { KeyRotation as AwsKeyRotation } from './rules/aws/key-rotation';
import { KeySeparationOfDuties } from './rules/aws/key-separation-of-duties';
import { NoKeyMaterialInOutputs as AwsNoKeyMaterial } from './rules/aws/no-key-material';
import { AuditDiagnostics } from './rules/azure/audit';
import { DualControl as AzureDualControl } from './rules/azure/dual-control';
import { KeyHsm as AzureKeyHsm } from './rules/azure/key-hsm';
import { KeyRotation as AzureKeyRotation } from './rules/azure/key-rotation';
import { NoKeyMaterialInOutputs as AzureNoKeyMaterial } from './rules/azure/no-key-material';
import { RoleSeparation } from './rules/azure/role-separation';
import { VaultDeletionProtection } from './rules/azure/vault-deletion-protection';
import { VaultNetwork } from './rules/azure/vault-network';
import { AuditLogs } from './rules/gcp/audit';
import { DualControl as GcpDualControl } from './rules/gcp/dual-control';
import { KmsIam } from './rules/gcp/iam';
import { KeyDestruction } from './rules/gcp/key-destruction';
import { KeyHsm as GcpKeyHsm } from './rules/gcp/key-hsm';
import { KeyRotation as GcpKeyRotation } from './rules/gcp/key-rotation';
import { NoKeyMaterialInOutputs as GcpNoKeyMaterial } from './rules/gcp/no-key-material';
import { KmsRule, RuleCloud, RuleFinding, RuleResult } from './rules/rule';

/** Every rule of the pack, by cloud. */
export const RULES: Record<RuleCloud, KmsRule[]> = {
  aws: [AwsKeyRotation, KeyDeletionWindow, KeyPolicyPrincipals, KeySeparationOfDuties, KeyConditionalGrants, KeyDualControl, AuditTrail,
    AwsNoKeyMaterial],
  azure: [
    AzureKeyRotation, VaultDeletionProtection, VaultNetwork, RoleSeparation, AzureDualControl, AzureKeyHsm, AuditDiagnostics, AzureNoKeyMaterial,
  ],
  gcp: [GcpKeyRotation, KeyDestruction, KmsIam, GcpDualControl, GcpKeyHsm, AuditLogs, GcpNoKeyMaterial],
};

/** The pack's map from rule to the controls it evidences (what an auditor reads next to a finding). */
export function ruleControls(): Record<string, string[]> {
  return Object.fromEntries(Object.values(RULES).flat().map((r) => [r.id, r.controls.map((c) => c.id)]));
}

/**
 * A profile from JavaScript or another jsii language may be anything (a profile's name as a string, a plain object):
 * refused by name here, not a TypeError inside a rule.
 */
export function requireProfile(prop: string, profile: unknown): void {
  if (!(profile instanceof ComplianceProfile)) {
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

  /** Runs the cloud's rules on one template. */
  public check(template: any, cloud?: string, siblings?: any[]): RuleFinding[] {
    const c = (cloud ?? detectCloud(template)) as RuleCloud;
    if (!Object.prototype.hasOwnProperty.call(RULES, c)) throw new ValidationError(`cloud must be aws, azure or gcp, got ${shown(cloud)}`);
    return RULES[c].flatMap((rule) => rule.evaluate(template, { profile: this.profile, siblings }));
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
    return this.check(template);
  }

  /** Only the non-compliant findings. */
  public violations(template: any, cloud?: string, siblings?: any[]): RuleFinding[] {
    return this.check(template, cloud, siblings).filter((f) => f.result === RuleResult.NON_COMPLIANT);
  }
}
