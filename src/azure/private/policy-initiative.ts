import { BUILT_IN_POLICIES, builtInPolicyId, BuiltInContext, effectFor } from './policy-builtins';
import { AzureCustomPolicy, azureCustomPolicies, CUSTOM_POLICY_EFFECTS } from '../../compliance/rules/azure/policy/definitions';
import { Control } from '../../core/controls';

/** One definition of the initiative, built-in or custom, with the effect and parameters the profile gives it. */
export interface PlannedPolicy {
  /** Reference id inside the initiative (what remediation tasks and non-compliance messages name). */
  readonly referenceId: string;
  readonly displayName: string;
  readonly description: string;
  /** The built-in's definition id; absent for a custom definition, whose id is known once it is created. */
  readonly builtInId?: string;
  /** The custom definition, when it is one. */
  readonly custom?: AzureCustomPolicy;
  /** Where its id, parameters and effects come from. */
  readonly source: string;
  readonly effect: string;
  /** Every parameter value, `effect` among them. */
  readonly parameterValues: Record<string, unknown>;
  readonly controls: Control[];
  /** Roles (GUIDs) a deployIfNotExists or modify definition needs its assignment's identity to hold. */
  readonly roleDefinitionIds: string[];
  /** Resource ids besides the management group the roles are needed on. */
  readonly roleScopes: string[];
  readonly ruleId?: string;
  /** Why it audits where it could deny, if it does so on purpose. */
  readonly auditOnly?: string;
  /** What of its controls it leaves out, when it enforces them only in part. */
  readonly partly?: string;
}

/** Whether an effect refuses the act (preventive) rather than reporting or fixing it afterwards. */
export function isPreventive(effect: string): boolean {
  return effect === 'Deny';
}

/** Whether an effect deploys or changes resources, and so needs a managed identity, roles and remediation tasks. */
export function remediates(effect: string): boolean {
  return effect === 'DeployIfNotExists' || effect === 'Modify';
}

/** The initiative's definitions for a profile: the built-ins the profile calls for, then the rule pack's own. */
export function planPolicies(ctx: BuiltInContext, preventive: boolean): PlannedPolicy[] {
  const builtIns = BUILT_IN_POLICIES.filter((p) => p.appliesTo?.(ctx.profile) ?? true).map((p): PlannedPolicy => {
    const effect = effectFor(p.allowedEffects, preventive, p.auditOnly);
    return {
      referenceId: p.referenceId,
      displayName: p.displayName,
      description: p.description,
      builtInId: builtInPolicyId(p),
      source: `${p.source} (listed at ${p.learn})`,
      effect,
      parameterValues: { effect, ...p.parameters?.(ctx) },
      controls: p.controls,
      roleDefinitionIds: remediates(effect) ? p.roleDefinitionIds ?? [] : [],
      roleScopes: remediates(effect) ? p.assignPermissionsOn?.(ctx) ?? [] : [],
      ruleId: p.ruleId,
      auditOnly: p.auditOnly,
      partly: p.partly,
    };
  });
  const custom = azureCustomPolicies(ctx.profile).map((c): PlannedPolicy => {
    const effect = effectFor(CUSTOM_POLICY_EFFECTS, preventive);
    return {
      referenceId: c.name,
      displayName: c.displayName,
      description: c.description,
      custom: c,
      source: `generated from rule ${c.ruleId} of the Cloud KMS rule pack`,
      effect,
      parameterValues: { effect, ...c.parameterValues },
      controls: c.controls,
      roleDefinitionIds: [],
      roleScopes: [],
      ruleId: c.ruleId,
    };
  });
  return [...builtIns, ...custom];
}

/** An initiative reference's `parameter_values`: Azure wants each value wrapped as `{ value }`. */
export function parameterValuesJson(values: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }])));
}
