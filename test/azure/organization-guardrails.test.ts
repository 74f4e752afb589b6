/*
 * Issue 18, item 2: azure.OrganizationGuardrails, checked on its Terraform JSON (no Terraform binary here) against the
 * pinned azurerm provider's schema (the generated classes), and its evidence.
 */
import * as azure from '../../src/azure';
import { BUILT_IN_POLICIES, BUILT_IN_ROLE_NAMES, LOG_ANALYTICS_CONTRIBUTOR } from '../../src/azure/private/policy-builtins';
import { EvidenceLedger } from '../../src/core/evidence';
import { FipsLevel } from '../../src/core/fips';
import { Enforcement } from '../../src/core/guardrails';
import { DELETION_CONTROLS, ROTATION_CONTROLS, AUDIT_LOGGING_CONTROLS } from '../../src/core/key-evidence';
import { ComplianceProfile } from '../../src/core/profile';
import { ValidationError } from '../../src/core/validation';
import { azureStack, LOCATION, one, resources, synth, TfJson } from '../support/azure';
import { evaluatePolicy } from '../support/azure-policy';

const MG = '/providers/Microsoft.Management/managementGroups/mg-platform';
const WORKSPACE = '/subscriptions/a1b2c3d4-0000-4000-8000-000000000009/resourceGroups/rg-security/providers/Microsoft.OperationalInsights/workspaces/law-central';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function build(profile: ComplianceProfile, extra: Partial<azure.OrganizationGuardrailsProps> = {}) {
  const stack = azureStack();
  const guardrails = new azure.OrganizationGuardrails(stack, 'KeyGuardrails', { managementGroupId: MG, location: LOCATION, profile, workspaceId: WORKSPACE, ...extra });
  return { stack, guardrails, json: synth(stack) };
}

function references(json: TfJson): any[] {
  return one(json, 'azurerm_management_group_policy_set_definition').policy_definition_reference;
}

function reference(json: TfJson, referenceId: string): { id: string; values: Record<string, any> } {
  const ref = references(json).find((r) => r.reference_id === referenceId);
  if (!ref) throw new Error(`no reference ${referenceId}`);
  return { id: ref.policy_definition_id, values: JSON.parse(ref.parameter_values) };
}

describe('the built-in table', () => {
  test.each(BUILT_IN_POLICIES.map((p) => [p.referenceId, p] as const))('%s: a GUID, a cited source and Learn list, effects Microsoft allows', (_id, p) => {
    expect(p.name).toMatch(GUID);
    expect(p.source).toMatch(/^https:\/\/github\.com\/Azure\/azure-policy\/blob\/master\/built-in-policies\/policyDefinitions\/(Key%20Vault|Monitoring)\/[A-Za-z_-]+\.json$/);
    expect(p.learn).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/[a-z-]+\/policy-reference$/);
    expect(p.allowedEffects).toContain(p.allowedEffects.includes('DeployIfNotExists') ? 'DeployIfNotExists' : 'Audit');
    for (const role of p.roleDefinitionIds ?? []) {
      expect(role).toMatch(GUID);
      expect(BUILT_IN_ROLE_NAMES[role]).toBeDefined();
    }
  });

  test('names and reference ids are unique', () => {
    expect(new Set(BUILT_IN_POLICIES.map((p) => p.name)).size).toBe(BUILT_IN_POLICIES.length);
    expect(new Set(BUILT_IN_POLICIES.map((p) => p.referenceId)).size).toBe(BUILT_IN_POLICIES.length);
  });
});

describe('the initiative', () => {
  test('lives at the management group, references every built-in by its id and every custom definition', () => {
    const { json } = build(ComplianceProfile.FEDRAMP_HIGH);
    const set = one(json, 'azurerm_management_group_policy_set_definition');
    expect(set.management_group_id).toBe(MG);
    expect(set.policy_type).toBe('Custom');
    const builtInIds = references(json).map((r) => r.policy_definition_id).filter((id: string) => id.startsWith('/providers/'));
    expect(builtInIds.sort()).toEqual(BUILT_IN_POLICIES.map((p) => `/providers/Microsoft.Authorization/policyDefinitions/${p.name}`).sort());
    const custom = resources(json, 'azurerm_policy_definition');
    expect(Object.keys(custom)).toHaveLength(2);
    for (const [name, d] of Object.entries<any>(custom)) {
      expect(d.management_group_id).toBe(MG);
      expect(d.policy_type).toBe('Custom');
      expect(d.mode).toBe('Indexed');
      expect(references(json).some((r) => r.policy_definition_id === `\${azurerm_policy_definition.${name}.id}`)).toBe(true);
    }
  });

  test.each(ComplianceProfile.builtIns().map((p) => [p.name, p] as const))('%s: the profile decides the thresholds', (_name, profile) => {
    const { json } = build(profile);
    expect(reference(json, 'KeyRotation').values.maximumDaysToRotate).toEqual({ value: profile.maxRotationDays });
    expect(reference(json, 'cloudkms-vault-deletion-protection').values.minimumSoftDeleteRetentionDays).toEqual({ value: profile.minDeletionWindowDays });
    expect(reference(json, 'VaultDiagnostics').values).toEqual({
      effect: { value: 'DeployIfNotExists' }, logAnalytics: { value: WORKSPACE }, categoryGroup: { value: 'audit' },
    });
    // HSM-backed keys only where the profile requires FIPS 140 Level 3.
    expect(references(json).some((r) => r.reference_id === 'KeyHsmBacked')).toBe(profile.minimumFipsLevel === FipsLevel.LEVEL_3);
  });

  test('HSM-backed keys are required (denied otherwise) under FEDRAMP_HIGH and absent under COMMERCIAL', () => {
    expect(reference(build(ComplianceProfile.FEDRAMP_HIGH).json, 'KeyHsmBacked').values.effect).toEqual({ value: 'Deny' });
    expect(() => reference(build(ComplianceProfile.COMMERCIAL).json, 'KeyHsmBacked')).toThrow(/no reference/);
  });

  test('each custom reference passes exactly the parameters its definition declares, and the built-ins only effect and their own', () => {
    const { json } = build(ComplianceProfile.PCI_DSS);
    for (const [name, d] of Object.entries<any>(resources(json, 'azurerm_policy_definition'))) {
      const ref = references(json).find((r) => r.policy_definition_id === `\${azurerm_policy_definition.${name}.id}`);
      expect(Object.keys(JSON.parse(ref.parameter_values)).sort()).toEqual(Object.keys(JSON.parse(d.parameters)).sort());
    }
    // As Microsoft's definitions declare them (policy-builtins.ts cites each).
    const declared: Record<string, string[]> = {
      KeyRotation: ['effect', 'maximumDaysToRotate'],
      VaultDiagnostics: ['categoryGroup', 'effect', 'logAnalytics'],
      HsmDiagnostics: ['categoryGroup', 'effect', 'logAnalytics'],
    };
    for (const p of BUILT_IN_POLICIES.filter((b) => b.appliesTo?.(ComplianceProfile.PCI_DSS) ?? true)) {
      expect([p.referenceId, Object.keys(reference(json, p.referenceId).values).sort()]).toEqual([p.referenceId, declared[p.referenceId] ?? ['effect']]);
    }
  });

  test('the synthesized custom rule is the generated one, and judges a vault as the tests of the rule pack expect', () => {
    const { json } = build(ComplianceProfile.PCI_DSS);
    const def = Object.values<any>(resources(json, 'azurerm_policy_definition')).find((d) => d.policy_rule.includes('softDeleteRetentionInDays'));
    const parsed = { parameters: JSON.parse(def.parameters), policyRule: JSON.parse(def.policy_rule) };
    const values = Object.fromEntries(Object.entries(reference(json, 'cloudkms-vault-deletion-protection').values).map(([k, v]: [string, any]) => [k, v.value]));
    const vault = (days: number) => ({ type: 'Microsoft.KeyVault/vaults', properties: { enablePurgeProtection: true, softDeleteRetentionInDays: days } });
    expect(evaluatePolicy(parsed, vault(7), values)).toEqual({ matched: true, effect: 'Deny' });
    expect(evaluatePolicy(parsed, vault(30), values)).toEqual({ matched: false });
  });
});

describe('effects: preventive denies where Microsoft allows it, detective only audits', () => {
  test('PREVENTIVE (the default)', () => {
    const { guardrails, json } = build(ComplianceProfile.PCI_DSS);
    expect(guardrails.enforcement).toBe(Enforcement.PREVENTIVE);
    for (const id of ['VaultPurgeProtection', 'HsmPurgeProtection', 'VaultRbac', 'VaultFirewall', 'KeyExpiration', 'cloudkms-vault-network', 'cloudkms-vault-deletion-protection']) {
      expect([id, reference(json, id).values.effect]).toEqual([id, { value: 'Deny' }]);
    }
    // Microsoft allows no Deny for the rotation policy; public network access audits on purpose (allow-list vaults).
    expect(reference(json, 'KeyRotation').values.effect).toEqual({ value: 'Audit' });
    expect(reference(json, 'VaultPublicNetworkAccess').values.effect).toEqual({ value: 'Audit' });
    expect(reference(json, 'HsmDiagnostics').values.effect).toEqual({ value: 'DeployIfNotExists' });
  });

  test('DETECTIVE', () => {
    const { guardrails, json } = build(ComplianceProfile.PCI_DSS, { enforcement: Enforcement.DETECTIVE });
    expect(guardrails.enforcement).toBe(Enforcement.DETECTIVE);
    expect(references(json).filter((r) => JSON.parse(r.parameter_values).effect.value === 'Deny')).toEqual([]);
    expect(reference(json, 'VaultPurgeProtection').values.effect).toEqual({ value: 'Audit' });
    expect(reference(json, 'VaultDiagnostics').values.effect).toEqual({ value: 'DeployIfNotExists' });
  });

  test('every effect is one the definition allows', () => {
    for (const enforcement of [Enforcement.PREVENTIVE, Enforcement.DETECTIVE]) {
      const { json } = build(ComplianceProfile.FEDRAMP_HIGH, { enforcement });
      for (const p of BUILT_IN_POLICIES) expect(p.allowedEffects).toContain(reference(json, p.referenceId).values.effect.value);
    }
  });
});

describe('assignment, identity, roles and remediation', () => {
  const { json } = build(ComplianceProfile.PCI_DSS);
  const assignmentName = Object.keys(resources(json, 'azurerm_management_group_policy_assignment'))[0];

  test('the initiative is assigned at the management group with a system-assigned identity in a region', () => {
    const a = one(json, 'azurerm_management_group_policy_assignment');
    expect(a.management_group_id).toBe(MG);
    expect(a.policy_definition_id).toMatch(/^\$\{azurerm_management_group_policy_set_definition\.[^.]+\.id\}$/);
    expect(a.identity).toEqual({ type: 'SystemAssigned' });
    expect(a.location).toBe(LOCATION);
    expect(a.enforce).toBe(true);
    expect(a.name.length).toBeLessThanOrEqual(24);
  });

  test('the identity holds the role the deployIfNotExists definitions declare, at the management group and on the workspace', () => {
    const roles = Object.values<any>(resources(json, 'azurerm_role_assignment'));
    expect(roles.map((r) => r.scope).sort()).toEqual([MG, WORKSPACE].sort());
    for (const r of roles) {
      expect(r.role_definition_name).toBe(BUILT_IN_ROLE_NAMES[LOG_ANALYTICS_CONTRIBUTOR]);
      expect(r.role_definition_name).toBe('Log Analytics Contributor');
      expect(r.principal_id).toBe(`\${azurerm_management_group_policy_assignment.${assignmentName}.identity[0].principal_id}`);
      expect(r.principal_type).toBe('ServicePrincipal');
    }
  });

  test('a remediation task per deployIfNotExists definition, after the roles', () => {
    const tasks = Object.values<any>(resources(json, 'azurerm_management_group_policy_remediation'));
    expect(tasks.map((t) => t.policy_definition_reference_id).sort()).toEqual(['HsmDiagnostics', 'VaultDiagnostics']);
    for (const t of tasks) {
      expect(t.management_group_id).toBe(MG);
      expect(t.policy_assignment_id).toBe(`\${azurerm_management_group_policy_assignment.${assignmentName}.id}`);
      expect(t.depends_on).toHaveLength(2);
      expect(t.depends_on.every((d: string) => d.startsWith('azurerm_role_assignment.'))).toBe(true);
    }
  });

  test('remediateExisting: false leaves the tasks out', () => {
    expect(resources(build(ComplianceProfile.PCI_DSS, { remediateExisting: false }).json, 'azurerm_management_group_policy_remediation')).toEqual({});
  });
});

describe('evidence', () => {
  test('one guardrail per definition, with its enforcement, controls, target and profile', () => {
    const { stack, guardrails } = build(ComplianceProfile.FEDRAMP_HIGH);
    const records = EvidenceLedger.of(stack).guardrails.filter((g) => g.cloud === 'azure');
    expect(records).toHaveLength(Object.keys(guardrails.effects).length);
    for (const g of records) {
      expect(g.targets).toEqual([MG]);
      expect(g.profile).toBe('FEDRAMP_HIGH');
      expect(g.controls.length).toBeGreaterThan(0);
      expect(g.description).toMatch(/exempt/);
    }
    const byName = (re: RegExp) => records.find((g) => re.test(g.name))!;
    expect(byName(/^VaultPurgeProtection/)).toMatchObject({ enforcement: Enforcement.PREVENTIVE, controls: DELETION_CONTROLS });
    expect(byName(/^KeyRotation/)).toMatchObject({ enforcement: Enforcement.DETECTIVE, controls: ROTATION_CONTROLS });
    expect(byName(/^VaultDiagnostics/)).toMatchObject({ enforcement: Enforcement.DETECTIVE, controls: AUDIT_LOGGING_CONTROLS });
    expect(byName(/^VaultDiagnostics/).mechanism).toMatch(/DeployIfNotExists/);
    expect(byName(/^cloudkms-vault-deletion-protection$/)).toMatchObject({ enforcement: Enforcement.PREVENTIVE, controls: DELETION_CONTROLS });
  });

  test('detective mode records every deny-capable definition as detective', () => {
    const { stack } = build(ComplianceProfile.PCI_DSS, { enforcement: Enforcement.DETECTIVE });
    expect(EvidenceLedger.of(stack).guardrails.filter((g) => g.enforcement === Enforcement.PREVENTIVE)).toEqual([]);
  });
});

describe('bad props fail early, naming the prop', () => {
  test.each([
    ['managementGroupId', { managementGroupId: 'mg-platform' }, /managementGroupId must be a management group resource id.*got mg-platform$/],
    ['workspaceId', { workspaceId: 'law-central' }, /workspaceId must be a Log Analytics workspace resource id.*got law-central$/],
    ['location', { location: ' ' }, /location must name the Azure region/],
    ['enforcement', { enforcement: Enforcement.SYNTHESIS }, /enforcement must be Enforcement.PREVENTIVE or Enforcement.DETECTIVE.*synthesis/],
  ] as const)('%s', (_prop, change, message) => {
    expect(() => build(ComplianceProfile.PCI_DSS, change as any)).toThrow(ValidationError);
    expect(() => build(ComplianceProfile.PCI_DSS, change as any)).toThrow(message);
  });

  test('a profile whose deletion window no vault can keep', () => {
    const profile = ComplianceProfile.custom({ name: 'LONG_WINDOW', basedOn: ComplianceProfile.PCI_DSS, minDeletionWindowDays: 120 });
    expect(() => build(profile)).toThrow(/profile.minDeletionWindowDays must be at most .* 90 days.*got 120 from profile LONG_WINDOW/);
  });
});

test('every Azure guardrail says who below the management group can set it aside, and the expiration definitions that they do not hold the cryptoperiod: never counted as in full', () => {
  const { stack } = build(ComplianceProfile.PCI_DSS);
  const records = EvidenceLedger.of(stack).guardrails.filter((g) => g.cloud === 'azure');
  expect(records.length).toBeGreaterThan(0);
  for (const r of records) expect([r.name, r.partial]).toEqual([r.name, expect.stringContaining('Microsoft.Authorization/policyExemptions/write')]);
  const expiry = records.find((r) => r.name.startsWith('KeyExpiration '))!;
  expect(expiry.partial).toContain("not one within the profile's cryptoperiod");
  expect(records.find((r) => r.name.startsWith('KeyVaultDeletionProtection') || r.name === 'cloudkms-vault-deletion-protection')!.partial)
    .not.toContain('cryptoperiod');
});
