import { Control } from '../../../../core/controls';
import { ComplianceProfile } from '../../../../core/profile';
import { VaultDeletionProtection } from '../vault-deletion-protection';
import { VaultNetwork } from '../vault-network';

/*
 * Azure Policy definitions generated from the Azure rule pack: the rule that judged the Terraform JSON keeps judging
 * the deployed vault. Each definition reads the same settings as its rule, through the Azure Policy aliases of
 * Microsoft.KeyVault/vaults (the ones Microsoft's own built-ins use), and takes its thresholds from the profile.
 *
 * Only rules on management-plane resources have a custom counterpart: custom definitions cannot use the Resource
 * Provider modes (Microsoft.KeyVault.Data, Microsoft.ManagedHSM.Data) that keys are judged in; Microsoft's built-ins
 * cover those (src/azure/private/policy-builtins.ts).
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#resource-provider-modes
 * Plain JSON: this module imports neither cdktf nor aws-cdk-lib, so the Azure entry point stays light.
 */

/** The effects our custom definitions allow; the assignment picks Deny (preventive) or Audit (detective). */
export const CUSTOM_POLICY_EFFECTS = ['Audit', 'Deny', 'Disabled'];

/** Key Vault's longest soft-delete retention: a profile asking for more cannot be met by any vault. */
export const KEY_VAULT_MAX_SOFT_DELETE_DAYS = 90;

/** One custom Azure Policy definition, as Azure takes it (parameters and policyRule are the JSON of its properties). */
export interface AzureCustomPolicy {
  /** Resource name of the definition (unique in the management group). */
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** `Indexed`: only resources that carry tags and a location, which vaults do. */
  readonly mode: string;
  /** The rule-pack rule it mirrors (`KmsRule.id`). */
  readonly ruleId: string;
  /** The controls it enforces: the rule's own. */
  readonly controls: Control[];
  /** Parameter declarations (`properties.parameters`), `effect` among them. */
  readonly parameters: Record<string, any>;
  /** `properties.policyRule`. */
  readonly policyRule: Record<string, any>;
  /** Values for its parameters other than `effect`, from the profile. */
  readonly parameterValues: Record<string, any>;
}

const EFFECT_PARAMETER = {
  type: 'String',
  allowedValues: CUSTOM_POLICY_EFFECTS,
  defaultValue: 'Audit',
  metadata: { displayName: 'Effect', description: 'Deny refuses a non-compliant vault; Audit reports it; Disabled turns the policy off.' },
};

const VAULT = { field: 'type', equals: 'Microsoft.KeyVault/vaults' };
/** A vault being recovered from soft delete keeps its old settings; Microsoft's Key Vault built-ins exempt it too. */
const NOT_RECOVERING = { field: 'Microsoft.KeyVault/vaults/createMode', notEquals: 'recover' };

/** VaultDeletionProtection: purge protection on, soft-delete retention at least the profile's deletion window. */
function vaultDeletionProtection(profile: ComplianceProfile): AzureCustomPolicy {
  return {
    name: 'cloudkms-vault-deletion-protection',
    displayName: 'Key vaults have purge protection and a soft-delete retention of at least the deletion window',
    description: `${VaultDeletionProtection.description} (rule ${VaultDeletionProtection.id}, generated from the Cloud KMS rule pack).`,
    mode: 'Indexed',
    ruleId: VaultDeletionProtection.id,
    controls: VaultDeletionProtection.controls,
    parameters: {
      effect: EFFECT_PARAMETER,
      minimumSoftDeleteRetentionDays: {
        type: 'Integer',
        metadata: { displayName: 'Minimum soft-delete retention (days)', description: 'The profile\'s minimum deletion window.' },
      },
    },
    policyRule: {
      if: {
        allOf: [VAULT, NOT_RECOVERING, {
          anyOf: [
            { field: 'Microsoft.KeyVault/vaults/enablePurgeProtection', notEquals: 'true' },
            // An absent retention is Key Vault's default, 90 days (the rule pack reads it the same way). The alias is an
            // integer, compared with the Integer parameter; booleans are compared with 'true' as Microsoft's Managed HSM
            // purge-protection built-in does (c39ba22d).
            // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-alias
            {
              allOf: [
                { field: 'Microsoft.KeyVault/vaults/softDeleteRetentionInDays', exists: true },
                { field: 'Microsoft.KeyVault/vaults/softDeleteRetentionInDays', less: '[parameters(\'minimumSoftDeleteRetentionDays\')]' },
              ],
            },
          ],
        }],
      },
      then: { effect: '[parameters(\'effect\')]' },
    },
    parameterValues: { minimumSoftDeleteRetentionDays: profile.minDeletionWindowDays },
  };
}

/** VaultNetwork: public access disabled or a deny-by-default firewall, and RBAC authorization. */
function vaultNetwork(): AzureCustomPolicy {
  return {
    name: 'cloudkms-vault-network',
    displayName: 'Key vaults are private (public access off or deny-by-default firewall) and use RBAC authorization',
    description: `${VaultNetwork.description} (rule ${VaultNetwork.id}, generated from the Cloud KMS rule pack).`,
    mode: 'Indexed',
    ruleId: VaultNetwork.id,
    controls: VaultNetwork.controls,
    parameters: { effect: EFFECT_PARAMETER },
    policyRule: {
      if: {
        allOf: [VAULT, NOT_RECOVERING, {
          anyOf: [
            {
              allOf: [
                { field: 'Microsoft.KeyVault/vaults/publicNetworkAccess', notEquals: 'Disabled' },
                { field: 'Microsoft.KeyVault/vaults/networkAcls.defaultAction', notEquals: 'Deny' },
              ],
            },
            { field: 'Microsoft.KeyVault/vaults/enableRbacAuthorization', notEquals: 'true' },
          ],
        }],
      },
      then: { effect: '[parameters(\'effect\')]' },
    },
    parameterValues: {},
  };
}

/** The custom definitions for a profile, one per rule-pack rule that has a custom counterpart. */
export function azureCustomPolicies(profile: ComplianceProfile): AzureCustomPolicy[] {
  return [vaultDeletionProtection(profile), vaultNetwork()];
}

/**
 * Rule-pack rules with no custom definition, and why. A rule a built-in definition covers says so here too; the
 * built-in table (src/azure/private/policy-builtins.ts) names the definitions by the rule id.
 */
export const AZURE_RULES_WITHOUT_CUSTOM_POLICY: Record<string, string> = {
  'CloudKms-AzureKeyRotation': 'keys are data-plane objects (mode Microsoft.KeyVault.Data), which only built-in definitions can judge: ' +
    'covered by the built-in rotation-policy definition (audit only, as Microsoft allows no deny for it)',
  'CloudKms-AzureKeyHsm': 'keys are data-plane objects (mode Microsoft.KeyVault.Data), which only built-in definitions can judge: ' +
    'covered by the built-in HSM-backed keys definition where the profile requires FIPS 140 Level 3',
  'CloudKms-AzureKeyAlgorithm': 'keys are data-plane objects (mode Microsoft.KeyVault.Data), which only built-in definitions can judge, ' +
    'and no built-in definition is assigned for the profile\'s algorithm families: the rule pack judges the Terraform at synthesis',
  'CloudKms-AzureAuditDiagnostics': 'covered by the built-in deployIfNotExists definitions that add the AuditEvent diagnostic setting to ' +
    'the central workspace; whether the audit storage is write-once is a fact of the audit sink, not of each vault, and stays with the rule pack',
  'CloudKms-AzureRoleSeparation': 'Azure Policy judges one resource at a time: a conflict between two role assignments of one principal ' +
    'is invisible to it; the rule pack and the access matrix keep judging it at synthesis',
  'CloudKms-AzureDualControl': 'the PIM activation rules (role management policies) are Microsoft Entra settings, not Azure resources ' +
    'that Azure Policy evaluates',
  'CloudKms-AzureResidency': 'an allowed-locations policy judges the region a resource is created in, but not the paired region ' +
    'Key Vault replicates every vault to (which customers cannot turn off) nor where a GRS storage account copies its data: the rule ' +
    'pack judges both from the region pairs table at synthesis',
  'CloudKms-AzureNoKeyMaterialInOutputs': 'a fact of the Terraform configuration (outputs, variable defaults), with no deployed resource to judge',
};
