/*
 * Issue 18, item 2: the Azure Policy definitions generated from the rule pack judge a deployed vault as the rule pack
 * judges its Terraform JSON, checked with the Azure Policy evaluator of test/support/azure-policy.ts.
 */
import { BUILT_IN_POLICIES } from '../../src/azure/private/policy-builtins';
import { AZURE_RULES_WITHOUT_CUSTOM_POLICY, azureCustomPolicies, AzureCustomPolicy } from '../../src/compliance/rules/azure/policy/definitions';
import { RULES } from '../../src/compliance/rules/registry';
import { RuleResult } from '../../src/compliance/rules/result';
import { DeploymentModel } from '../../src/core/deployment-model';
import { ComplianceProfile } from '../../src/core/profile';
import { azureByok, azureCmk, azureHsm, azureStack, synth } from '../support/azure';
import { ArmResource, armVaultFromTerraform, evaluatePolicy } from '../support/azure-policy';

/** A vault's settings as Terraform (azurerm) writes them; undefined leaves the attribute out. */
interface VaultSettings {
  readonly purge?: boolean;
  readonly retention?: number;
  readonly publicAccess?: boolean;
  readonly defaultAction?: 'Allow' | 'Deny';
  readonly rbac?: boolean;
}

function terraformVault(s: VaultSettings): any {
  const body: Record<string, unknown> = { name: 'kv-orders', location: 'westeurope', sku_name: 'premium' };
  if (s.purge !== undefined) body.purge_protection_enabled = s.purge;
  if (s.retention !== undefined) body.soft_delete_retention_days = s.retention;
  if (s.publicAccess !== undefined) body.public_network_access_enabled = s.publicAccess;
  if (s.defaultAction !== undefined) body.network_acls = [{ default_action: s.defaultAction, bypass: 'None' }];
  if (s.rbac !== undefined) body.rbac_authorization_enabled = s.rbac;
  return { resource: { azurerm_key_vault: { vault: body } } };
}

/**
 * The same vault as Azure Resource Manager returns it (Microsoft.KeyVault/vaults properties): azurerm maps
 * purge_protection_enabled to enablePurgeProtection, soft_delete_retention_days to softDeleteRetentionInDays,
 * public_network_access_enabled to publicNetworkAccess Enabled/Disabled, network_acls to networkAcls and
 * rbac_authorization_enabled to enableRbacAuthorization.
 * https://learn.microsoft.com/azure/templates/microsoft.keyvault/vaults
 */
function armVault(s: VaultSettings): ArmResource {
  const properties: Record<string, unknown> = { tenantId: '00000000-0000-4000-8000-000000000000', sku: { family: 'A', name: 'premium' }, enableSoftDelete: true };
  if (s.purge !== undefined) properties.enablePurgeProtection = s.purge;
  if (s.retention !== undefined) properties.softDeleteRetentionInDays = s.retention;
  if (s.publicAccess !== undefined) properties.publicNetworkAccess = s.publicAccess ? 'Enabled' : 'Disabled';
  if (s.defaultAction !== undefined) properties.networkAcls = { defaultAction: s.defaultAction, bypass: 'None' };
  if (s.rbac !== undefined) properties.enableRbacAuthorization = s.rbac;
  return { type: 'Microsoft.KeyVault/vaults', name: 'kv-orders', location: 'westeurope', properties };
}

/** Every combination of the settings the vault rules read, absent values included. */
function vaultMatrix(): VaultSettings[] {
  const out: VaultSettings[] = [];
  for (const purge of [true, false, undefined]) {
    for (const retention of [7, 29, 30, 90, undefined]) {
      for (const publicAccess of [true, false, undefined]) {
        for (const defaultAction of ['Allow', 'Deny', undefined] as const) {
          for (const rbac of [true, false, undefined]) out.push({ purge, retention, publicAccess, defaultAction, rbac });
        }
      }
    }
  }
  return out;
}

function policyFor(profile: ComplianceProfile, ruleId: string): AzureCustomPolicy {
  const found = azureCustomPolicies(profile).find((p) => p.ruleId === ruleId);
  if (!found) throw new Error(`no custom policy for ${ruleId}`);
  return found;
}

function ruleCompliant(ruleId: string, profile: ComplianceProfile, json: any): boolean {
  const rule = RULES.azure.find((r) => r.id === ruleId)!;
  const findings = rule.evaluate(json, { profile });
  expect(findings).toHaveLength(1);
  return findings[0].result === RuleResult.COMPLIANT;
}

function policyCompliant(policy: AzureCustomPolicy, resource: ArmResource, effect = 'Deny'): boolean {
  return !evaluatePolicy(policy, resource, { effect, ...policy.parameterValues }).matched;
}

describe('every Azure rule has a policy counterpart or a stated reason', () => {
  test.each(RULES.azure.map((r) => [r.id]))('%s', (id) => {
    const custom = azureCustomPolicies(ComplianceProfile.PCI_DSS).filter((p) => p.ruleId === id);
    const reason = AZURE_RULES_WITHOUT_CUSTOM_POLICY[id];
    // Exactly one of the two, never both and never neither.
    expect(custom.length > 0).toBe(reason === undefined);
    if (reason !== undefined) expect(reason.length).toBeGreaterThan(40);
    // A reason that claims a built-in counterpart names one that the built-in table maps to this rule.
    if (reason?.includes('covered by the built-in')) {
      expect(BUILT_IN_POLICIES.filter((b) => b.ruleId === id).length).toBeGreaterThan(0);
    }
  });

  test('the list of reasons names only rules that exist', () => {
    const ids = RULES.azure.map((r) => r.id);
    expect(Object.keys(AZURE_RULES_WITHOUT_CUSTOM_POLICY).filter((id) => !ids.includes(id))).toEqual([]);
    expect(BUILT_IN_POLICIES.filter((b) => b.ruleId !== undefined && !ids.includes(b.ruleId)).map((b) => b.ruleId)).toEqual([]);
  });
});

describe.each(ComplianceProfile.builtIns().map((p) => [p.name, p] as const))('profile %s: rule pack and policy agree', (_name, profile) => {
  const matrix = vaultMatrix();
  test.each(['CloudKms-AzureVaultDeletionProtection', 'CloudKms-AzureVaultNetwork'])('%s on every vault setting', (ruleId) => {
    const policy = policyFor(profile, ruleId);
    const disagreements = matrix.filter((s) => ruleCompliant(ruleId, profile, terraformVault(s)) !== policyCompliant(policy, armVault(s)));
    expect(disagreements).toEqual([]);
    // The matrix holds both verdicts, so agreement is not agreement on one answer.
    const verdicts = new Set(matrix.map((s) => policyCompliant(policy, armVault(s))));
    expect([...verdicts].sort()).toEqual([false, true]);
  });
});

describe('custom definitions on compliant and non-compliant vaults', () => {
  const pci = ComplianceProfile.PCI_DSS; // 30-day deletion window
  const deletion = policyFor(pci, 'CloudKms-AzureVaultDeletionProtection');
  const network = policyFor(pci, 'CloudKms-AzureVaultNetwork');
  const good: VaultSettings = { purge: true, retention: 90, publicAccess: false, defaultAction: 'Deny', rbac: true };

  test('a vault as our constructs build it passes both', () => {
    expect(evaluatePolicy(deletion, armVault(good), { effect: 'Deny', ...deletion.parameterValues })).toEqual({ matched: false });
    expect(evaluatePolicy(network, armVault(good), { effect: 'Deny' })).toEqual({ matched: false });
    // An allow list behind a deny-by-default firewall is private enough for the rule, and for the policy.
    expect(policyCompliant(network, armVault({ ...good, publicAccess: true }))).toBe(true);
  });

  test.each([
    ['purge protection off', { purge: false }],
    ['purge protection absent', { purge: undefined }],
    ['a 7-day soft delete under a 30-day window', { retention: 7 }],
    ['a 29-day soft delete under a 30-day window', { retention: 29 }],
  ])('deletion protection refuses %s', (_label, change) => {
    expect(evaluatePolicy(deletion, armVault({ ...good, ...change }), { effect: 'Deny', ...deletion.parameterValues }))
      .toEqual({ matched: true, effect: 'Deny' });
  });

  test('the retention threshold comes from the profile: 7 days passes COMMERCIAL, not PCI DSS', () => {
    expect(policyCompliant(policyFor(ComplianceProfile.COMMERCIAL, 'CloudKms-AzureVaultDeletionProtection'), armVault({ ...good, retention: 7 }))).toBe(true);
    expect(policyCompliant(deletion, armVault({ ...good, retention: 7 }))).toBe(false);
    expect(policyCompliant(deletion, armVault({ ...good, retention: undefined }))).toBe(true); // Key Vault's default: 90
  });

  test.each([
    ['public access and an open firewall', { publicAccess: true, defaultAction: 'Allow' }],
    ['public access and no firewall rules', { publicAccess: true, defaultAction: undefined }],
    ['access policies instead of RBAC', { rbac: false }],
    ['RBAC not set', { rbac: undefined }],
  ] as const)('network refuses %s', (_label, change) => {
    expect(evaluatePolicy(network, armVault({ ...good, ...change }), { effect: 'Deny' })).toEqual({ matched: true, effect: 'Deny' });
  });

  test('in detective mode the same vault is reported, not refused', () => {
    expect(evaluatePolicy(network, armVault({ ...good, rbac: false }), { effect: 'Audit' })).toEqual({ matched: true, effect: 'Audit' });
  });

  test('a vault being recovered from soft delete and other resource types are out of scope', () => {
    const recovering = armVault({ purge: false });
    (recovering.properties as any).createMode = 'recover';
    expect(policyCompliant(deletion, recovering)).toBe(true);
    expect(policyCompliant(deletion, { type: 'Microsoft.Storage/storageAccounts', properties: { enablePurgeProtection: false } })).toBe(true);
  });
});

describe('the evaluator follows Microsoft\'s semantics', () => {
  // A data-plane rule in the shape of Microsoft's key-type definitions, with the rule pack's HSM key types.
  const hsmBacked = {
    parameters: { effect: { defaultValue: 'Audit' } },
    policyRule: {
      if: { allOf: [{ field: 'type', equals: 'Microsoft.KeyVault.Data/vaults/keys' }, { field: 'Microsoft.KeyVault.Data/vaults/keys/keyType', notIn: ['RSA-HSM', 'EC-HSM', 'oct-HSM'] }] },
      then: { effect: '[parameters(\'effect\')]' },
    },
  };

  test('notIn, case-insensitive type, parameter defaults', () => {
    expect(evaluatePolicy(hsmBacked, { type: 'microsoft.keyvault.data/vaults/keys', properties: { keyType: 'RSA' } })).toEqual({ matched: true, effect: 'Audit' });
    expect(evaluatePolicy(hsmBacked, { type: 'Microsoft.KeyVault.Data/vaults/keys', properties: { keyType: 'rsa-hsm' } }).matched).toBe(false);
  });

  test('count with where, exists, not, like', () => {
    const rule = {
      policyRule: {
        if: {
          allOf: [
            { count: { field: 'Microsoft.Insights/diagnosticSettings/logs[*]', where: { field: 'Microsoft.Insights/diagnosticSettings/logs[*].enabled', equals: 'true' } }, less: 1 },
            { not: { field: 'name', like: 'setByPolicy*' } },
            { field: 'Microsoft.Insights/diagnosticSettings/workspaceId', exists: 'false' },
          ],
        },
        then: { effect: 'AuditIfNotExists' },
      },
    };
    const setting = (enabled: boolean, name: string, workspaceId?: string): ArmResource => ({
      type: 'Microsoft.Insights/diagnosticSettings', name, properties: { logs: [{ categoryGroup: 'audit', enabled }], ...(workspaceId ? { workspaceId } : {}) },
    });
    expect(evaluatePolicy(rule, setting(false, 'manual')).matched).toBe(true);
    expect(evaluatePolicy(rule, setting(true, 'manual')).matched).toBe(false);
    expect(evaluatePolicy(rule, setting(false, 'setByPolicy-LogAnalytics')).matched).toBe(false);
    expect(evaluatePolicy(rule, setting(false, 'manual', '/subscriptions/x/ws')).matched).toBe(false);
  });

  test('requestContext().apiVersion when the request gives one', () => {
    const rule = { policyRule: { if: { value: '[requestContext().apiVersion]', less: '2019-09-01' }, then: { effect: 'Deny' } } };
    expect(evaluatePolicy(rule, armVault({}), {}, { apiVersion: '2018-02-14' }).matched).toBe(true);
    expect(evaluatePolicy(rule, armVault({}), {}, { apiVersion: '2023-07-01' }).matched).toBe(false);
  });

  test('refuses what it does not implement instead of guessing', () => {
    const rule = { policyRule: { if: { value: '[requestContext().apiVersion]', less: '2019-09-01' }, then: { effect: 'Deny' } } };
    expect(() => evaluatePolicy(rule, armVault({}))).toThrow(/unsupported expression/);
  });
});

/*
 * Who the Deny effects stand against: a subscription Owner below the management group creating a vault with azurerm's
 * defaults (purge protection off, access policies, open to the internet) or weakening one. The golden pattern's own
 * vaults must still deploy under the same Deny.
 */
describe('under Deny: the golden pattern deploys, a subscription owner\'s weak vault is refused', () => {
  test.each(ComplianceProfile.builtIns().map((p) => [p.name, p] as const))('%s', (_name, profile) => {
    const stack = azureStack();
    // The profile's own golden pattern: a customer-managed key where allowed, else BYOK, else HYOK (a Managed HSM, no vault).
    if (profile.allows(DeploymentModel.CUSTOMER_MANAGED)) azureCmk(stack, profile);
    else if (profile.allows(DeploymentModel.BYOK)) azureByok(stack, profile);
    else azureHsm(stack, profile);
    const vaults = Object.values<any>(synth(stack).resource.azurerm_key_vault ?? {});
    expect(vaults.length > 0).toBe(profile.allows(DeploymentModel.CUSTOMER_MANAGED) || profile.allows(DeploymentModel.BYOK));
    for (const policy of azureCustomPolicies(profile)) {
      for (const body of vaults) expect([policy.name, evaluatePolicy(policy, armVaultFromTerraform(body), { effect: 'Deny', ...policy.parameterValues })]).toEqual([policy.name, { matched: false }]);
      const owners = armVaultFromTerraform({ name: 'kv-shadow', location: 'westeurope' });
      expect(evaluatePolicy(policy, owners, { effect: 'Deny', ...policy.parameterValues })).toEqual({ matched: true, effect: 'Deny' });
    }
  });

  test('an owner who turns a golden vault public or back to access policies is refused at the update', () => {
    const stack = azureStack();
    azureCmk(stack, ComplianceProfile.PCI_DSS);
    const body = Object.values<any>(synth(stack).resource.azurerm_key_vault)[0];
    const network = policyFor(ComplianceProfile.PCI_DSS, 'CloudKms-AzureVaultNetwork');
    const opened = armVaultFromTerraform({ ...body, public_network_access_enabled: true, network_acls: [{ default_action: 'Allow', bypass: 'None' }] });
    expect(evaluatePolicy(network, opened, { effect: 'Deny' })).toEqual({ matched: true, effect: 'Deny' });
    const accessPolicies = armVaultFromTerraform({ ...body, rbac_authorization_enabled: false });
    expect(evaluatePolicy(network, accessPolicies, { effect: 'Deny' })).toEqual({ matched: true, effect: 'Deny' });
  });
});
