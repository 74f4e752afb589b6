import { ManagementGroupPolicyAssignment } from '@cdktf/provider-azurerm/lib/management-group-policy-assignment';
import { ManagementGroupPolicyRemediation } from '@cdktf/provider-azurerm/lib/management-group-policy-remediation';
import { ManagementGroupPolicySetDefinition } from '@cdktf/provider-azurerm/lib/management-group-policy-set-definition';
import { PolicyDefinition } from '@cdktf/provider-azurerm/lib/policy-definition';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { OrganizationGuardrailsProps } from './organization-guardrails-props';
import { EvidenceLedger } from '../core/evidence';
import { Enforcement } from '../core/guardrails';
import { stableGuid, stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { BUILT_IN_ROLE_NAMES } from './private/policy-builtins';
import { isPreventive, parameterValuesJson, planPolicies, PlannedPolicy, remediates } from './private/policy-initiative';
import { checkOrganizationGuardrailsProps } from './private/policy-input';

export * from './organization-guardrails-props';

/** Management-group policy assignment names are at most 24 characters. */
const ASSIGNMENT_NAME_MAX = 24;
const DEFINITION_NAME_MAX = 64;

function roleName(id: string): string {
  const name = BUILT_IN_ROLE_NAMES[id];
  if (!name) throw new Error(`no name for built-in role ${id}: add it to BUILT_IN_ROLE_NAMES`);
  return name;
}

/**
 * Azure Policy for every Key Vault, Managed HSM and key below a management group, which no subscription owner can
 * switch off: custom definitions generated from the Azure rule pack, Microsoft's built-in Key Vault and Managed HSM
 * definitions that match the profile (purge protection, RBAC, firewall and public access, key expiration, HSM-backed
 * keys, rotation within the profile's period, audit diagnostic settings to the central workspace), gathered in one
 * initiative with the profile's parameters, assigned at the management group with a system-assigned managed identity,
 * the roles its deployIfNotExists definitions declare, and remediation tasks for the resources that exist already.
 *
 * Who could get around it: a subscription Owner below the management group cannot edit or delete the assignment (that
 * needs write access at the management group), but Owner includes `Microsoft.Authorization/policyExemptions/write`, so
 * they can exempt their own subscription; each guardrail's evidence says so. Keep the Owner role at subscriptions to
 * break-glass accounts under PIM, or watch exemptions with an Activity Log alert.
 */
export class OrganizationGuardrails extends Construct {
  public readonly profile: ComplianceProfile;
  /** `PREVENTIVE` (deny where allowed) or `DETECTIVE` (audit only). */
  public readonly enforcement: Enforcement;
  /** The custom definitions generated from the rule pack, by name. */
  public readonly customDefinitions: { [name: string]: PolicyDefinition } = {};
  public readonly initiative: ManagementGroupPolicySetDefinition;
  public readonly assignment: ManagementGroupPolicyAssignment;
  /** The roles of the assignment's identity, for the deployIfNotExists definitions. */
  public readonly roleAssignments: RoleAssignment[] = [];
  /** One remediation task per deployIfNotExists or modify definition, by its reference id. */
  public readonly remediations: { [referenceId: string]: ManagementGroupPolicyRemediation } = {};
  /** The effect each definition of the initiative got, by its reference id. */
  public readonly effects: { [referenceId: string]: string } = {};

  private readonly managementGroupId: string;
  private readonly policies: PlannedPolicy[];

  constructor(scope: Construct, id: string, props: OrganizationGuardrailsProps) {
    super(scope, id);
    const preventive = checkOrganizationGuardrailsProps(props);
    this.profile = props.profile;
    this.enforcement = preventive ? Enforcement.PREVENTIVE : Enforcement.DETECTIVE;
    this.managementGroupId = props.managementGroupId;
    this.policies = planPolicies({ profile: props.profile, workspaceId: props.workspaceId }, preventive);
    for (const p of this.policies) this.effects[p.referenceId] = p.effect;

    this.createCustomDefinitions();
    this.initiative = this.createInitiative();
    this.assignment = this.createAssignment(props.location);
    this.grantRemediationRoles();
    if (props.remediateExisting ?? true) this.createRemediations();
    this.recordEvidence();
  }

  private createCustomDefinitions(): void {
    for (const { custom } of this.policies) {
      if (!custom) continue;
      this.customDefinitions[custom.name] = new PolicyDefinition(this, `Definition-${custom.name}`, {
        name: stableName(this, `${custom.name}-`, DEFINITION_NAME_MAX),
        policyType: 'Custom',
        mode: custom.mode,
        managementGroupId: this.managementGroupId,
        displayName: custom.displayName,
        description: custom.description,
        metadata: JSON.stringify({ category: 'Key Vault', source: 'cloud-kms-constructs', ruleId: custom.ruleId }),
        parameters: JSON.stringify(custom.parameters),
        policyRule: JSON.stringify(custom.policyRule),
      });
    }
  }

  private createInitiative(): ManagementGroupPolicySetDefinition {
    return new ManagementGroupPolicySetDefinition(this, 'Initiative', {
      name: stableName(this, 'cloudkms-keys-', DEFINITION_NAME_MAX),
      policyType: 'Custom',
      managementGroupId: this.managementGroupId,
      displayName: `Cloud KMS key guardrails (${this.profile.name})`,
      description: `Key Vault and Managed HSM guardrails with the thresholds of compliance profile ${this.profile.name}: ` +
        `deletion window ${this.profile.minDeletionWindowDays} days, rotation within ${this.profile.maxRotationDays} days, ` +
        `FIPS 140 ${this.profile.minimumFipsLevel}.`,
      metadata: JSON.stringify({ category: 'Key Vault', source: 'cloud-kms-constructs', profile: this.profile.name }),
      policyDefinitionReference: this.policies.map((p) => ({
        referenceId: p.referenceId,
        policyDefinitionId: p.builtInId ?? this.customDefinitions[p.custom!.name].id,
        parameterValues: parameterValuesJson(p.parameterValues),
      })),
    });
  }

  private createAssignment(location: string): ManagementGroupPolicyAssignment {
    return new ManagementGroupPolicyAssignment(this, 'Assignment', {
      name: stableName(this, 'cloudkms-', ASSIGNMENT_NAME_MAX),
      managementGroupId: this.managementGroupId,
      policyDefinitionId: this.initiative.id,
      displayName: `Cloud KMS key guardrails (${this.profile.name})`,
      description: `Assigns the Cloud KMS key guardrails of profile ${this.profile.name} to every subscription below the management group.`,
      // Default enforcement: Deny refuses and deployIfNotExists deploys (DoNotEnforce would only report).
      enforce: true,
      location,
      identity: { type: 'SystemAssigned' },
      nonComplianceMessage: [{
        content: `Refused or reported by the Cloud KMS key guardrails (profile ${this.profile.name}); see the compliance report for the rule.`,
      }],
    });
  }

  /**
   * The roles the deployIfNotExists definitions declare (`roleDefinitionIds`), for the assignment's identity, at the
   * management group and on the resources their parameters mark `assignPermissions` (the central workspace).
   * https://learn.microsoft.com/azure/governance/policy/how-to/remediate-resources#configure-the-managed-identity
   */
  private grantRemediationRoles(): void {
    const grants = new Map<string, { scope: string; role: string }>();
    for (const p of this.policies) {
      for (const role of p.roleDefinitionIds) {
        for (const scope of [this.managementGroupId, ...p.roleScopes]) grants.set(`${scope}|${role}`, { scope, role });
      }
    }
    let n = 0;
    for (const { scope, role } of grants.values()) {
      this.roleAssignments.push(new RoleAssignment(this, `RemediationRole${n++}`, {
        name: stableGuid(this.node.path, scope, role),
        scope,
        roleDefinitionName: roleName(role),
        principalId: this.assignment.identity.principalId,
        principalType: 'ServicePrincipal',
        description: 'The Cloud KMS key guardrails\' remediation identity (deployIfNotExists diagnostic settings).',
      }));
    }
  }

  private createRemediations(): void {
    for (const p of this.policies.filter((x) => remediates(x.effect))) {
      this.remediations[p.referenceId] = new ManagementGroupPolicyRemediation(this, `Remediation-${p.referenceId}`, {
        name: stableName(this, `${p.referenceId.toLowerCase()}-`, DEFINITION_NAME_MAX),
        managementGroupId: this.managementGroupId,
        policyAssignmentId: this.assignment.id,
        policyDefinitionReferenceId: p.referenceId,
        // The deployment fails without the identity's roles, so the task waits for them.
        dependsOn: this.roleAssignments,
      });
    }
  }

  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    const stack = TerraformStack.of(this).node.path;
    const exemptions = 'A subscription Owner below the management group cannot change the assignment, but can exempt their ' +
      'subscription (policyExemptions/write is part of Owner): partial against an Owner.';
    for (const p of this.policies) {
      const preventive = isPreventive(p.effect);
      const verb = preventive ? 'Refuses' : remediates(p.effect) ? 'Reports and deploys the missing setting for' : 'Reports';
      ledger.registerGuardrail({
        path: p.custom ? this.customDefinitions[p.custom.name].node.path : this.initiative.node.path,
        stack,
        cloud: 'azure',
        enforcement: preventive ? Enforcement.PREVENTIVE : Enforcement.DETECTIVE,
        mechanism: `Azure Policy (${p.effect}) at a management group`,
        name: p.custom ? p.custom.name : `${p.referenceId} (${p.builtInId})`,
        description: `${verb} ${p.description.replace(/\.$/, '')}; ${p.displayName}, from ${p.source}.` +
          (p.auditOnly ? ` Audit on purpose: ${p.auditOnly}.` : '') + ` ${exemptions}`,
        controls: p.controls,
        targets: [this.managementGroupId],
        profile: this.profile.name,
        // Whoever can write policy exemptions below the management group (a subscription or resource group Owner, a
        // Resource Policy Contributor) can set any assignment aside for their scope.
        partial: `a subscription or resource group Owner (or Resource Policy Contributor) below ${this.managementGroupId} can exempt ` +
          `their scope from the assignment (Microsoft.Authorization/policyExemptions/write)${p.partly ? `; ${p.partly}` : ''}`,
      });
    }
  }
}
