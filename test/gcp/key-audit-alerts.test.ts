import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import { buildReport, ControlStatus } from '../../src/compliance/report';
import * as gcp from '../../src/gcp';
import { gcpCmk, gcpSink, gcpStack, m, one, PROJECT, resources, synth, TfJson } from '../support/gcp';

const KMS = 'logName:"cloudaudit.googleapis.com" AND protoPayload.serviceName="cloudkms.googleapis.com"';
const AUDIT = 'logName:"cloudaudit.googleapis.com"';
const PAGER = `projects/${PROJECT}/notificationChannels/1234567890`;

/** The log-based metric whose name ends in `suffix`, with its Terraform resource name. */
function metric(json: TfJson, suffix: string): { ref: string; filter: string; name: string; metric_descriptor: any } {
  const found = Object.entries(resources(json, 'google_logging_metric')).filter(([, v]) => (v as any).name.endsWith(`/${suffix}`));
  if (found.length !== 1) throw new Error(`expected one metric ending in ${suffix}, found ${found.length}`);
  return { ref: found[0][0], ...(found[0][1] as any) };
}

/** The alert policy whose one condition matches the same log entries as `metric`. */
function policyOn(json: TfJson, metricFilter: string): any {
  const found = Object.values(resources(json, 'google_monitoring_alert_policy')).filter((p: any) =>
    p.conditions.some((c: any) => c.condition_matched_log?.filter === metricFilter));
  if (found.length !== 1) throw new Error(`expected one alert policy matching ${metricFilter}, found ${found.length}`);
  return found[0];
}

describe('alerts on Cloud KMS events (NIST AU-6, SOC 2 CC7.2)', () => {
  const stack = gcpStack();
  gcpSink(stack, ComplianceProfile.PCI_DSS, 'Audit', { notificationChannels: [PAGER] });
  const json = synth(stack);
  const email = Object.entries(resources(json, 'google_monitoring_notification_channel'))
    .filter(([, c]) => (c as any).labels.email_address === m.securityTeam).map(([n]) => n);

  test('one e-mail notification channel per address, escalation addresses included', () => {
    expect(Object.values(resources(json, 'google_monitoring_notification_channel'))).toEqual([
      expect.objectContaining({ project: PROJECT, type: 'email', labels: { email_address: m.securityTeam } }),
      expect.objectContaining({ project: PROJECT, type: 'email', labels: { email_address: m.securityOnCall } }),
    ]);
  });

  test.each([
    ['key-version-destroyed', `${KMS} AND protoPayload.methodName=("DestroyCryptoKeyVersion" OR "google.cloud.kms.v1.KeyManagementService.DestroyCryptoKeyVersion")`],
    ['key-version-state-changed', `${KMS} AND protoPayload.methodName=("UpdateCryptoKeyVersion" OR "google.cloud.kms.v1.KeyManagementService.UpdateCryptoKeyVersion")`],
    ['key-settings-changed', `${KMS} AND protoPayload.methodName=("UpdateCryptoKey" OR "google.cloud.kms.v1.KeyManagementService.UpdateCryptoKey" OR ` +
      '"UpdateCryptoKeyPrimaryVersion" OR "google.cloud.kms.v1.KeyManagementService.UpdateCryptoKeyPrimaryVersion")'],
    ['kms-iam-changed', `${KMS} AND protoPayload.methodName=("SetIamPolicy" OR "google.iam.v1.IAMPolicy.SetIamPolicy")`],
    ['key-version-imported', `${KMS} AND protoPayload.methodName=("ImportCryptoKeyVersion" OR "google.cloud.kms.v1.KeyManagementService.ImportCryptoKeyVersion")`],
    ['project-kms-role-granted', 'logName:"cloudaudit.googleapis.com" AND resource.type="project" AND protoPayload.methodName="SetIamPolicy" AND ' +
      '(protoPayload.serviceData.policyDelta.bindingDeltas.role:"roles/cloudkms." OR protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner" OR ' +
      'protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/editor")'],
    ['ekm-connection-changed', `${KMS} AND protoPayload.methodName=("CreateEkmConnection" OR "google.cloud.kms.v1.EkmService.CreateEkmConnection" OR ` +
      '"UpdateEkmConnection" OR "google.cloud.kms.v1.EkmService.UpdateEkmConnection" OR "UpdateEkmConfig" OR "google.cloud.kms.v1.EkmService.UpdateEkmConfig")'],
    ['decrypt-denied', `${KMS} AND protoPayload.methodName=("Decrypt" OR "google.cloud.kms.v1.KeyManagementService.Decrypt" OR "AsymmetricDecrypt" OR ` +
      '"google.cloud.kms.v1.KeyManagementService.AsymmetricDecrypt") AND protoPayload.status.code=7'],
  ])('%s: a project-level counter on exactly those audit entries', (suffix, filter) => {
    const found = metric(json, suffix);
    expect(found).toMatchObject({ project: PROJECT, filter, metric_descriptor: { metric_kind: 'DELTA', value_type: 'INT64', unit: '1' } });
    // Project-level: no bucket_name, so it counts the project's entries, not only those in a log bucket.
    expect(found).not.toHaveProperty('bucket_name');
  });

  test.each([
    ['key-version-destroyed', 'CRITICAL'], ['key-version-state-changed', 'CRITICAL'], ['kms-iam-changed', 'CRITICAL'],
    ['key-version-imported', 'CRITICAL'], ['ekm-connection-changed', 'CRITICAL'], ['decrypt-denied', 'WARNING'], ['project-kms-role-granted', 'ERROR'],
    ['key-settings-changed', 'ERROR'],
  ])('%s: a log-match alert on the same entries notifies the e-mail channel and the extra channel', (suffix, severity) => {
    const policy = policyOn(json, metric(json, suffix).filter);
    expect(policy).toMatchObject({ project: PROJECT, combiner: 'OR', severity });
    expect(policy.notification_channels).toEqual([`\${google_monitoring_notification_channel.${email[0]}.name}`, PAGER]);
    // Cloud Monitoring allows exactly one condition in a log-match policy, and requires a notification rate limit.
    expect(policy.conditions).toHaveLength(1);
    expect(policy.conditions[0].condition_matched_log.label_extractors).toEqual({
      principal: 'EXTRACT(protoPayload.authenticationInfo.principalEmail)',
      method: 'EXTRACT(protoPayload.methodName)',
      resource: 'EXTRACT(protoPayload.resourceName)',
    });
    expect(policy.alert_strategy).toEqual({ notification_rate_limit: { period: '300s' }, auto_close: '86400s' });
    // The extracted labels are filled in by Cloud Monitoring: Terraform must see the escaped $${, not an interpolation.
    expect(policy.documentation.content).toContain('Who: $${log.extracted_label.principal}.');
    expect(policy.documentation.content).not.toMatch(/[^$]\$\{log/);
  });
});

describe('alerts on changes to the audit trail (PCI DSS 10.3.4)', () => {
  const stack = gcpStack();
  gcpSink(stack, ComplianceProfile.PCI_DSS);
  const json = synth(stack);
  const bucket = Object.keys(resources(json, 'google_storage_bucket'))[0];

  test.each([
    ['audit-bucket-changed', `${AUDIT} AND resource.type="gcs_bucket" AND resource.labels.bucket_name="\${google_storage_bucket.${'BUCKET'}.name}" ` +
      'AND protoPayload.methodName=("storage.setIamPermissions" OR "storage.buckets.update" OR "storage.buckets.delete")'],
    ['log-routing-changed', `${AUDIT} AND protoPayload.serviceName="logging.googleapis.com" AND protoPayload.methodName=(` + [
      'UpdateSink', 'DeleteSink', 'UpdateBucket', 'UpdateBucketAsync', 'DeleteBucket', 'CreateExclusion', 'UpdateExclusion', 'UpdateSettings', 'UpdateCmekSettings',
    ].map((x) => `"google.logging.v2.ConfigServiceV2.${x}"`).join(' OR ') +
      ' OR "google.logging.v2.MetricsServiceV2.UpdateLogMetric" OR "google.logging.v2.MetricsServiceV2.DeleteLogMetric")'],
    // CIS Google Cloud Foundations 2.5, verbatim.
    ['audit-config-changed', `${AUDIT} AND protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*`],
    ['alerting-changed', `${AUDIT} AND protoPayload.serviceName="monitoring.googleapis.com" AND protoPayload.methodName=(` +
      '"google.monitoring.v3.AlertPolicyService.UpdateAlertPolicy" OR "google.monitoring.v3.AlertPolicyService.DeleteAlertPolicy" OR ' +
      '"google.monitoring.v3.NotificationChannelService.UpdateNotificationChannel" OR "google.monitoring.v3.NotificationChannelService.DeleteNotificationChannel" OR ' +
      '"google.monitoring.v3.SnoozeService.CreateSnooze" OR "google.monitoring.v3.SnoozeService.UpdateSnooze")'],
  ])('%s: counted and alerted on the first entry', (suffix, filter) => {
    const found = metric(json, suffix);
    expect(found.filter).toBe(filter.replace('BUCKET', bucket));
    const policy = policyOn(json, found.filter);
    expect(policy.severity).toBe('CRITICAL');
    expect(policy.notification_channels[0]).toMatch(/^\$\{google_monitoring_notification_channel\..*\.name\}$/);
    expect(policy.alert_strategy.notification_rate_limit).toEqual({ period: '300s' });
  });

  test('twelve metrics, each with its own log-match alert policy on the same filter', () => {
    expect(Object.keys(resources(json, 'google_logging_metric'))).toHaveLength(12);
    expect(Object.keys(resources(json, 'google_monitoring_alert_policy'))).toHaveLength(12);
  });

  test('evidence: AU-6 and CC7.2 satisfied by the key alerts, 10.3.4 by the locked bucket and the trail alerts, naming them', () => {
    const ledger = EvidenceLedger.of(stack);
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2]) {
      const [e] = ledger.evidenceFor(control, 'test/Audit');
      expect(e.status).toBe(EvidenceStatus.SATISFIED);
      expect(e.resource).toContain('test/Audit/KeyVersionDestroyedAlert');
      expect(e.resource).toContain('test/Audit/DecryptDeniedAlert');
      expect(e.value).toContain('google.cloud.kms.v1.KeyManagementService.DestroyCryptoKeyVersion');
    }
    const [integrity] = ledger.evidenceFor(Control.PCI_10_3_4, 'test/Audit');
    expect(integrity.status).toBe(EvidenceStatus.SATISFIED);
    expect(integrity.resource).toContain('test/Audit/Bucket');
    expect(integrity.resource).toContain('test/Audit/AuditBucketChangedAlert');
    expect(integrity.value).toContain('storage.setIamPermissions');
    expect(integrity.description).toMatch(/Not covered: records added by a principal holding storage.objects.create/);
  });
});

test('a log bucket destination: no Cloud Storage alert, 10.3.4 rests on the locked log bucket', () => {
  const stack = gcpStack();
  gcpSink(stack, ComplianceProfile.SOVEREIGN, 'Audit', { destination: gcp.AuditDestination.LOG_BUCKET, location: 'europe-west1' });
  const json = synth(stack);
  expect(() => metric(json, 'audit-bucket-changed')).toThrow(/found 0/);
  expect(metric(json, 'log-routing-changed').filter).toContain('"google.logging.v2.ConfigServiceV2.UpdateBucket"');
  const [integrity] = EvidenceLedger.of(stack).evidenceFor(Control.PCI_10_3_4, 'test/Audit');
  expect(integrity).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'locked, condition_matched_log.filter' });
  expect(integrity.resource).toContain('test/Audit/LogBucket');
});

describe('what the evidence does not claim', () => {
  test('no recipient (COMMERCIAL): the alerts exist but AU-6, CC7.2 and 10.3.4 are only partially satisfied', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.COMMERCIAL, 'Audit', { notificationEmails: [], escalationEmails: [] });
    const json = synth(stack);
    expect(Object.keys(resources(json, 'google_monitoring_alert_policy'))).toHaveLength(12);
    expect(resources(json, 'google_monitoring_notification_channel')).toEqual({});
    const ledger = EvidenceLedger.of(stack);
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2, Control.PCI_10_3_4]) {
      const [e] = ledger.evidenceFor(control, 'test/Audit');
      expect(e.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
      expect(e.description).toContain('notify nobody');
    }
  });

  test('unlocked retention (COMMERCIAL): 10.3.4 partially satisfied, records can be deleted', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.COMMERCIAL, 'Audit', { immutable: false, acknowledgeLockedRetention: undefined });
    const [e] = EvidenceLedger.of(stack).evidenceFor(Control.PCI_10_3_4, 'test/Audit');
    expect(e.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
    expect(e.description).toMatch(/^retention is not locked/);
    expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_6, 'test/Audit')[0].status).toBe(EvidenceStatus.SATISFIED);
  });
});

test.each([
  [ComplianceProfile.PCI_DSS, [Control.PCI_10_3_4]],
  [ComplianceProfile.SOC2, [Control.SOC2_CC7_2]],
  [ComplianceProfile.FEDRAMP_MODERATE, [Control.NIST_AU_6]],
].map(([p, c]) => [(p as ComplianceProfile).name, p, c] as const))('%s: a key with the audit sink reports its audit controls satisfied, unacknowledged', (_n, profile, controls) => {
  const stack = gcpStack();
  gcpCmk(stack, profile as ComplianceProfile);
  const key = buildReport(EvidenceLedger.of(stack)).stacks[0].keys.find((k) => k.path === 'test/OrdersKey')!;
  for (const control of controls as Control[]) {
    expect(key.controls.find((c) => c.id === control.id)).toMatchObject({ status: ControlStatus.SATISFIED, acknowledged: undefined });
  }
});

describe('bad input', () => {
  test.each<[string, ComplianceProfile, Partial<gcp.KeyAuditSinkProps>, string | RegExp]>([
    ['no recipient under PCI_DSS', ComplianceProfile.PCI_DSS, { notificationEmails: undefined },
      /^notificationEmails or notificationChannels must name at least one recipient under profile PCI_DSS: .* got none$/],
    ['an empty recipient list under SOC2', ComplianceProfile.SOC2, { notificationEmails: [], notificationChannels: [] }, /under profile SOC2/],
    ['an IAM member as e-mail', ComplianceProfile.COMMERCIAL, { notificationEmails: ['group:secops@example.com'] },
      'notificationEmails must be e-mail addresses, got group:secops@example.com'],
    ['a channel that is not a channel name', ComplianceProfile.COMMERCIAL, { notificationChannels: ['1234567890'] },
      'notificationChannels must be projects/<project>/notificationChannels/<id>, got 1234567890'],
  ])('%s', (_what, profile, extra, message) => {
    expect(() => gcpSink(gcpStack(), profile, 'Audit', extra)).toThrow(message);
  });

  test('an existing channel alone is enough under PCI_DSS', () => {
    expect(() => gcpSink(gcpStack(), ComplianceProfile.PCI_DSS, 'Audit', { notificationEmails: undefined, notificationChannels: [PAGER] })).not.toThrow();
  });
});

describe('silencing the alerts is reported where the silenced channels are not (AU-6, CC7.2, 10.3.4)', () => {
  const channelRef = (json: TfJson, address: string) => {
    const [name] = Object.entries(resources(json, 'google_monitoring_notification_channel')).find(([, c]) => (c as any).labels.email_address === address)!;
    return `\${google_monitoring_notification_channel.${name}.name}`;
  };
  const ONCALL_PAGER = `projects/${PROJECT}/notificationChannels/999`;

  test('the alerting-changed alert, and only it, also notifies the escalation e-mail and channel', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.PCI_DSS, 'Audit', { escalationChannels: [ONCALL_PAGER] });
    const json = synth(stack);
    const team = channelRef(json, m.securityTeam);
    const oncall = channelRef(json, m.securityOnCall);
    expect(one(json, 'google_monitoring_notification_channel', /escalation/i)).toMatchObject({
      type: 'email', labels: { email_address: m.securityOnCall }, display_name: `Cloud KMS alerting changes (${m.securityOnCall})`,
    });
    expect(policyOn(json, metric(json, 'alerting-changed').filter).notification_channels).toEqual([team, oncall, ONCALL_PAGER]);
    const others = Object.values(resources(json, 'google_monitoring_alert_policy')).filter((p: any) => !p.display_name.includes('snoozes'));
    expect(others).toHaveLength(11);
    for (const p of others as any[]) expect(p.notification_channels).toEqual([team]);
  });

  test('with an escalation recipient: satisfied, naming the alerting-changed policy and what stays trusted', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.PCI_DSS);
    const ledger = EvidenceLedger.of(stack);
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2, Control.PCI_10_3_4]) {
      const [e] = ledger.evidenceFor(control, 'test/Audit');
      expect(e.status).toBe(EvidenceStatus.SATISFIED);
      expect(e.resource).toContain('test/Audit/AlertingChangedAlert');
      expect(e.description).toContain('also notify 1 escalation channel(s) that no other alert uses');
      expect(e.description).toMatch(/Trusted, outside this app like a project owner: a principal with Cloud Monitoring write access .* snooze every policy/);
      expect(e.description).toContain('_Required');
    }
  });

  test('without one: AU-6, CC7.2 and 10.3.4 only partially satisfied, saying silencing is detected only if a channel still delivers', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.PCI_DSS, 'Audit', { escalationEmails: undefined, notificationChannels: [PAGER] });
    const json = synth(stack);
    expect(policyOn(json, metric(json, 'alerting-changed').filter).notification_channels).toEqual([channelRef(json, m.securityTeam), PAGER]);
    const ledger = EvidenceLedger.of(stack);
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2, Control.PCI_10_3_4]) {
      const [e] = ledger.evidenceFor(control, 'test/Audit');
      expect(e.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
      expect(e.description).toContain('no escalationEmails or escalationChannels are set');
      expect(e.description).toContain('silencing by someone who can edit channels or snoozes is detected only if one of those channels still delivers');
    }
  });

  test('under PCI DSS the compliance report refuses a sink without an escalation recipient', () => {
    const stack = gcpStack();
    gcpCmk(stack, ComplianceProfile.PCI_DSS, 'OrdersKey', { auditSink: gcpSink(stack, ComplianceProfile.PCI_DSS, 'Audit', { escalationEmails: [] }) });
    const key = buildReport(EvidenceLedger.of(stack)).stacks[0].keys.find((k) => k.path === 'test/OrdersKey')!;
    expect(key.controls.find((c) => c.id === Control.PCI_10_3_4.id)?.status).toBe(ControlStatus.PARTIALLY_SATISFIED);
  });

  test.each<[string, Partial<gcp.KeyAuditSinkProps>, string]>([
    ['an escalation address that is also a notification address', { escalationEmails: [m.securityTeam] },
      `escalationEmails must not repeat notificationEmails: an escalation recipient is one the other alerts do not depend on, got ${m.securityTeam}`],
    ['an escalation channel that is also a notification channel', { notificationChannels: [PAGER], escalationChannels: [PAGER] },
      `escalationChannels must not repeat notificationChannels: an escalation recipient is one the other alerts do not depend on, got ${PAGER}`],
    ['an IAM member as escalation e-mail', { escalationEmails: ['group:oncall@example.com'] }, 'escalationEmails must be e-mail addresses, got group:oncall@example.com'],
    ['a bad escalation channel', { escalationChannels: ['999'] }, 'escalationChannels must be projects/<project>/notificationChannels/<id>, got 999'],
  ])('bad input: %s', (_what, extra, message) => {
    expect(() => gcpSink(gcpStack(), ComplianceProfile.PCI_DSS, 'Audit', extra)).toThrow(message);
  });
});

describe('one manager of the Data Access audit configuration per project (google_project_iam_audit_config is authoritative)', () => {
  const DATA_ACCESS = [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15];
  const secondStack = (first: TerraformStack, id: string) => {
    const stack = new TerraformStack(first.node.root, id);
    new GoogleProvider(stack, 'google', { project: PROJECT });
    return stack;
  };

  test('two sinks of one app managing the same project: an error naming both paths and the prop', () => {
    const a = gcpStack('payments');
    gcpSink(a, ComplianceProfile.PCI_DSS);
    expect(() => gcpSink(secondStack(a, 'ledger'), ComplianceProfile.PCI_DSS)).toThrow(
      /^manageDataAccessLogs: payments\/Audit and ledger\/Audit both manage the Data Access audit configuration of Cloud KMS in project payments-prod .* set manageDataAccessLogs: false on all but one, got true on both$/);
  });

  test('different projects, or all but one set to false: no error', () => {
    const a = gcpStack('payments');
    gcpSink(a, ComplianceProfile.PCI_DSS);
    expect(() => gcpSink(secondStack(a, 'other'), ComplianceProfile.PCI_DSS, 'Audit', { project: 'other-project' })).not.toThrow();
    expect(() => gcpSink(secondStack(a, 'ledger'), ComplianceProfile.PCI_DSS, 'Audit', { manageDataAccessLogs: false })).not.toThrow();
  });

  test.each([['before', true], ['after', false]])('a sink with manageDataAccessLogs: false built %s the managing sink: no audit config, evidence names the manager', (_when, managerFirst) => {
    const a = gcpStack('payments');
    const b = secondStack(a, 'ledger');
    if (managerFirst) gcpSink(a, ComplianceProfile.PCI_DSS);
    gcpSink(b, ComplianceProfile.PCI_DSS, 'Audit', { manageDataAccessLogs: false });
    if (!managerFirst) gcpSink(a, ComplianceProfile.PCI_DSS);
    expect(resources(synth(b), 'google_project_iam_audit_config')).toEqual({});
    expect(Object.values(resources(synth(a), 'google_project_iam_audit_config'))).toEqual([expect.objectContaining({ service: 'cloudkms.googleapis.com' })]);
    const ledger = EvidenceLedger.of(a);
    for (const control of DATA_ACCESS) {
      const entries = ledger.evidenceFor(control, 'ledger/Audit');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, resource: 'payments/Audit/DataAccessLogs' });
      expect(entries[0].description).toMatch(/turned on by payments\/Audit of this app \(manageDataAccessLogs is false here\).*Destroying the stack of payments\/Audit turns them off for this sink too/);
    }
  });

  test('manageDataAccessLogs: false and no manager in the app: partially satisfied, the app cannot see it', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.PCI_DSS, 'Audit', { manageDataAccessLogs: false });
    expect(resources(synth(stack), 'google_project_iam_audit_config')).toEqual({});
    for (const control of DATA_ACCESS) {
      const [e] = EvidenceLedger.of(stack).evidenceFor(control, 'test/Audit');
      expect(e).toMatchObject({ status: EvidenceStatus.PARTIALLY_SATISFIED, value: 'manageDataAccessLogs: false' });
      expect(e.description).toMatch(/no other KeyAuditSink of this app manages .* project payments-prod: .* decided outside this app, which cannot see it/);
    }
  });
});
