import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import { Period } from '../../src/core';
import { azureCmk, azureHsm, azureStack, ids, LOCATION, one, resources, RG, SECURITY_EMAIL, synth, SUBSCRIPTION, TfJson, vaultNetwork } from '../support/azure';

const WEBHOOK = 'https://siem.example.com/azure-alerts';
const PCI = ComplianceProfile.PCI_DSS;

function pciSink(stack: TerraformStack, extra: Partial<azure.KeyAuditSinkProps> = {}) {
  return new azure.KeyAuditSink(stack, 'Audit', {
    resourceGroupName: RG,
    location: LOCATION,
    profile: PCI,
    auditors: [ids.auditor],
    acknowledgeLockedRetention: true,
    notificationEmails: [SECURITY_EMAIL],
    alertWebhookUrl: WEBHOOK,
    ...extra,
  });
}

/** The log search alert rules, by construct id (the Terraform name starts with it). */
const logAlerts = (json: TfJson) => resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2');
const query = (json: TfJson, id: string): string => one(json, 'azurerm_monitor_scheduled_query_rules_alert_v2', new RegExp(`^Audit_${id}Alert_`)).criteria[0].query;
const ref = (type: string, name: RegExp) => (v: string) => new RegExp(`^\\$\\{${type}\\.${name.source}[^.]*\\.id\\}$`).test(v);

describe('a PCI DSS sink with a vault key and a Managed HSM attached', () => {
  const stack = azureStack();
  const sink = pciSink(stack);
  azureCmk(stack, PCI, 'CardKey', { auditSink: sink });
  azureHsm(stack, PCI, 'Hsm', { auditSink: sink });
  const json = synth(stack);

  test('the action group mails the security addresses and posts to the webhook, in the common alert schema', () => {
    expect(one(json, 'azurerm_monitor_action_group')).toMatchObject({
      location: 'global',
      email_receiver: [{ email_address: SECURITY_EMAIL, use_common_alert_schema: true }],
      webhook_receiver: [{ service_uri: WEBHOOK, use_common_alert_schema: true }],
    });
  });

  test('vaults and HSMs write AuditEvent to the resource-specific table the alert queries read', () => {
    const settings = Object.values(resources(json, 'azurerm_monitor_diagnostic_setting')).filter((d: any) => d.name === 'cloud-kms-audit');
    expect(settings.map((d: any) => d.target_resource_id).sort()).toEqual([
      expect.stringMatching(/^\$\{azurerm_key_vault\.CardKey_Vault_/),
      expect.stringMatching(/^\$\{azurerm_key_vault_managed_hardware_security_module\.Hsm_/),
    ].sort((a, b) => String(a).localeCompare(String(b))));
    for (const d of settings) {
      expect(d).toMatchObject({ log_analytics_destination_type: 'Dedicated', enabled_log: [{ category_group: 'audit' }] });
      expect(d.log_analytics_workspace_id).toBe('${azurerm_log_analytics_workspace.Audit_Workspace_60735022.id}');
    }
  });

  test.each([
    ['KeyDestruction', ['"KeyDelete"', '"KeyPurge"']],
    ['KeyUpdate', ['"KeyUpdate"']],
    ['RotationPolicyChange', ['"KeyRotationPolicySet"']],
    ['KeyImport', ['"KeyImport"']],
    ['BackupRestore', ['"KeyBackup"', '"KeyRestore"', 'contains "Backup"', 'contains "Restore"']],
    ['HsmAccessChange', ['contains "RoleAssignment"', 'contains "RoleDefinition"', 'contains "SecurityDomain"']],
  ])('%s: an AuditEvent query on AZKVAuditLogs naming %s', (id, operations) => {
    const q = query(json, id);
    expect(q.startsWith('AZKVAuditLogs\n| where OperationName')).toBe(true);
    for (const op of operations) expect(q).toContain(op);
    expect(one(json, 'azurerm_monitor_scheduled_query_rules_alert_v2', new RegExp(`^Audit_${id}Alert_`))).toMatchObject({
      criteria: [{ operator: 'GreaterThan', threshold: 0, time_aggregation_method: 'Count' }],
    });
  });

  test('reads are not alerts: name-fragment rules drop Get, List and Status operations', () => {
    expect(query(json, 'HsmAccessChange')).toContain('where not(OperationName endswith "Get" or OperationName endswith "List"');
  });

  test('failed-authorization bursts: 10 or more 403s within 15 minutes (401 challenges are not counted)', () => {
    expect(one(json, 'azurerm_monitor_scheduled_query_rules_alert_v2', /^Audit_FailedAuthorizationBurstAlert_/)).toMatchObject({
      criteria: [{ query: 'AZKVAuditLogs\n| where HttpStatusCode == 403', operator: 'GreaterThanOrEqual', threshold: 10, time_aggregation_method: 'Count' }],
      window_duration: 'PT15M',
    });
  });

  test('every log alert watches the workspace every attached vault and HSM writes to, overlapping windows, to the action group', () => {
    const rules = Object.values(logAlerts(json));
    expect(rules).toHaveLength(8);
    for (const r of rules) {
      expect(r).toMatchObject({
        scopes: ['${azurerm_log_analytics_workspace.Audit_Workspace_60735022.id}'],
        evaluation_frequency: 'PT5M',
        window_duration: 'PT15M',
        auto_mitigation_enabled: false,
        skip_query_validation: true,
        action: { action_groups: ['${azurerm_monitor_action_group.Audit_AlertActionGroup_2AFE3645.id}'] },
      });
    }
  });

  test('an Activity Log alert covers every administrative operation on each attached vault and HSM (role assignments, diagnostic settings)', () => {
    const alert = one(json, 'azurerm_monitor_activity_log_alert', /^Audit_KeyStoreChangeAlert_/);
    expect(alert).toMatchObject({ location: 'global', criteria: { category: 'Administrative', levels: ['Critical', 'Error', 'Warning', 'Informational', 'Verbose'] } });
    expect(alert.scopes).toHaveLength(3);
    expect(alert.scopes).toContain('${azurerm_monitor_activity_log_alert.Audit_AuditStoreChangeAlert_E87F69B8.id}');
    expect(alert.scopes.some(ref('azurerm_key_vault', /CardKey_Vault_/))).toBe(true);
    expect(alert.scopes.some(ref('azurerm_key_vault_managed_hardware_security_module', /Hsm_/))).toBe(true);
    expect(alert.action).toEqual([{ action_group_id: '${azurerm_monitor_action_group.Audit_AlertActionGroup_2AFE3645.id}' }]);
  });

  test('integrity: the blob service logs writes and deletes to the workspace, and an alert watches the audit container', () => {
    expect(one(json, 'azurerm_monitor_diagnostic_setting', /^Audit_BlobServiceDiagnostics_/)).toEqual({
      name: 'cloud-kms-audit-integrity',
      target_resource_id: '${azurerm_storage_account.Audit_Storage_21FEAAAD.id}/blobServices/default',
      log_analytics_workspace_id: '${azurerm_log_analytics_workspace.Audit_Workspace_60735022.id}',
      enabled_log: [{ category: 'StorageWrite' }, { category: 'StorageDelete' }],
    });
    const account = one(json, 'azurerm_storage_account').name;
    const q = query(json, 'AuditRecordChange');
    expect(q).toContain(`AccountName =~ "${account}" and Uri contains "/insights-logs-auditevent"`);
    expect(q).toContain('Category == "StorageDelete"');
    // Only a successful creation of a new blob or an append (what Azure Monitor does) is not an alert.
    expect(q).toContain('not(OperationName in ("PutBlob", "AppendBlock") and toint(StatusCode) between (200 .. 299))');
    expect(one(json, 'azurerm_monitor_scheduled_query_rules_alert_v2', /^Audit_AuditRecordChangeAlert_/).severity).toBe(0);
  });

  test('integrity: versioning and the change feed on the audit storage, for the retention period', () => {
    expect(one(json, 'azurerm_storage_account').blob_properties).toMatchObject({
      versioning_enabled: true, change_feed_enabled: true, change_feed_retention_in_days: 365,
    });
  });

  test('integrity: every administrative operation on the workspace, the storage account and the alerting itself raises an alert', () => {
    const alert = one(json, 'azurerm_monitor_activity_log_alert', /^Audit_AuditStoreChangeAlert_/);
    expect(alert.criteria).toEqual({ category: 'Administrative', levels: ['Critical', 'Error', 'Warning', 'Informational', 'Verbose'] });
    expect(alert.scopes).toEqual(expect.arrayContaining([
      '${azurerm_log_analytics_workspace.Audit_Workspace_60735022.id}',
      '${azurerm_storage_account.Audit_Storage_21FEAAAD.id}',
      '${azurerm_monitor_action_group.Audit_AlertActionGroup_2AFE3645.id}',
      ...Object.keys(logAlerts(json)).map((n) => `\${azurerm_monitor_scheduled_query_rules_alert_v2.${n}.id}`),
    ]));
  });

  test('evidence: AU-6 and CC7.2 per rule, partial only for the alerting path and the HSM\'s undocumented names; 10.3.4 satisfied', () => {
    const ledger = EvidenceLedger.of(stack);
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2]) {
      const entries = ledger.evidenceFor(control, 'test/Audit');
      // seven log alert rules, the Activity Log alert on the vaults and HSMs, the alerting path, the HSM's operation names
      expect(entries.length).toBe(10);
      expect(entries.filter((e) => e.status !== EvidenceStatus.SATISFIED).map((e) => [e.resource, e.setting, e.status])).toEqual([
        ['test/Audit/ProcessingRuleWriteAlert', 'activity log alerts (alerting path)', EvidenceStatus.PARTIALLY_SATISFIED],
        ['test/Audit/HsmAccessChangeAlert', 'operation names (Managed HSM)', EvidenceStatus.PARTIALLY_SATISFIED],
      ]);
      expect(entries.map((e) => e.resource)).toEqual(expect.arrayContaining(['test/Audit/KeyDestructionAlert', 'test/Audit/KeyStoreChangeAlert']));
      expect(entries.find((e) => e.resource === 'test/Audit/KeyDestructionAlert')!.value).toContain('"KeyDelete", "KeyPurge"');
    }
    const integrity = ledger.evidenceFor(Control.PCI_10_3_4, 'test/Audit');
    expect(integrity).toHaveLength(1);
    expect(integrity[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, resource: 'test/Audit/AuditRecordChangeAlert' });
    expect(integrity[0].description).toContain('test/Audit/AuditStoreChangeAlert');
    expect(integrity[0].description).toMatch(/Not proven: .*no signed digests/);
    // New blobs are not told apart from Azure Monitor's: a forged later hour's PT1H.json would not alert.
    expect(integrity[0].description).toContain('new blobs and appends are not attributed');
    expect(integrity[0].description).toContain('create a later hour\'s PT1H.json before Azure Monitor does');
  });
});

describe('alerts that reach nobody are only part of a review', () => {
  test('COMMERCIAL without receivers: no action group, AU-6 and CC7.2 partially satisfied, saying why', () => {
    const stack = azureStack();
    new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, immutable: false });
    const json = synth(stack);
    expect(resources(json, 'azurerm_monitor_action_group')).toEqual({});
    for (const r of Object.values(logAlerts(json))) expect(r.action).toBeUndefined();
    const ledger = EvidenceLedger.of(stack);
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2]) {
      const entries = ledger.evidenceFor(control, 'test/Audit');
      expect(entries.every((e) => e.status === EvidenceStatus.PARTIALLY_SATISFIED)).toBe(true);
      expect(entries[0].description).toContain('nobody is notified: set notificationEmails or alertWebhookUrl');
    }
  });

  test('without the write-once copy, 10.3.4 is only partly met: deletions alert, nothing prevents them', () => {
    const stack = azureStack();
    new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, immutable: false, notificationEmails: [SECURITY_EMAIL] });
    const json = synth(stack);
    expect(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2')).not.toHaveProperty(['Audit_AuditRecordChangeAlert']);
    // the workspace, seven log alert rules, the action group, and the three alerting-path alerts
    expect(one(json, 'azurerm_monitor_activity_log_alert', /^Audit_AuditStoreChangeAlert_/).scopes).toEqual(['${azurerm_log_analytics_workspace.Audit_Workspace_60735022.id}',
      ...Array(11).fill(expect.any(String))]);
    const [entry] = EvidenceLedger.of(stack).evidenceFor(Control.PCI_10_3_4, 'test/Audit');
    expect(entry.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
    expect(entry.description).toContain('nothing prevents the purge and there is no write-once copy');
  });

  test('a custom burst threshold', () => {
    const stack = azureStack();
    pciSink(stack, { failedAuthorizationBurstThreshold: 25 });
    expect(one(synth(stack), 'azurerm_monitor_scheduled_query_rules_alert_v2', /^Audit_FailedAuthorizationBurstAlert_/).criteria[0].threshold).toBe(25);
  });
});

describe('bad alerting input', () => {
  test.each<[string, Partial<azure.KeyAuditSinkProps>, string | RegExp]>([
    ['no receivers under PCI DSS', { notificationEmails: undefined, alertWebhookUrl: undefined },
      'notificationEmails must name at least one address (or alertWebhookUrl be set) under profile PCI_DSS: alerts on key destruction and on audit-record changes must reach someone, got none'],
    ['an e-mail that is not one', { notificationEmails: ['security team'] }, 'notificationEmails must hold e-mail addresses, got security team'],
    ['a webhook over plain HTTP', { alertWebhookUrl: 'http://siem.example.com/hook' }, 'alertWebhookUrl must be an https:// URL, got http://siem.example.com/hook'],
    ['a zero burst threshold', { failedAuthorizationBurstThreshold: 0 }, 'failedAuthorizationBurstThreshold must be a whole number between 1 and 100000, got 0'],
  ])('%s', (_n, extra, message) => {
    expect(() => pciSink(azureStack(), extra)).toThrow(message);
  });

  test('a webhook alone is a receiver', () => {
    expect(() => pciSink(azureStack(), { notificationEmails: undefined })).not.toThrow();
  });
});

describe('storage_use_azuread: the audit storage account has shared keys disabled', () => {
  const stackWith = (providerProps: Record<string, unknown> | undefined) => {
    const stack = new TerraformStack(new App({ outdir: mkdtempSync(join(tmpdir(), 'azaudit-')) }), 'keys');
    if (providerProps) new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION, ...providerProps });
    // A name of its own: without a provider the environment for a generated one is unknown.
    pciSink(stack, { storageAccountName: 'stkmsauditkeys' });
    return stack;
  };

  test('left unset on the stack\'s provider: set to true', () => {
    const json = synth(stackWith({})) as any;
    expect(json.provider.azurerm).toEqual([{ features: [{}], subscription_id: SUBSCRIPTION, storage_use_azuread: true }]);
  });

  test('set to false: synthesis fails saying what to add', () => {
    expect(() => synth(stackWith({ storageUseAzuread: false }))).toThrow(
      'storageUseAzuread of provider keys/azurerm must be true for audit sink keys/Audit: add storageUseAzuread: true to the AzurermProvider, ' +
      'since the audit storage account has shared keys disabled, got false');
  });

  test('no default azurerm provider: synthesis fails saying what to add', () => {
    expect(() => synth(stackWith(undefined))).toThrow(/stack keys has no default AzurermProvider for audit sink keys\/Audit: add storageUseAzuread: true/);
    expect(() => synth(stackWith({ alias: 'other', storageUseAzuread: true }))).toThrow(/no default AzurermProvider/);
  });

  test('a workspace-only sink needs nothing of the provider', () => {
    const stack = new TerraformStack(new App(), 'keys');
    new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, immutable: false });
    expect(() => synth(stack)).not.toThrow();
  });
});

describe('audited by default', () => {
  test('COMMERCIAL vaults and HSMs given no sink share the stack\'s default sink: workspace only, a year', () => {
    const stack = azureStack();
    const key = new azure.ManagedKey(stack, 'SessionKey', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
    const vault = new azure.KeyVault(stack, 'Shared', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
    const hsm = azureHsm(stack, ComplianceProfile.COMMERCIAL, 'Hsm', { auditSink: undefined });
    const json = synth(stack);
    expect(key.vault.auditSink).toBeInstanceOf(azure.KeyAuditSink);
    expect(vault.auditSink).toBe(key.vault.auditSink);
    expect(hsm.auditSink).toBe(key.vault.auditSink);
    expect(key.vault.auditSink!.node.path).toBe('test/CloudKmsDefaultAuditSink');
    expect(key.vault.auditSink).toMatchObject({ immutable: false, retentionDays: 365 });
    const workspace = Object.keys(resources(json, 'azurerm_log_analytics_workspace'));
    expect(workspace).toEqual([expect.stringMatching(/^CloudKmsDefaultAuditSink_Workspace_/)]);
    expect(resources(json, 'azurerm_storage_account')).toEqual({});
    const settings = Object.values(resources(json, 'azurerm_monitor_diagnostic_setting')).filter((d: any) => d.name === 'cloud-kms-audit');
    expect(settings).toHaveLength(3);
    for (const d of settings) expect(d.log_analytics_workspace_id).toBe(`\${azurerm_log_analytics_workspace.${workspace[0]}.id}`);
    expect(EvidenceLedger.of(stack).tryFindKey('test/SessionKey')!.auditSink).toBe('test/CloudKmsDefaultAuditSink');
  });

  test('opting out takes a reason, which the compliance report shows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'azaudit-'));
    const app = new App({ outdir: dir });
    const stack = new TerraformStack(app, 'lab');
    new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION });
    const vault = new azure.KeyVault(stack, 'Scratch', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      auditOptOutReason: 'throwaway lab vault, no production data, deleted after the workshop',
    });
    new azure.ManagedKey(stack, 'LabKey', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, vault });
    app.synth();
    const json = JSON.parse(readFileSync(join(dir, 'stacks', 'lab', 'cdk.tf.json'), 'utf8'));
    expect(resources(json, 'azurerm_monitor_diagnostic_setting')).toEqual({});
    expect(resources(json, 'azurerm_log_analytics_workspace')).toEqual({});
    expect(vault.auditSink).toBeUndefined();
    const report = JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8'));
    // Listed once for the stack (issue 15, item 6), not under every key.
    expect(report.stacks[0].acknowledgements).toEqual([{
      rules: ['audit-sink-opt-out'], resource: 'lab/Scratch', reason: 'throwaway lab vault, no production data, deleted after the workshop',
    }]);
    expect(report.stacks[0].keys[0].acknowledgements).toBeUndefined();
    expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_2, 'lab/Scratch')[0]).toMatchObject({
      status: EvidenceStatus.NOT_SATISFIED, value: 'none (opted out)',
    });
  });

  test('KeyAuditSink.optOut covers every vault created under a scope, including those keys create', () => {
    const stack = azureStack();
    azure.KeyAuditSink.optOut(stack, 'ephemeral test environment, torn down nightly');
    const key = new azure.ManagedKey(stack, 'SessionKey', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
    expect(key.vault.auditSink).toBeUndefined();
    expect(resources(synth(stack), 'azurerm_monitor_diagnostic_setting')).toEqual({});
    expect(EvidenceLedger.of(stack).acknowledgements('test/SessionKey/Vault')).toEqual([expect.objectContaining({
      rule: 'audit-sink-opt-out', reason: 'ephemeral test environment, torn down nightly',
    })]);
  });

  test.each<[string, () => void, string | RegExp]>([
    ['a profile that requires a sink', () => new azure.KeyVault(azureStack(), 'V', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      profile: PCI,
      approvers: [ids.approverA, ids.approverB],
      auditOptOutReason: 'we would rather not pay for logs',
    }), 'auditSink is required under profile PCI_DSS for test/V, got undefined'],
    ['no real reason', () => new azure.KeyVault(azureStack(), 'V', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), auditOptOutReason: ' ',
    }), "auditOptOutReason must give a reason of at least 10 characters that the compliance report shows, got ' '"],
    ['a reason and a sink', () => {
      const stack = azureStack();
      const sink = new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, immutable: false, retention: Period.days(90) });
      new azure.KeyVault(stack, 'V', {
        resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), auditSink: sink, auditOptOutReason: 'not needed here at all',
      });
    }, "auditOptOutReason must not be set together with auditSink on test/V, got 'not needed here at all'"],
    ['a stack-level opt-out without a reason', () => azure.KeyAuditSink.optOut(azureStack(), 'n/a'),
      "reason must give a reason of at least 10 characters that the compliance report shows, got 'n/a'"],
  ])('refused: %s', (_n, build, message) => {
    expect(build).toThrow(message);
  });
});

test('a PCI DSS stack synthesizes with no acknowledgement: AU-6, CC7.2 and 10.3.4 satisfied in the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'azaudit-'));
  const app = new App({ outdir: dir });
  const stack = new TerraformStack(app, 'cards');
  new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION });
  azureCmk(stack, PCI, 'CardKey', { auditSink: pciSink(stack) });
  app.synth();
  const report = JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8'));
  const control = report.stacks[0].keys[0].controls.find((c: any) => c.id === Control.PCI_10_3_4.id);
  expect(control.status).toBe('satisfied');
  expect(control.evidence[0].resource).toBe('cards/Audit/AuditRecordChangeAlert');
  expect(report.summary.unmet).toEqual([]);
  expect(report.summary.acknowledged).toBe(0);
});

describe('the alerting path: processing rules and action groups', () => {
  const ESCALATION = 'ciso-office@example.com';
  const activityAlert = (json: TfJson, id: string) => one(json, 'azurerm_monitor_activity_log_alert', new RegExp(`^Audit_${id}Alert_`));
  const alertingPath = (stack: TerraformStack) =>
    EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_6, 'test/Audit').find((e) => e.setting === 'activity log alerts (alerting path)')!;

  test.each([['write'], ['delete']])('an alert processing rule %s anywhere in the subscription alerts (Activity Log, subscription scope)', (operation) => {
    const json = synth((() => { const s = azureStack(); pciSink(s); return s; })());
    const id = operation === 'write' ? 'ProcessingRuleWrite' : 'ProcessingRuleDelete';
    expect(activityAlert(json, id)).toMatchObject({
      location: 'global',
      scopes: [`/subscriptions/${SUBSCRIPTION}`],
      criteria: { category: 'Administrative', operation_name: `Microsoft.AlertsManagement/actionRules/${operation}` },
      action: [{ action_group_id: '${azurerm_monitor_action_group.Audit_AlertActionGroup_2AFE3645.id}' }],
    });
  });

  test('with escalationEmails: a second action group receives the alerting-path alerts, and watches the first group', () => {
    const stack = azureStack();
    pciSink(stack, { escalationEmails: [ESCALATION] });
    const json = synth(stack);
    const escalation = one(json, 'azurerm_monitor_action_group', /^Audit_EscalationActionGroup_/);
    expect(escalation).toMatchObject({ location: 'global', email_receiver: [{ email_address: ESCALATION, use_common_alert_schema: true }] });
    expect(escalation.webhook_receiver).toBeUndefined();
    const groups = Object.keys(resources(json, 'azurerm_monitor_action_group')).map((n) => `\${azurerm_monitor_action_group.${n}.id}`);
    expect(groups).toHaveLength(2);
    for (const id of ['ProcessingRuleWrite', 'ProcessingRuleDelete', 'ActionGroupChange']) {
      expect(activityAlert(json, id).action.map((a: any) => a.action_group_id).sort()).toEqual([...groups].sort());
    }
    const change = activityAlert(json, 'ActionGroupChange');
    expect(change.criteria).toEqual({ category: 'Administrative', levels: ['Critical', 'Error', 'Warning', 'Informational', 'Verbose'] });
    expect(change.scopes).toEqual(expect.arrayContaining(groups));
    // The alerting-path alerts are themselves watched by the audit-store alert.
    expect(activityAlert(json, 'AuditStoreChange').scopes).toEqual(expect.arrayContaining(
      ['ProcessingRuleWrite', 'ProcessingRuleDelete', 'ActionGroupChange'].map((id) => expect.stringMatching(new RegExp(`^\\$\\{azurerm_monitor_activity_log_alert\\.Audit_${id}Alert_`)))));
    const entry = alertingPath(stack);
    expect(entry.description).toContain('is reported by the independent test/Audit/EscalationActionGroup');
    // What remains needs rights this app never grants (actionRules/write on the subscription or a resource group): satisfied,
    // with those principals named as trusted outside the app.
    expect(entry.status).toBe(EvidenceStatus.SATISFIED);
    expect(entry.description).toContain('may suppress the notification of its own creation');
    expect(entry.description).toContain('Owner, Contributor, Monitoring Contributor, and the deployment identity');
    expect(entry.description).toContain('This app grants none of those rights');
  });

  test('with one action group: silencing it is reported only through itself, and the evidence says so', () => {
    const stack = azureStack();
    pciSink(stack);
    expect(resources(synth(stack), 'azurerm_monitor_action_group')).not.toHaveProperty(['Audit_EscalationActionGroup']);
    const entry = alertingPath(stack);
    expect(entry.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
    expect(entry.description).toContain('silencing by someone who can change the action group or create processing rules is detected only if that group still delivers');
  });

  test('a subscription unknown at synthesis: the scope is the provider\'s subscription, read at apply time', () => {
    const stack = new TerraformStack(new App(), 'keys');
    new AzurermProvider(stack, 'azurerm', { features: [{}], storageUseAzuread: true });
    pciSink(stack, { storageAccountName: 'stkmsauditkeys' });
    const json = synth(stack);
    expect(Object.keys(json.data?.azurerm_client_config ?? {})).toHaveLength(1);
    const config = Object.keys(json.data!.azurerm_client_config)[0];
    expect(activityAlert(json, 'ProcessingRuleWrite').scopes).toEqual([`/subscriptions/\${data.azurerm_client_config.${config}.subscription_id}`]);
  });

  test('escalationEmails must be e-mail addresses', () => {
    expect(() => pciSink(azureStack(), { escalationEmails: ['the ciso'] })).toThrow('escalationEmails must hold e-mail addresses, got the ciso');
  });
});

describe('a diagnostic setting\'s storage account is in the region of what it logs', () => {
  test.each([['a vault', 'northeurope'], ['a Managed HSM', 'North Europe']])('%s in another region than the sink is refused, naming both', (_n, region) => {
    const stack = azureStack();
    const sink = pciSink(stack, { location: 'West Europe' });
    const build = _n === 'a vault' ? () => azureCmk(stack, PCI, 'CardKey', { auditSink: sink, location: region })
      : () => azureHsm(stack, PCI, 'Hsm', { auditSink: sink, location: region });
    expect(build).toThrow(new RegExp(`^location of test/(CardKey/Vault|Hsm) must be the region of its auditSink test/Audit: .* got '${region}' and the sink's storage account in 'West Europe'$`));
  });

  test('\'West Europe\' and \'westeurope\' are the same region', () => {
    const stack = azureStack();
    const sink = pciSink(stack, { location: 'West Europe' });
    expect(() => azureCmk(stack, PCI, 'CardKey', { auditSink: sink, location: 'westeurope' })).not.toThrow();
  });

  test('a workspace-only sink takes vaults of any region (a workspace may be elsewhere)', () => {
    const stack = azureStack();
    const sink = new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: 'westeurope', immutable: false });
    expect(() => new azure.KeyVault(stack, 'V', {
      resourceGroupName: RG, location: 'eastus', acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), auditSink: sink,
    })).not.toThrow();
  });
});

describe('keys and HSM roles wait for the AuditEvent diagnostic setting, so that their creation is logged', () => {
  const stack = azureStack();
  const sink = pciSink(stack);
  azureCmk(stack, PCI, 'CardKey', { auditSink: sink });
  const hsm = azureHsm(stack, PCI, 'Hsm', { auditSink: sink });
  hsm.addKey('TenantA', { keyName: 'tenant-a' });
  new azure.ByokImport(stack, 'Imported', {
    resourceGroupName: RG,
    location: LOCATION,
    profile: PCI,
    auditSink: sink,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    custodians: {
      administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], importers: [ids.importer], approvers: [ids.approverA, ids.approverB],
    },
  });
  const json = synth(stack);
  const setting = (owner: string) => {
    const name = Object.keys(resources(json, 'azurerm_monitor_diagnostic_setting')).find((n) => n.startsWith(`${owner}_AuditDiagnostics_`))!;
    expect(name).toBeDefined();
    return `azurerm_monitor_diagnostic_setting.${name}`;
  };

  test('a vault key', () => {
    expect(one(json, 'azurerm_key_vault_key', /^CardKey_/).depends_on).toContain(setting('CardKey_Vault'));
  });

  test('a Managed HSM key', () => {
    expect(one(json, 'azurerm_key_vault_managed_hardware_security_module_key', /^Hsm_TenantA_/).depends_on).toContain(setting('Hsm'));
  });

  test('every Managed HSM local role definition and role assignment', () => {
    const hsmSetting = setting('Hsm');
    const definitions = Object.values(resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_definition'));
    const assignments = Object.values(resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_assignment'));
    expect(definitions.length).toBeGreaterThanOrEqual(3);
    expect(assignments.length).toBeGreaterThanOrEqual(3);
    for (const r of [...definitions, ...assignments]) expect(r.depends_on).toContain(hsmSetting);
  });

  test('a BYOK import into the Managed HSM: its importer role definition, role assignments and key-exchange key', () => {
    const hsmStack = azureStack();
    const hsmSink = pciSink(hsmStack);
    const store = azureHsm(hsmStack, PCI, 'Hsm', { auditSink: hsmSink });
    new azure.ByokImport(hsmStack, 'Imported', {
      resourceGroupName: RG,
      location: LOCATION,
      profile: PCI,
      managedHsm: store,
      custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], importers: [ids.importer] },
    });
    const hsmJson = synth(hsmStack);
    const hsmSetting = `azurerm_monitor_diagnostic_setting.${Object.keys(resources(hsmJson, 'azurerm_monitor_diagnostic_setting')).find((n) => n.startsWith('Hsm_AuditDiagnostics_'))}`;
    expect(one(hsmJson, 'azurerm_key_vault_managed_hardware_security_module_role_definition', /^Imported_ImporterRole_/).depends_on).toContain(hsmSetting);
    const importerAssignments = Object.entries(resources(hsmJson, 'azurerm_key_vault_managed_hardware_security_module_role_assignment')).filter(([n]) => n.startsWith('Imported_'));
    expect(importerAssignments.length).toBeGreaterThanOrEqual(2);
    for (const [, r] of importerAssignments) expect(r.depends_on).toContain(hsmSetting);
    expect(one(hsmJson, 'azurerm_resource_group_template_deployment').depends_on).toContain(hsmSetting);
  });

  test('the BYOK key-exchange key\'s template deployment', () => {
    expect(one(json, 'azurerm_resource_group_template_deployment', /^Imported_KeyExchangeKey_/).depends_on).toContain(setting('Imported_Vault'));
  });
});

describe('integrity: append blobs only, and the Managed HSM\'s undocumented operation names', () => {
  test('the immutability policy allows appends to append blobs only (what Azure Monitor writes), not to block blobs', () => {
    const stack = azureStack();
    pciSink(stack);
    const policy = one(synth(stack), 'azurerm_storage_container_immutability_policy');
    expect(policy).toMatchObject({ protected_append_writes_enabled: true, locked: true });
    expect(policy.protected_append_writes_all_enabled).toBeUndefined();
  });

  test('a vault-only sink records no Managed HSM caveat; an HSM makes AU-6 partial, naming the undocumented fragments', () => {
    const vaultOnly = azureStack();
    azureCmk(vaultOnly, PCI, 'CardKey', { auditSink: pciSink(vaultOnly) });
    expect(EvidenceLedger.of(vaultOnly).evidenceFor(Control.NIST_AU_6, 'test/Audit').filter((e) => e.setting === 'operation names (Managed HSM)')).toEqual([]);

    const withHsm = azureStack();
    azureHsm(withHsm, PCI, 'Hsm', { auditSink: pciSink(withHsm) });
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2]) {
      const entries = EvidenceLedger.of(withHsm).evidenceFor(control, 'test/Audit');
      const caveat = entries.find((e) => e.setting === 'operation names (Managed HSM)')!;
      expect(caveat.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
      expect(caveat.description).toContain(
        'match operation-name fragments (Backup, Restore, RoleAssignment, RoleDefinition, SecurityDomain) that Microsoft does not document');
      expect(caveat.description).toContain('a change to the HSM\'s local role assignments or definitions may go unalerted');
      expect(entries.find((e) => e.setting === 'criteria.query (HsmAccessChange)')!.description).toContain('are not documented operation names');
      expect(entries.find((e) => e.setting === 'criteria.query (KeyDestruction)')!.description).not.toContain('not documented');
    }
  });
});
