import { Enforcement } from '../core/guardrails';
import { ComplianceProfile } from '../core/profile';

/**
 * Properties of an Azure `OrganizationGuardrails`: Azure Policy for every Key Vault and Managed HSM below a management
 * group.
 */
export interface OrganizationGuardrailsProps {
  /**
   * The management group the definitions, the initiative and the assignment live at, as its resource id
   * (`/providers/Microsoft.Management/managementGroups/<name>`). Every subscription below it inherits the assignment;
   * their owners cannot change or delete it (that needs write access at the management group).
   * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/management_group_policy_assignment
   */
  readonly managementGroupId: string;

  /**
   * Region of the assignment's system-assigned managed identity (the identity the deployIfNotExists remediation runs as).
   * @see https://learn.microsoft.com/azure/governance/policy/how-to/remediate-resources
   */
  readonly location: string;

  /** The profile whose thresholds the policies carry: deletion window, rotation period, FIPS level. */
  readonly profile: ComplianceProfile;

  /**
   * Resource id of the central Log Analytics workspace every vault's and Managed HSM's audit logs are sent to by the
   * deployIfNotExists diagnostic-settings policies (`/subscriptions/.../providers/Microsoft.OperationalInsights/workspaces/<name>`).
   */
  readonly workspaceId: string;

  /**
   * `PREVENTIVE`: a definition that allows the Deny effect refuses the non-compliant vault, HSM or key at creation or
   * update; `DETECTIVE`: every definition only audits (for a first rollout over existing estates). Definitions that
   * Microsoft allows no Deny for (rotation policy) audit, and the diagnostic settings deploy, either way.
   * @default Enforcement.PREVENTIVE
   */
  readonly enforcement?: Enforcement;

  /**
   * Whether to start a remediation task for each deployIfNotExists definition, which brings the vaults and HSMs that
   * exist before the assignment into line (new ones are handled when they are created or updated).
   * @default true
   */
  readonly remediateExisting?: boolean;
}
