import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { checkTerraform, TerraformJson } from '../../examples/azure/check';
import { azureApp } from '../../examples/azure/main';

const outdir = mkdtempSync(join(tmpdir(), 'azure-examples-'));
azureApp(outdir).synth();
const stackJson = (name: string): any => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
const STACKS = ['azure-provider-managed', 'azure-customer-managed', 'azure-byok', 'azure-hyok', 'azure-saas-tenants'];
/** The organisation guardrails (examples/organization/azure.ts): no keys, checked by their own checks. */
const ORGANIZATION_STACKS = ['azure-organization-guardrails'];

test('the example app synthesizes in the cdktf.out layout, one stack per model and the organisation guardrails', () => {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  expect(Object.keys(manifest.stacks).sort()).toEqual([...STACKS, ...ORGANIZATION_STACKS].sort());
  const cdktfJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'azure', 'cdktf.json'), 'utf8'));
  expect(cdktfJson).toMatchObject({ language: 'typescript', output: '../out/azure' });
});

test.each(STACKS)('%s passes the Terraform checks', (name) => {
  const summary = checkTerraform(name, stackJson(name), '4.55.0');
  expect(summary.findings).toEqual([]);
  // The SaaS stack has a shard vault and a pool vault; every other stack one vault or Managed HSM.
  const stores = name === 'azure-saas-tenants' ? 2 : 1;
  expect(summary.vaults + summary.hsms).toBe(stores);
  // Every vault and HSM is audited: the provider-managed stack (COMMERCIAL, no sink given) by the stack's default sink.
  expect(summary.audited).toBe(stores);
});

describe('the checks catch what they claim to', () => {
  const findings = (name: string, mutate: (json: any) => void, version = '4.55.0') => {
    const json = stackJson(name);
    mutate(json);
    return checkTerraform(name, json as TerraformJson, version).findings;
  };
  const first = (json: any, type: string) => Object.values(json.resource[type])[0] as any;

  test.each<[string, string, (json: any) => void, RegExp]>([
    ['a vault without purge protection', 'azure-customer-managed', (j) => { first(j, 'azurerm_key_vault').purge_protection_enabled = false; }, /without purge protection/],
    ['a vault with access policies', 'azure-customer-managed', (j) => { first(j, 'azurerm_key_vault').rbac_authorization_enabled = false; }, /access policies/],
    ['a vault open to the internet', 'azure-byok', (j) => {
      const v = first(j, 'azurerm_key_vault');
      v.public_network_access_enabled = true;
      v.network_acls.default_action = 'Allow';
    }, /open to the internet/],
    ['a key that never expires', 'azure-customer-managed', (j) => { delete first(j, 'azurerm_key_vault_key').expiration_date; }, /never expires/],
    ['a vault without an AuditEvent diagnostic setting', 'azure-provider-managed', (j) => { delete j.resource.azurerm_monitor_diagnostic_setting; },
      /azurerm_key_vault\..* has no AuditEvent diagnostic setting/],
    ['a key without rotation', 'azure-provider-managed', (j) => { delete first(j, 'azurerm_key_vault_key').rotation_policy; }, /no rotation policy/],
    ['a Managed HSM key without rotation', 'azure-hyok', (j) => {
      const policies = j.resource.azurerm_key_vault_managed_hardware_security_module_key_rotation_policy;
      delete policies[Object.keys(policies).find((n) => n.includes('TenantA'))!];
    }, /key .*TenantA.* has no rotation policy/],
    ['a role assigned on the subscription', 'azure-customer-managed', (j) => {
      first(j, 'azurerm_role_assignment').scope = '/subscriptions/00000000-0000-0000-0000-000000000000';
    }, /scoped to \/subscriptions\/0{8}.*wider than one vault/],
    ['a role assigned on the resource group', 'azure-byok', (j) => { first(j, 'azurerm_role_assignment').scope = '${azurerm_resource_group.Group.id}'; },
      /wider than one vault/],
    ['an administrator role that can decrypt', 'azure-customer-managed', (j) => {
      const role = Object.values(j.resource.azurerm_role_definition).find((d: any) => /key administrator/.test(d.name)) as any;
      role.permissions[0].data_actions.push('Microsoft.KeyVault/vaults/keys/decrypt/action');
    }, /administrator role .* can use keys: Microsoft.KeyVault\/vaults\/keys\/decrypt\/action/],
    ['an HSM administrator role that can unwrap', 'azure-hyok', (j) => {
      const role = Object.values(j.resource.azurerm_key_vault_managed_hardware_security_module_role_definition)
        .find((d: any) => /key administrator/.test(d.role_name)) as any;
      role.permission[0].data_actions.push('Microsoft.KeyVault/managedHsm/keys/unwrap/action');
    }, /can use keys: Microsoft.KeyVault\/managedHsm\/keys\/unwrap\/action/],
    ['an HSM role over the whole HSM', 'azure-hyok', (j) => { first(j, 'azurerm_key_vault_managed_hardware_security_module_role_assignment').scope = '/'; },
      /covers the whole HSM/],
    ['a vault behind a private endpoint without a DNS zone group', 'azure-customer-managed', (j) => {
      delete first(j, 'azurerm_private_endpoint').private_dns_zone_group;
    }, /vault .* is out of Terraform's reach: no private endpoint with a DNS zone group and no allow list/],
    ['a vault closed to every network', 'azure-provider-managed', (j) => {
      const v = first(j, 'azurerm_key_vault');
      v.public_network_access_enabled = false;
    }, /vault .* is out of Terraform's reach/],
    ['a Managed HSM without a private endpoint', 'azure-hyok', (j) => { delete j.resource.azurerm_private_endpoint; },
      /Managed HSM .* is out of Terraform's reach: no private endpoint with a DNS zone group/],
    ['a Managed HSM without a security domain', 'azure-hyok', (j) => {
      first(j, 'azurerm_key_vault_managed_hardware_security_module').security_domain_key_vault_certificate_ids = [];
    }, /without a customer-held security domain/],
  ])('%s', (_what, stack, mutate, message) => {
    expect(findings(stack, mutate)).toEqual([expect.stringMatching(message)]);
  });

  test('a different provider version', () => {
    expect(findings('azure-hyok', () => undefined, '4.56.0')).toEqual(['azure-hyok: azurerm provider pinned to 4.55.0, expected 4.56.0']);
  });
});
