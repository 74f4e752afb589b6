/*
 * Azure organisation guardrails as one cdktf app: Azure Policy for every Key Vault, Managed HSM and key below the
 * platform's management group, with the thresholds of the PCI DSS profile, deployed from the management subscription.
 *   Part of the Azure example app (examples/out/azure, stack azure-organization-guardrails), or its own app:
 *   azureOrganizationApp().
 */
import { join } from 'path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { ComplianceProfile, Enforcement } from '../../src';
import * as azure from '../../src/azure';

/** The subscription Terraform runs in (the platform's management subscription; replace it with your own). */
export const MANAGEMENT_SUBSCRIPTION_ID = '3f6e2b1c-8a4d-4c7e-9b5f-2d1a0c9e8b7a';
/** The management group every workload subscription sits below (replace it with your own). */
export const MANAGEMENT_GROUP_ID = '/providers/Microsoft.Management/managementGroups/mg-landing-zones';
/** The central Log Analytics workspace the security team reads (replace it with your own). */
export const CENTRAL_WORKSPACE_ID = `/subscriptions/${MANAGEMENT_SUBSCRIPTION_ID}/resourceGroups/rg-security-logging/providers/` +
  'Microsoft.OperationalInsights/workspaces/law-security-central';

/**
 * The guardrails stack: PCI DSS thresholds, Deny where Microsoft allows it, the diagnostic settings deployed to the
 * central workspace, and remediation of the vaults and HSMs that exist already. Terraform needs Owner (or Resource
 * Policy Contributor and User Access Administrator) at the management group to apply it.
 */
export function organizationAzure(app: App): void {
  const stack = new TerraformStack(app, 'azure-organization-guardrails');
  new AzurermProvider(stack, 'azurerm', { subscriptionId: MANAGEMENT_SUBSCRIPTION_ID, features: [{}] });
  new azure.OrganizationGuardrails(stack, 'KeyGuardrails', {
    managementGroupId: MANAGEMENT_GROUP_ID,
    location: 'westeurope',
    profile: ComplianceProfile.PCI_DSS,
    workspaceId: CENTRAL_WORKSPACE_ID,
    enforcement: Enforcement.PREVENTIVE,
  });
}

/** The app; `outdir` defaults to what cdktf passes (CDKTF_OUTDIR), else examples/out/azure-organization. */
export function azureOrganizationApp(outdir?: string): App {
  const app = new App({ outdir: outdir ?? process.env.CDKTF_OUTDIR ?? join(__dirname, '..', 'out', 'azure-organization') });
  organizationAzure(app);
  return app;
}

type Resources = Record<string, Record<string, any>>;

/**
 * Checks on the synthesized guardrails stack, for the main job: what an auditor asks first of a policy rollout. Returns
 * the findings (empty when it is sound).
 */
export function checkOrganizationTerraform(stack: string, json: { resource?: Resources; terraform?: any }, providerVersion: string): string[] {
  const findings: string[] = [];
  const all = (type: string) => Object.entries(json.resource?.[type] ?? {});
  const pinned = json.terraform?.required_providers?.azurerm?.version;
  if (pinned !== providerVersion) findings.push(`${stack}: azurerm provider pinned to ${pinned}, expected ${providerVersion}`);
  const assignments = all('azurerm_management_group_policy_assignment');
  for (const [name, a] of assignments) {
    if (a.identity?.type !== 'SystemAssigned' || !a.location) findings.push(`${stack}: assignment ${name} has no managed identity with a location`);
    if (a.enforce === false) findings.push(`${stack}: assignment ${name} does not enforce (DoNotEnforce)`);
  }
  const sets = all('azurerm_management_group_policy_set_definition');
  const dine = sets.flatMap(([, s]) => (s.policy_definition_reference ?? [])
    .filter((r: any) => /DeployIfNotExists|Modify/.test(String(JSON.parse(r.parameter_values ?? '{}').effect?.value)))
    .map((r: any) => r.reference_id as string));
  const remediated = new Set(all('azurerm_management_group_policy_remediation').map(([, t]) => t.policy_definition_reference_id));
  for (const ref of dine.filter((r) => !remediated.has(r))) findings.push(`${stack}: deployIfNotExists ${ref} has no remediation task`);
  for (const [name, r] of all('azurerm_role_assignment')) {
    if (!/azurerm_management_group_policy_assignment\.[^.]+\.identity\[0\]\.principal_id/.test(String(r.principal_id))) {
      findings.push(`${stack}: role assignment ${name} is not for the policy assignment's identity`);
    }
  }
  if (dine.length > 0 && all('azurerm_role_assignment').length === 0) findings.push(`${stack}: deployIfNotExists definitions without roles for the identity`);
  return findings;
}
