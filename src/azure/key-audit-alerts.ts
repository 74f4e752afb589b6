/**
 * One alert rule on the Key Vault / Managed HSM `AuditEvent` stream. With `log_analytics_destination_type = Dedicated`
 * both vaults and Managed HSMs write it to the resource-specific table `AZKVAuditLogs`.
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-vaults-logs
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-managedhsms-logs
 */
export interface KeyAuditAlert {
  /** Construct id and name suffix of the rule. */
  readonly id: string;
  /** What fires it. */
  readonly description: string;
  /** Operation names it matches exactly (the `OperationName` column). */
  readonly operations: string[];
  /** Operation-name fragments it matches (`contains`), for Managed HSM operations the logging page does not list by name. */
  readonly operationFragments?: string[];
  /** Azure Monitor severity, 0 (critical) to 4. */
  readonly severity: number;
}

/**
 * Key Vault `AuditEvent` operation names, from "Azure Key Vault logging", operation names table (keys):
 * https://learn.microsoft.com/azure/key-vault/general/logging#operation-names-table . Managed HSM logs the same
 * key operation names (https://learn.microsoft.com/azure/key-vault/managed-hsm/logging). Every attempt counts, failed
 * or not: a refused KeyPurge is as telling as a successful one.
 */
export const KEY_AUDIT_ALERTS: KeyAuditAlert[] = [
  { id: 'KeyDestruction', description: 'a key was deleted or purged (or someone tried)', operations: ['KeyDelete', 'KeyPurge'], severity: 1 },
  // The log records the update, not the attribute it set: every KeyUpdate alerts, disabling (enabled=false) among them.
  { id: 'KeyUpdate', description: 'a key\'s attributes were updated (disable, expiry, permitted operations)', operations: ['KeyUpdate'], severity: 1 },
  { id: 'RotationPolicyChange', description: 'a key rotation policy was set or changed', operations: ['KeyRotationPolicySet'], severity: 2 },
  { id: 'KeyImport', description: 'key material was imported', operations: ['KeyImport'], severity: 1 },
  {
    id: 'BackupRestore',
    description: 'a key was backed up or restored (a backup restores into any vault of the subscription), or a Managed HSM full backup or restore ran',
    operations: ['KeyBackup', 'KeyRestore'],
    operationFragments: ['Backup', 'Restore'],
    severity: 1,
  },
  {
    id: 'HsmAccessChange',
    description: 'a Managed HSM local role assignment or role definition was written or deleted, or its security domain was touched',
    operations: [],
    // Managed HSM local RBAC and security-domain calls are data-plane operations logged in AuditEvent; matched by name
    // fragment, reads (Get, List) excluded.
    operationFragments: ['RoleAssignment', 'RoleDefinition', 'SecurityDomain'],
    severity: 1,
  },
];
