import { AWS_RULES } from './aws';
import { AZURE_RULES } from './azure';
import { GCP_RULES } from './gcp';
import { KmsRule, RuleCloud } from './rule';
import { shown, ValidationError } from '../../core/validation';

/**
 * The rule registry: every rule, by the cloud whose templates it reads. The pack (`KmsRulePack`), the CDK validation
 * plugin (`KmsRulesPlugin`, which runs `RULES.aws`) and the compliance report's rule list all read it, so a rule is
 * known everywhere once it is here: a rule of this package by its entry in `rules/<cloud>/index.ts`, any other (a
 * team's own rule, a test's) by `registerRule`.
 */
export const RULES: Readonly<Record<RuleCloud, KmsRule[]>> = { aws: AWS_RULES, azure: AZURE_RULES, gcp: GCP_RULES };

/** The registry's map from rule to the controls it evidences (what an auditor reads next to a finding). */
export function ruleControls(): Record<string, string[]> {
  return Object.fromEntries(Object.values(RULES).flat().map((r) => [r.id, r.controls.map((c) => c.id)]));
}

/**
 * Adds a rule to its cloud's list (after the built-in rules), for the pack, the plugin and the report alike. Returns the
 * function that removes it again.
 *
 * The registry is one per loaded copy of this module, shared by every app, pack and plugin in the process: a rule
 * registered stays until its remover is called (a test calls it in `finally`). It is not exported from the package's
 * entry points; rules of this package join by their entry in `rules/<cloud>/index.ts`.
 */
export function registerRule(rule: KmsRule): () => void {
  const cloud = rule?.cloud;
  if (!Object.prototype.hasOwnProperty.call(RULES, cloud)) throw new ValidationError(`rule.cloud must be aws, azure or gcp, got ${shown(cloud)}`);
  if (typeof rule.evaluate !== 'function') throw new ValidationError(`rule.evaluate must be a function, got ${typeof rule.evaluate}`);
  // Checked here, not where the report or the plugin first reads them (a TypeError far from the cause).
  if (typeof rule.id !== 'string' || rule.id.trim() === '') throw new ValidationError(`rule.id must be a non-empty string, got ${shown(rule.id)}`);
  if (typeof rule.description !== 'string' || rule.description.trim() === '') {
    throw new ValidationError(`rule.description must be a non-empty string, got ${shown(rule.description)}`);
  }
  if (!Array.isArray(rule.controls) || rule.controls.some((c) => typeof c?.id !== 'string')) {
    throw new ValidationError(`rule.controls must be a list of Controls (e.g. [Control.PCI_3_7_4]), got ${shown(rule.controls)}`);
  }
  // Findings, acknowledgements and the rule-to-controls map are keyed by id: a second rule under one id would hide the first.
  if (Object.values(RULES).flat().some((r) => r.id === rule.id)) throw new ValidationError(`rule.id must be unique, got ${shown(rule.id)}, which is registered`);
  RULES[cloud].push(rule);
  return () => {
    const at = RULES[cloud].indexOf(rule);
    if (at >= 0) RULES[cloud].splice(at, 1);
  };
}
