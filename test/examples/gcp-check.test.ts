import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { checkGcpTerraform } from '../../examples/gcp/check';
import { gcpApp } from '../../examples/gcp/main';

const outdir = mkdtempSync(join(tmpdir(), 'gcp-examples-'));
gcpApp(outdir).synth();
const stackJson = (name: string): any => JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
const STACKS = ['gcp-provider-managed', 'gcp-customer-managed', 'gcp-byok', 'gcp-hyok', 'gcp-post-quantum', 'gcp-saas-tenants'];
/** The organisation guardrails (examples/organization/gcp.ts): no keys. */
const ORGANIZATION_STACKS = ['gcp-organization', 'gcp-organization-sandbox'];

test('the example app synthesizes in the cdktf.out layout, one stack per model and the organisation guardrails, with a cdktf.json', () => {
  expect(Object.keys(JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')).stacks).sort()).toEqual([...STACKS, ...ORGANIZATION_STACKS].sort());
  const cdktfJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'gcp', 'cdktf.json'), 'utf8'));
  expect(cdktfJson).toMatchObject({ language: 'typescript', output: '../out/gcp' });
});

test.each(STACKS)('%s passes the Terraform checks', (name) => {
  const summary = checkGcpTerraform(name, stackJson(name), '6.50.0');
  expect(summary.findings).toEqual([]);
  expect(summary.keys).toBeGreaterThan(0);
});

test('exactly one stack of the project manages its Cloud KMS Data Access audit configuration (authoritative per service and project)', () => {
  const managers = STACKS.flatMap((name) => Object.values<any>(stackJson(name).resource.google_project_iam_audit_config ?? {})
    .filter((a) => a.service === 'cloudkms.googleapis.com').map((a) => [name, a.project]));
  expect(managers).toEqual([['gcp-customer-managed', 'acme-payments-prod']]);
});

test('every audit sink of the examples reports alerting changes, snoozes included, to an escalation channel the other alerts do not use', () => {
  const sinks = STACKS.filter((name) => stackJson(name).resource.google_logging_project_sink);
  expect(sinks).toEqual(['gcp-customer-managed', 'gcp-byok', 'gcp-hyok', 'gcp-saas-tenants']);
  for (const name of sinks) {
    const policies = Object.values<any>(stackJson(name).resource.google_monitoring_alert_policy);
    const alerting = policies.filter((p) => p.conditions[0].condition_matched_log.filter.includes('google.monitoring.v3.SnoozeService.CreateSnooze'));
    expect(alerting).toHaveLength(1);
    const others = new Set(policies.filter((p) => p !== alerting[0]).flatMap((p) => p.notification_channels));
    expect(alerting[0].notification_channels.filter((c: string) => !others.has(c))).toHaveLength(1);
  }
});

describe('the checks catch what they claim to', () => {
  const findings = (name: string, mutate: (json: any) => void) => {
    const json = stackJson(name);
    mutate(json);
    return checkGcpTerraform(name, json, '6.50.0').findings;
  };
  const first = (json: any, type: string) => Object.values(json.resource[type])[0] as any;

  test.each<[string, string, (json: any) => void, RegExp]>([
    ['a key without prevent_destroy', 'gcp-customer-managed', (j) => { delete first(j, 'google_kms_crypto_key').lifecycle; }, /without prevent_destroy/],
    ['a ring without prevent_destroy', 'gcp-byok', (j) => { delete first(j, 'google_kms_key_ring').lifecycle; }, /key ring .* without prevent_destroy/],
    ['a symmetric key rotated yearly (CIS 1.10)', 'gcp-provider-managed', (j) => { first(j, 'google_kms_crypto_key').rotation_period = '31536000s'; },
      /rotates every 31536000s, not within 90 days/],
    ['a symmetric key never rotated', 'gcp-customer-managed', (j) => { delete first(j, 'google_kms_crypto_key').rotation_period; }, /rotates every never/],
    ['a public member (CIS 1.9)', 'gcp-byok', (j) => { first(j, 'google_kms_crypto_key_iam_member').member = 'allUsers'; }, /grants .* to allUsers \(CIS 1.9\)/],
    ['a Cloud KMS role on the whole project', 'gcp-byok', (j) => {
      j.resource.google_project_iam_member = { wide: { project: 'p', role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', member: 'user:x@example.com' } };
    }, /grants roles\/cloudkms.cryptoKeyEncrypterDecrypter on the whole project/],
    ['an authoritative binding', 'gcp-byok', (j) => { j.resource.google_kms_crypto_key_iam_binding = { b: { role: 'roles/cloudkms.viewer', members: [] } }; }, /is authoritative/],
    ['an administrator who decrypts (CIS 1.11)', 'gcp-byok', (j) => {
      const admin = (Object.values(j.resource.google_kms_key_ring_iam_member) as any[]).find((b) => /google_project_iam_custom_role\./.test(b.role));
      first(j, 'google_kms_crypto_key_iam_member').member = admin.member;
      first(j, 'google_kms_crypto_key_iam_member').role = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';
    }, /administers keys and holds roles\/cloudkms.cryptoKeyEncrypterDecrypter .*CIS 1.11/],
    ['a PAM-eligible administrator who encrypts (CIS 1.11)', 'gcp-customer-managed', (j) => {
      const binding = (Object.values(j.resource.google_kms_crypto_key_iam_member) as any[]).find((b) => b.role === 'roles/cloudkms.cryptoKeyEncrypter');
      binding.member = first(j, 'google_privileged_access_manager_entitlement').eligible_users[0].principals[0];
    }, /administers keys and holds roles\/cloudkms.cryptoKeyEncrypter /],
    ['a bucket without public access prevention', 'gcp-byok', (j) => { first(j, 'google_storage_bucket').public_access_prevention = 'inherited'; },
      /does not enforce public access prevention/],
    ['Data Access logs without DATA_READ', 'gcp-customer-managed', (j) => { first(j, 'google_project_iam_audit_config').audit_log_config.splice(1, 1); },
      /logs ADMIN_READ,DATA_WRITE, not every Data Access type/],
    ['a log-match alert policy without a rate limit', 'gcp-byok', (j) => { delete first(j, 'google_monitoring_alert_policy').alert_strategy; },
      /log-match alert policy .* has no notification rate limit/],
    ['a metric threshold without a resource type', 'gcp-byok', (j) => {
      first(j, 'google_monitoring_alert_policy').conditions = [{ display_name: 'x', condition_threshold: { filter: 'metric.type="logging.googleapis.com/user/x"' } }];
    }, /thresholds a metric without a resource type/],
    ['an alert that notifies nobody', 'gcp-hyok', (j) => { first(j, 'google_monitoring_alert_policy').notification_channels = []; }, /notifies nobody/],
    ['a sink without a key-destruction alert', 'gcp-saas-tenants', (j) => {
      for (const [n, p] of Object.entries<any>(j.resource.google_monitoring_alert_policy)) {
        if (JSON.stringify(p.conditions).includes('DestroyCryptoKeyVersion')) delete j.resource.google_monitoring_alert_policy[n];
      }
    }, /no alert on DestroyCryptoKeyVersion/],
  ])('%s', (_what, stack, mutate, message) => {
    expect(findings(stack, mutate)).toEqual([expect.stringMatching(message)]);
  });
});

test.each(ORGANIZATION_STACKS)('%s (organisation guardrails, no keys) passes the Terraform checks', (name) => {
  const summary = checkGcpTerraform(name, stackJson(name), '6.50.0');
  expect(summary.findings).toEqual([]);
  expect(summary.keys).toBe(0);
  expect(Object.keys(stackJson(name).resource.google_org_policy_policy ?? {}).length).toBeGreaterThan(0);
});
