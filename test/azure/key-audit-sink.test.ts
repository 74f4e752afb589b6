import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import { Period } from '../../src/core';
import { azureCmk, azureStack, ids, LOCATION, one, resources, RG, synth } from '../support/azure';

const sink = (profile: ComplianceProfile, extra: Partial<azure.KeyAuditSinkProps> = {}) => {
  const stack = azureStack();
  const s = new azure.KeyAuditSink(stack, 'Audit', {
    resourceGroupName: RG,
    location: LOCATION,
    profile,
    auditors: [ids.auditor],
    acknowledgeLockedRetention: true,
    notificationEmails: ['key-alerts@example.com'],
    ...extra,
  });
  return { stack, sink: s };
};

describe('an immutable sink under HIPAA (six years)', () => {
  const { stack, sink: s } = sink(ComplianceProfile.HIPAA);
  const key = azureCmk(stack, ComplianceProfile.HIPAA, 'Key', { auditSink: s });
  const json = synth(stack);

  test('the workspace keeps logs the workspace maximum (730 days), Entra authentication only', () => {
    expect(one(json, 'azurerm_log_analytics_workspace')).toMatchObject({
      retention_in_days: 730, local_authentication_enabled: false, sku: 'PerGB2018', lifecycle: { prevent_destroy: true },
    });
  });

  test('the write-once copy: a locked time-based immutability policy for the full retention, appends allowed', () => {
    expect(one(json, 'azurerm_storage_container')).toMatchObject({ name: 'insights-logs-auditevent', container_access_type: 'private' });
    expect(one(json, 'azurerm_storage_container_immutability_policy')).toMatchObject({
      immutability_period_in_days: 2190,
      locked: true,
      protected_append_writes_enabled: true,
      storage_container_resource_manager_id: expect.stringMatching(/azurerm_storage_container\..*\.resource_manager_id/),
    });
    expect(s.retentionDays).toBe(2190);
    expect(s.immutable).toBe(true);
  });

  test('the storage account: TLS 1.2, HTTPS only, no shared keys, no public blobs, firewall Deny, GRS, soft delete', () => {
    expect(one(json, 'azurerm_storage_account')).toMatchObject({
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      shared_access_key_enabled: false,
      allow_nested_items_to_be_public: false,
      infrastructure_encryption_enabled: true,
      cross_tenant_replication_enabled: false,
      account_replication_type: 'GRS',
      network_rules: { default_action: 'Deny', bypass: ['AzureServices'] },
      blob_properties: { versioning_enabled: true, delete_retention_policy: { days: 365 }, container_delete_retention_policy: { days: 365 } },
      lifecycle: { prevent_destroy: true },
    });
  });

  test('auditors read the workspace and the logs, nothing more', () => {
    const auditor = (Object.values(resources(json, 'azurerm_role_assignment')) as any[]).filter((a) => a.principal_id === ids.auditor);
    expect(auditor.map((a) => [a.role_definition_name, a.scope.replace(/\..*$/, '')]).sort()).toEqual([
      ['Key Vault Reader', '${azurerm_key_vault_key'],
      ['Log Analytics Reader', '${azurerm_log_analytics_workspace'],
      ['Storage Blob Data Reader', '${azurerm_storage_account'],
    ]);
  });

  test('the vault sends every audit event and all metrics to the workspace and the write-once container, once', () => {
    expect(one(json, 'azurerm_monitor_diagnostic_setting', /^Key_/)).toEqual({
      name: 'cloud-kms-audit',
      target_resource_id: expect.stringMatching(/azurerm_key_vault\..*\.id/),
      log_analytics_workspace_id: expect.stringMatching(/azurerm_log_analytics_workspace\..*\.id/),
      log_analytics_destination_type: 'Dedicated',
      storage_account_id: expect.stringMatching(/azurerm_storage_account\..*\.id/),
      enabled_log: [{ category_group: 'audit' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    s.attach(key.vault!, 'again');
    expect(Object.keys(resources(synth(stack), 'azurerm_monitor_diagnostic_setting')).filter((n) => n.startsWith('Key_'))).toHaveLength(1);
  });

  test('evidence: write-once, retained six years, separate from the vaults', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindAuditSink('test/Audit')).toMatchObject({ cloud: 'azure', immutable: true, retentionDays: 2190 });
    expect(ledger.evidenceFor(Control.NIST_AU_9_4, 'test/Audit')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '2190, true' });
    expect(ledger.evidenceFor(Control.NIST_AU_11, 'test/Audit')[0].status).toBe(EvidenceStatus.SATISFIED);
    expect(ledger.evidenceFor(Control.NIST_AU_2, 'test/Audit')[0]).toMatchObject({ setting: 'enabled_log.category_group', value: 'audit' });
  });
});

test.each(ComplianceProfile.builtIns().map((p) => [p.name, p]))('%s: retention follows the profile', (_n, p) => {
  const profile = p as ComplianceProfile;
  const { stack } = sink(profile);
  const json = synth(stack);
  expect(one(json, 'azurerm_log_analytics_workspace').retention_in_days).toBe(Math.max(30, Math.min(profile.auditRetentionDays, 730)));
  expect(one(json, 'azurerm_storage_container_immutability_policy').immutability_period_in_days).toBe(profile.auditRetentionDays);
});

test('without the immutable copy (COMMERCIAL): workspace only, and the evidence says so', () => {
  const { stack } = sink(ComplianceProfile.COMMERCIAL, { immutable: false, acknowledgeLockedRetention: undefined, retention: Period.days(180) });
  const json = synth(stack);
  expect(resources(json, 'azurerm_storage_account')).toEqual({});
  expect(one(json, 'azurerm_log_analytics_workspace').retention_in_days).toBe(180);
  expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_9_4, 'test/Audit')[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
  expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_11, 'test/Audit')[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
});

test('a sink that is not immutable is refused by a key under a profile that needs immutability', () => {
  const { stack, sink: s } = sink(ComplianceProfile.COMMERCIAL, { immutable: false });
  expect(() => azureCmk(stack, ComplianceProfile.HIPAA, 'Key', { auditSink: s })).toThrow(/immutable/);
});

describe('bad input', () => {
  test.each<[string, ComplianceProfile, Partial<azure.KeyAuditSinkProps>, string | RegExp]>([
    ['retention below the profile', ComplianceProfile.PCI_DSS, { retention: Period.days(90) }, 'retention must be at least 365 days under profile PCI_DSS, got 90 days'],
    ['retention in hours', ComplianceProfile.COMMERCIAL, { retention: Period.hours(2200) }, /retention must be a whole number of days, got/],
    ['no write-once copy under HIPAA', ComplianceProfile.HIPAA, { immutable: false }, 'immutable must be true under profile HIPAA, got false'],
    ['a locked policy without acknowledgement', ComplianceProfile.SOC2, { acknowledgeLockedRetention: false },
      /acknowledgeLockedRetention must be true: a locked immutability policy keeps the audit logs .* for 365 days .* got false/],
    ['workspace-only retention beyond 730 days', ComplianceProfile.COMMERCIAL, { immutable: false, retention: Period.days(1000) },
      'retention must be at most 730 days without the immutable storage copy, got 1000 days'],
    ['a storage account name Azure rejects', ComplianceProfile.SOC2, { storageAccountName: 'Audit-Logs' }, 'storageAccountName must be 3 to 24 lower-case letters and digits, got Audit-Logs'],
    ['a workspace name Azure rejects', ComplianceProfile.SOC2, { workspaceName: 'ab' }, /workspaceName must be 4 to 63 letters, digits and hyphens.* got ab/],
    ['an auditor that is not an object id', ComplianceProfile.SOC2, { auditors: ['auditor@example.com'] }, 'auditors must hold Microsoft Entra object ids (GUIDs), got auditor@example.com'],
  ])('%s', (_name, profile, extra, message) => {
    expect(() => sink(profile, extra)).toThrow(message);
  });
});
