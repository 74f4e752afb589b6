/** Azure roles that administer keys, and roles that use them. */
export const ADMIN_ROLES = ['Key Vault Administrator', 'Key Vault Crypto Officer', 'Owner', 'Contributor', 'Managed HSM Crypto Officer'];
export const USE_ROLES = ['Key Vault Crypto User', 'Key Vault Crypto Service Encryption User', 'Managed HSM Crypto User'];

/** Whether a role assignment grants an administrator role (built in, or our custom key-administrator role). */
export function isAdminAssignment(body: any): boolean {
  return ADMIN_ROLES.includes(body.role_definition_name) || /azurerm_role_definition\.[^.]*KeyAdministratorRole/.test(String(body.role_definition_id ?? ''));
}

export function isUseAssignment(body: any): boolean {
  return USE_ROLES.includes(body.role_definition_name);
}
