import { AUDIT_LOG_CONTROLS } from '../controls';
import { finding, KmsRule, tfResources } from '../rule';

/**
 * Every vault and Managed HSM sends its audit events to a diagnostic setting, where the profile requires an audit sink,
 * and where it requires immutable audit, the logs land in a container under a locked immutability policy.
 */
export const AuditDiagnostics: KmsRule = {
  id: 'CloudKms-AzureAuditDiagnostics',
  cloud: 'azure',
  description: 'every vault and Managed HSM sends AuditEvent logs to a diagnostic setting, into write-once storage where the profile requires it',
  controls: AUDIT_LOG_CONTROLS,
  evaluate(json, { profile }) {
    const stores = tfResources(json, 'azurerm_key_vault', 'azurerm_key_vault_managed_hardware_security_module');
    if (stores.length === 0 || !profile.auditSinkRequired) {
      return [finding(this.id, 'configuration', undefined, stores.length === 0 ? 'no vaults' : `profile ${profile.name} requires no audit sink`)];
    }
    const settings = tfResources(json, 'azurerm_monitor_diagnostic_setting');
    const locked = tfResources(json, 'azurerm_storage_container_immutability_policy').some(([, p]) => p.locked === true);
    return stores.map(([name]) => {
      const sent = settings.some(([, s]) => String(s.target_resource_id).includes(`${name}.id`) && /AuditEvent|"category_group":"(audit|allLogs)"/.test(JSON.stringify(s)));
      const ok = sent && (!profile.immutableAuditRequired || locked);
      return finding(this.id, name, ok, !sent ? 'no diagnostic setting sends its AuditEvent logs anywhere'
        : ok ? 'AuditEvent logs go to a diagnostic setting' : 'the audit logs are not write-once (no locked container immutability policy)');
    });
  },
};
