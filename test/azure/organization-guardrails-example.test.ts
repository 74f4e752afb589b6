/*
 * The Azure organisation example (examples/organization/azure.ts) synthesizes, and its check finds nothing; the check
 * itself is shown to find a missing remediation task.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { azureOrganizationApp, checkOrganizationTerraform } from '../../examples/organization/azure';

const AZURERM_VERSION = '4.55.0';

test('the Azure organisation app synthesizes a guardrails stack its check finds sound', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'azure-org-'));
  try {
    azureOrganizationApp(outdir).synth();
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', 'azure-organization-guardrails', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(json.resource.azurerm_management_group_policy_assignment)).toHaveLength(1);
    expect(checkOrganizationTerraform('azure-organization-guardrails', json, AZURERM_VERSION)).toEqual([]);
    delete json.resource.azurerm_management_group_policy_remediation;
    expect(checkOrganizationTerraform('azure-organization-guardrails', json, AZURERM_VERSION)).toEqual([
      'azure-organization-guardrails: deployIfNotExists VaultDiagnostics has no remediation task',
      'azure-organization-guardrails: deployIfNotExists HsmDiagnostics has no remediation task',
    ]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
