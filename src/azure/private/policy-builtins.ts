import { VaultNetwork } from '../../compliance/rules/azure/vault-network';
import { HSM_CONTROLS } from '../../compliance/rules/controls';
import { Control } from '../../core/controls';
import { FipsLevel } from '../../core/fips';
import { ACCESS_CONTROLS, AUDIT_LOGGING_CONTROLS, DELETION_CONTROLS, ROTATION_CONTROLS } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';

/*
 * Microsoft's built-in Azure Policy definitions the organisation guardrails assign, one row each. Every id, display
 * name, parameter and allowed effect is checked against the definition's JSON in Microsoft's repository of built-ins
 * (`source`; release 3.2026.0417.1), which is what the Microsoft Learn lists are generated from (`learn`):
 *   https://learn.microsoft.com/azure/key-vault/policy-reference (Key Vault category)
 *   https://learn.microsoft.com/azure/azure-monitor/policy-reference (Monitoring category: the diagnostic settings)
 */

const LEARN_KEY_VAULT = 'https://learn.microsoft.com/azure/key-vault/policy-reference';
const LEARN_MONITOR = 'https://learn.microsoft.com/azure/azure-monitor/policy-reference';
const SOURCE = 'https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions';

/** Log Analytics Contributor: the role Microsoft's deployIfNotExists diagnostic-settings definitions declare. */
export const LOG_ANALYTICS_CONTRIBUTOR = '92aaf0da-9dab-42b6-94a3-d43ce8d16293';

/**
 * Built-in role names by id, for the role assignments: azurerm resolves a name at any scope, where an id must be scoped
 * the way Azure returns it there (unscoped at a management group, under the subscription for a workspace).
 * https://github.com/hashicorp/terraform-provider-azurerm/issues/27458, https://github.com/Azure/azure-rest-api-specs/issues/9389
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#log-analytics-contributor
 */
export const BUILT_IN_ROLE_NAMES: Record<string, string> = {
  [LOG_ANALYTICS_CONTRIBUTOR]: 'Log Analytics Contributor',
};

/** What the guardrails pass to the built-ins besides the effect. */
export interface BuiltInContext {
  readonly profile: ComplianceProfile;
  /** The central Log Analytics workspace's resource id. */
  readonly workspaceId: string;
}

export interface BuiltInPolicy {
  /** The definition's name (a GUID); its id is `/providers/Microsoft.Authorization/policyDefinitions/<name>`. */
  readonly name: string;
  /** Display name, as Microsoft publishes it. */
  readonly displayName: string;
  /** Our reference id for it inside the initiative. */
  readonly referenceId: string;
  /** The definition's JSON in Microsoft's repository. */
  readonly source: string;
  /** The Microsoft Learn list it appears in. */
  readonly learn: string;
  /** The values its `effect` parameter allows, in Microsoft's order. */
  readonly allowedEffects: string[];
  /** For deployIfNotExists and modify definitions: the role definitions (GUIDs) its `roleDefinitionIds` declare. */
  readonly roleDefinitionIds?: string[];
  /** The controls it enforces. */
  readonly controls: Control[];
  /** The rule-pack rule (`KmsRule.id`) it is the deployed counterpart of, where there is one. */
  readonly ruleId?: string;
  /** What it refuses or checks, for the evidence. */
  readonly description: string;
  /** Why the effect cannot be Deny, where Deny is allowed but we audit on purpose. */
  readonly auditOnly?: string;
  /** What of its controls it leaves out, when it enforces them only in part. */
  readonly partly?: string;
  /** Resource ids in its parameters whose metadata says `assignPermissions`: the roles are assigned there too. */
  assignPermissionsOn?(ctx: BuiltInContext): string[];
  /** Whether the profile calls for it at all. */
  appliesTo?(profile: ComplianceProfile): boolean;
  /** Its parameters other than `effect`, from the profile. */
  parameters?(ctx: BuiltInContext): Record<string, unknown>;
}

const DENY = ['Audit', 'Deny', 'Disabled'];

export const BUILT_IN_POLICIES: BuiltInPolicy[] = [
  {
    name: '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53',
    displayName: 'Key vaults should have deletion protection enabled',
    referenceId: 'VaultPurgeProtection',
    source: `${SOURCE}/Key%20Vault/Recoverable_Audit.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: DELETION_CONTROLS,
    ruleId: 'CloudKms-AzureVaultDeletionProtection',
    description: 'key vaults without purge protection (or with soft delete off)',
  },
  {
    name: 'c39ba22d-4428-4149-b981-70acb31fc383',
    displayName: 'Azure Key Vault Managed HSM should have purge protection enabled',
    referenceId: 'HsmPurgeProtection',
    source: `${SOURCE}/Key%20Vault/ManagedHsm_Recoverable_Audit.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: DELETION_CONTROLS,
    description: 'Managed HSMs without purge protection or soft delete',
  },
  {
    name: '12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5',
    displayName: 'Azure Key Vault should use RBAC permission model',
    referenceId: 'VaultRbac',
    source: `${SOURCE}/Key%20Vault/Should_Use_RBAC.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: ACCESS_CONTROLS,
    ruleId: 'CloudKms-AzureVaultNetwork',
    description: 'key vaults that use access policies instead of Azure RBAC',
  },
  {
    name: '55615ac9-af46-4a59-874e-391cc3dfb490',
    displayName: 'Azure Key Vault should have firewall enabled or public network access disabled',
    referenceId: 'VaultFirewall',
    // Its IP-list parameters (restrictIPAddresses, default No) are left at their defaults.
    source: `${SOURCE}/Key%20Vault/FirewallEnabled_Audit.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: VaultNetwork.controls,
    ruleId: 'CloudKms-AzureVaultNetwork',
    description: 'key vaults reachable from any network: neither a deny-by-default firewall nor public network access disabled',
  },
  {
    name: '405c5871-3e91-4644-8a63-58e19d68ff5b',
    displayName: 'Azure Key Vault should disable public network access',
    referenceId: 'VaultPublicNetworkAccess',
    source: `${SOURCE}/Key%20Vault/PublicNetworkAccess_Audit.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: VaultNetwork.controls,
    description: 'key vaults that keep public network access (an allow list behind a deny-by-default firewall included)',
    auditOnly: 'a vault behind an allow list (VaultNetwork.allowList) keeps public network access on by design; the firewall and ' +
      'the custom network definition deny what is open to everyone, this one reports the vaults not reached through private link',
  },
  {
    name: '19ea9d63-adee-4431-a95e-1913c6c1c75f',
    displayName: '[Preview]: Azure Key Vault Managed HSM should disable public network access',
    referenceId: 'HsmPublicNetworkAccess',
    source: `${SOURCE}/Key%20Vault/ManagedHsm_FirewallEnabled_Audit.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: VaultNetwork.controls,
    description: 'Managed HSMs whose network rules do not deny by default',
  },
  {
    name: '152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0',
    displayName: 'Key Vault keys should have an expiration date',
    referenceId: 'KeyExpiration',
    source: `${SOURCE}/Key%20Vault/Keys_ExpirationSet.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: ROTATION_CONTROLS,
    description: 'Key Vault keys without an expiration date (an unbounded cryptoperiod)',
    partly: 'it requires some expiration date, not one within the profile\'s cryptoperiod',
  },
  {
    name: '1d478a74-21ba-4b9f-9d8f-8e6fced0eec5',
    displayName: '[Preview]: Azure Key Vault Managed HSM keys should have an expiration date',
    referenceId: 'HsmKeyExpiration',
    source: `${SOURCE}/Key%20Vault/ManagedHsm_Keys_ExpirationSet.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: ROTATION_CONTROLS,
    description: 'Managed HSM keys without an expiration date',
    partly: 'it requires some expiration date, not one within the profile\'s cryptoperiod',
  },
  {
    name: '587c79fe-dd04-4a5e-9d0b-f89598c7261b',
    displayName: 'Keys should be backed by a hardware security module (HSM)',
    referenceId: 'KeyHsmBacked',
    source: `${SOURCE}/Key%20Vault/Keys_HSMBacked.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: DENY,
    controls: HSM_CONTROLS,
    ruleId: 'CloudKms-AzureKeyHsm',
    description: 'Key Vault keys whose type is not RSA-HSM or EC-HSM',
    appliesTo: (profile) => profile.minimumFipsLevel === FipsLevel.LEVEL_3,
  },
  {
    name: 'd8cf8476-a2ec-4916-896e-992351803c44',
    displayName: 'Keys should have a rotation policy ensuring that their rotation is scheduled within the specified number of days after creation.',
    referenceId: 'KeyRotation',
    source: `${SOURCE}/Key%20Vault/Keys_KeyRotationPolicy_MaximumDaysToRotate.json`,
    learn: LEARN_KEY_VAULT,
    allowedEffects: ['Audit', 'Disabled'],
    controls: ROTATION_CONTROLS,
    ruleId: 'CloudKms-AzureKeyRotation',
    description: 'Key Vault keys with no rotation scheduled within the profile\'s cryptoperiod of their creation',
    parameters: ({ profile }) => ({ maximumDaysToRotate: profile.maxRotationDays }),
  },
  {
    name: '6b359d8f-f88d-4052-aa7c-32015963ecc1',
    displayName: 'Enable logging by category group for Key vaults (microsoft.keyvault/vaults) to Log Analytics',
    referenceId: 'VaultDiagnostics',
    source: `${SOURCE}/Monitoring/DS_LA_keyvault-vaults_DINE.json`,
    learn: LEARN_MONITOR,
    allowedEffects: ['DeployIfNotExists', 'AuditIfNotExists', 'Disabled'],
    roleDefinitionIds: [LOG_ANALYTICS_CONTRIBUTOR],
    assignPermissionsOn: ({ workspaceId }) => [workspaceId],
    controls: AUDIT_LOGGING_CONTROLS,
    ruleId: 'CloudKms-AzureAuditDiagnostics',
    description: 'key vaults without a diagnostic setting that sends the audit category group to the central workspace; adds one',
    parameters: ({ workspaceId }) => ({ logAnalytics: workspaceId, categoryGroup: 'audit' }),
  },
  {
    name: 'b88bfd90-4da5-43eb-936f-ae1481924291',
    displayName: 'Enable logging by category group for Managed HSMs (microsoft.keyvault/managedhsms) to Log Analytics',
    referenceId: 'HsmDiagnostics',
    source: `${SOURCE}/Monitoring/DS_LA_keyvault-managedhsms_DINE.json`,
    learn: LEARN_MONITOR,
    allowedEffects: ['DeployIfNotExists', 'AuditIfNotExists', 'Disabled'],
    roleDefinitionIds: [LOG_ANALYTICS_CONTRIBUTOR],
    assignPermissionsOn: ({ workspaceId }) => [workspaceId],
    controls: AUDIT_LOGGING_CONTROLS,
    ruleId: 'CloudKms-AzureAuditDiagnostics',
    description: 'Managed HSMs without a diagnostic setting that sends the audit category group to the central workspace; adds one',
    parameters: ({ workspaceId }) => ({ logAnalytics: workspaceId, categoryGroup: 'audit' }),
  },
];

/** A built-in definition's id. */
export function builtInPolicyId(policy: BuiltInPolicy): string {
  return `/providers/Microsoft.Authorization/policyDefinitions/${policy.name}`;
}

/**
 * The effect a definition gets: Deny where prevention is asked and Microsoft allows it (and we do not audit on purpose),
 * deployIfNotExists where the definition deploys, Audit otherwise.
 */
export function effectFor(allowedEffects: string[], preventive: boolean, auditOnly?: string): string {
  if (preventive && !auditOnly && allowedEffects.includes('Deny')) return 'Deny';
  if (allowedEffects.includes('DeployIfNotExists')) return 'DeployIfNotExists';
  if (allowedEffects.includes('Modify')) return 'Modify';
  return 'Audit';
}
