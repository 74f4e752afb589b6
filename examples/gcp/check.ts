/*
 * Checks on synthesized Terraform JSON for the Google Cloud examples: what `terraform validate` cannot tell, and what
 * an auditor asks first (CIS Google Cloud Foundations 1.9 to 1.11 among them). The JSON is what we check.
 */
import type { TerraformJson, TerraformSummary } from '../azure/check';

/** Roles that use key material. */
const CRYPTO_ROLES = new Set([
  'roles/cloudkms.cryptoKeyEncrypterDecrypter', 'roles/cloudkms.cryptoKeyEncrypter', 'roles/cloudkms.cryptoKeyDecrypter',
  'roles/cloudkms.signerVerifier', 'roles/cloudkms.signer', 'roles/cloudkms.verifier', 'roles/cloudkms.decapsulator',
]);
const PUBLIC = new Set(['allUsers', 'allAuthenticatedUsers']);
const AUTHORITATIVE = ['google_kms_crypto_key_iam_policy', 'google_kms_crypto_key_iam_binding', 'google_kms_key_ring_iam_policy',
  'google_kms_key_ring_iam_binding', 'google_project_iam_policy', 'google_project_iam_binding'];

export function checkGcpTerraform(stack: string, json: TerraformJson, providerVersion: string): TerraformSummary {
  const findings: string[] = [];
  const r = json.resource ?? {};
  const all = (type: string) => Object.entries(r[type] ?? {});
  const pinned = json.terraform?.required_providers?.google?.version;
  if (pinned !== providerVersion) findings.push(`${stack}: google provider pinned to ${pinned}, expected ${providerVersion}`);

  const rings = all('google_kms_key_ring');
  for (const [name, ring] of rings) {
    if (ring.lifecycle?.prevent_destroy !== true) findings.push(`${stack}: key ring ${name} without prevent_destroy`);
  }
  const keys = all('google_kms_crypto_key');
  for (const [name, k] of keys) {
    if (k.lifecycle?.prevent_destroy !== true) findings.push(`${stack}: key ${name} without prevent_destroy`);
    const external = k.import_only === true || /^EXTERNAL/.test(k.version_template?.protection_level ?? '');
    // CIS 1.10: symmetric keys rotate within 90 days (imported and external keys rotate by new versions).
    if (k.purpose === 'ENCRYPT_DECRYPT' && !external) {
      const seconds = Number(String(k.rotation_period ?? '').replace(/s$/, ''));
      if (!seconds || seconds > 90 * 86400) findings.push(`${stack}: key ${name} rotates every ${k.rotation_period ?? 'never'}, not within 90 days`);
    }
  }
  for (const type of AUTHORITATIVE) {
    for (const [name] of all(type)) findings.push(`${stack}: ${type}.${name} is authoritative and would remove other bindings`);
  }
  const memberBindings = [...all('google_kms_crypto_key_iam_member'), ...all('google_kms_key_ring_iam_member'), ...all('google_project_iam_member'),
    ...all('google_storage_bucket_iam_member')];
  for (const [name, b] of memberBindings) {
    if (PUBLIC.has(b.member)) findings.push(`${stack}: ${name} grants ${b.role} to ${b.member} (CIS 1.9)`);
  }
  for (const [name, b] of all('google_project_iam_member')) {
    if (String(b.role).startsWith('roles/cloudkms.')) findings.push(`${stack}: ${name} grants ${b.role} on the whole project`);
  }
  // CIS 1.11: nobody both administers keys and uses them (PAM-eligible administrators included).
  const admins = new Set([
    ...all('google_kms_key_ring_iam_member').filter(([, b]) => b.role === 'roles/cloudkms.admin' || /google_project_iam_custom_role\./.test(b.role))
      .map(([, b]) => b.member),
    ...all('google_privileged_access_manager_entitlement').flatMap(([, e]) => (e.eligible_users ?? []).flatMap((u: any) => u.principals ?? [])),
  ]);
  for (const [name, b] of all('google_kms_crypto_key_iam_member')) {
    if (CRYPTO_ROLES.has(b.role) && admins.has(b.member)) findings.push(`${stack}: ${b.member} administers keys and holds ${b.role} (${name}, CIS 1.11)`);
  }
  for (const [name, bucket] of all('google_storage_bucket')) {
    if (bucket.public_access_prevention !== 'enforced') findings.push(`${stack}: bucket ${name} does not enforce public access prevention`);
  }
  const audit = all('google_project_iam_audit_config').filter(([, a]) => a.service === 'cloudkms.googleapis.com');
  for (const [name, a] of audit) {
    const types = (a.audit_log_config ?? []).map((c: any) => c.log_type).sort().join(',');
    if (types !== 'ADMIN_READ,DATA_READ,DATA_WRITE') findings.push(`${stack}: ${name} logs ${types}, not every Data Access type`);
  }
  // Alert policies as Cloud Monitoring accepts them: a log-match policy has one condition and a notification rate limit; a
  // metric threshold names a resource type; `${log.…}` labels reach Monitoring only escaped as `$${log.…}`.
  const policies = all('google_monitoring_alert_policy');
  for (const [name, p] of policies) {
    const conditions: any[] = p.conditions ?? [];
    if (conditions.some((c) => c.condition_matched_log)) {
      if (conditions.length !== 1) findings.push(`${stack}: alert policy ${name} has a log-match condition among ${conditions.length} conditions`);
      if (!p.alert_strategy?.notification_rate_limit?.period) findings.push(`${stack}: log-match alert policy ${name} has no notification rate limit`);
    }
    for (const c of conditions.filter((x) => x.condition_threshold)) {
      if (!/resource\.type\s*=/.test(c.condition_threshold.filter ?? '')) findings.push(`${stack}: alert policy ${name} thresholds a metric without a resource type`);
    }
    if (/(^|[^$])\$\{log\./.test(p.documentation?.content ?? '')) findings.push(`${stack}: alert policy ${name} documentation has an unescaped \${log.`);
    if ((p.notification_channels ?? []).length === 0) findings.push(`${stack}: alert policy ${name} notifies nobody`);
  }
  // A stack with a Cloud KMS audit sink alerts on key version destruction and on audit-configuration changes.
  if (all('google_logging_project_sink').some(([, sink]) => String(sink.filter).includes('cloudkms.googleapis.com'))) {
    const watched = policies.map(([, p]) => JSON.stringify(p.conditions ?? []));
    if (!watched.some((c) => c.includes('DestroyCryptoKeyVersion'))) findings.push(`${stack}: no alert on DestroyCryptoKeyVersion`);
    if (!watched.some((c) => c.includes('auditConfigDeltas'))) findings.push(`${stack}: no alert on audit configuration changes`);
  }
  return {
    resources: Object.values(r).reduce((n, byName) => n + Object.keys(byName).length, 0),
    vaults: rings.length,
    hsms: all('google_kms_ekm_connection').length,
    keys: keys.length,
    audited: audit.length,
    roleAssignments: memberBindings.length,
    findings,
  };
}
