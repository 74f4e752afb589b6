/*
 * Checks on synthesized Terraform JSON for the Azure examples: what `terraform validate` cannot tell, and what an
 * auditor asks first. There is no Terraform binary here, so the JSON is what we check.
 */

type Resources = Record<string, Record<string, any>>;
export interface TerraformJson {
  readonly terraform?: { required_providers?: Record<string, { version?: string }> };
  readonly resource?: Resources;
  readonly data?: Resources;
}

/** Data actions that use or hand out key material: never in an administrator's role. */
const CRYPTO = /\/keys\/(encrypt|decrypt|wrap|unwrap|sign|verify|release|import)\/action$/;
/** What a role assignment may be scoped to: one vault, one key, the audit workspace or storage, never wider. */
const NARROW_SCOPE = /^\$\{(data\.)?azurerm_(key_vault|key_vault_key|log_analytics_workspace|storage_account)\.[^}]+\.(id|resource_versionless_id)\}$/;

export interface TerraformSummary {
  readonly resources: number;
  readonly vaults: number;
  readonly hsms: number;
  readonly keys: number;
  readonly audited: number;
  readonly roleAssignments: number;
  readonly findings: string[];
}

export function checkTerraform(stack: string, json: TerraformJson, providerVersion: string): TerraformSummary {
  const findings: string[] = [];
  const r = json.resource ?? {};
  const all = (type: string) => Object.entries(r[type] ?? {});
  const pinned = json.terraform?.required_providers?.azurerm?.version;
  if (pinned !== providerVersion) findings.push(`${stack}: azurerm provider pinned to ${pinned}, expected ${providerVersion}`);

  // A store Terraform can reach: an allow list it can be in, or a private endpoint whose DNS zone group makes the name
  // resolve to it (without the zone group the name resolves publicly, and public access is off).
  const endpoints = all('azurerm_private_endpoint');
  const privatelyReached = (ref: string, subresource: string) => endpoints.some(([, pe]) =>
    String(pe.private_service_connection?.private_connection_resource_id).includes(ref)
    && (pe.private_service_connection?.subresource_names ?? []).includes(subresource)
    && (pe.private_dns_zone_group?.private_dns_zone_ids ?? []).length > 0);
  const vaults = all('azurerm_key_vault');
  for (const [name, v] of vaults) {
    const allowList = (v.network_acls?.ip_rules ?? []).length + (v.network_acls?.virtual_network_subnet_ids ?? []).length > 0;
    if (v.public_network_access_enabled === false ? !privatelyReached(`azurerm_key_vault.${name}.id`, 'vault') : !allowList) {
      findings.push(`${stack}: vault ${name} is out of Terraform's reach: no private endpoint with a DNS zone group and no allow list`);
    }
    if (v.purge_protection_enabled !== true) findings.push(`${stack}: vault ${name} without purge protection`);
    if (v.rbac_authorization_enabled !== true) findings.push(`${stack}: vault ${name} uses access policies, not RBAC`);
    if (v.public_network_access_enabled !== false && v.network_acls?.default_action !== 'Deny') {
      findings.push(`${stack}: vault ${name} is open to the internet`);
    }
  }
  const hsms = all('azurerm_key_vault_managed_hardware_security_module');
  for (const [name, h] of hsms) {
    if (!privatelyReached(`azurerm_key_vault_managed_hardware_security_module.${name}.id`, 'managedhsm')) {
      findings.push(`${stack}: Managed HSM ${name} is out of Terraform's reach: no private endpoint with a DNS zone group`);
    }
    if ((h.security_domain_key_vault_certificate_ids ?? []).length < 3) findings.push(`${stack}: Managed HSM ${name} without a customer-held security domain`);
  }
  const keys = [...all('azurerm_key_vault_key'), ...all('azurerm_key_vault_managed_hardware_security_module_key')];
  const rotated = new Set(all('azurerm_key_vault_managed_hardware_security_module_key_rotation_policy').map(([, p]) => p.managed_hsm_key_id));
  for (const [name, k] of keys) {
    if (!k.expiration_date) findings.push(`${stack}: key ${name} never expires`);
    const hsmKeyRef = `\${azurerm_key_vault_managed_hardware_security_module_key.${name}.id}`;
    if (!k.rotation_policy && !rotated.has(hsmKeyRef)) findings.push(`${stack}: key ${name} has no rotation policy`);
  }
  const targets = new Set(all('azurerm_monitor_diagnostic_setting')
    .filter(([, d]) => (d.enabled_log ?? []).some((l: any) => l.category_group === 'audit' || l.category_group === 'allLogs'))
    .map(([, d]) => d.target_resource_id));
  const stores = [...vaults.map(([n]) => `\${azurerm_key_vault.${n}.id}`), ...hsms.map(([n]) => `\${azurerm_key_vault_managed_hardware_security_module.${n}.id}`)];
  // CIS Azure: logging for Key Vault enabled. Every vault and HSM the library makes is audited unless opted out.
  for (const id of stores.filter((s) => !targets.has(s))) findings.push(`${stack}: ${id} has no AuditEvent diagnostic setting`);
  const audited = stores.filter((id) => targets.has(id)).length;

  const assignments = all('azurerm_role_assignment');
  for (const [name, a] of assignments) {
    if (!NARROW_SCOPE.test(a.scope)) findings.push(`${stack}: role assignment ${name} is scoped to ${a.scope}, wider than one vault, key or log store`);
  }
  const adminRoles = [
    ...all('azurerm_role_definition').filter(([, d]) => /key administrator/.test(d.name)).map(([n, d]) => [n, d.permissions] as const),
    ...all('azurerm_key_vault_managed_hardware_security_module_role_definition').filter(([, d]) => /key administrator/.test(d.role_name))
      .map(([n, d]) => [n, d.permission] as const),
  ];
  for (const [name, permissions] of adminRoles) {
    const crypto = (permissions ?? []).flatMap((p: any) => p.data_actions ?? []).filter((a: string) => CRYPTO.test(a));
    if (crypto.length > 0) findings.push(`${stack}: administrator role ${name} can use keys: ${crypto.join(', ')}`);
  }
  const hsmAssignments = all('azurerm_key_vault_managed_hardware_security_module_role_assignment');
  for (const [name, a] of hsmAssignments) {
    if (a.scope === '/') findings.push(`${stack}: Managed HSM role assignment ${name} covers the whole HSM`);
  }
  return {
    resources: Object.values(r).reduce((n, byName) => n + Object.keys(byName).length, 0),
    vaults: vaults.length,
    hsms: hsms.length,
    keys: keys.length,
    audited,
    roleAssignments: assignments.length + hsmAssignments.length,
    findings,
  };
}
