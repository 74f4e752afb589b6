import { AUDIT_LOG_CONTROLS } from '../controls';
import { asList, finding, KmsRule, tfResources } from '../rule';

/**
 * Cloud KMS Data Access logs are on and routed to a sink, where the profile requires an audit sink, and into a bucket
 * with a locked retention policy (or a locked log bucket) where it requires immutable audit.
 */
export const AuditLogs: KmsRule = {
  id: 'CloudKms-GcpAuditLogs',
  cloud: 'gcp',
  description: 'Cloud KMS Data Access audit logs (DATA_READ, DATA_WRITE) are on and a log sink routes them, where the profile requires it',
  controls: AUDIT_LOG_CONTROLS,
  evaluate(json, { profile, siblings }) {
    const keys = tfResources(json, 'google_kms_crypto_key');
    if (keys.length === 0 || !profile.auditSinkRequired) {
      return [finding(this.id, 'configuration', undefined, keys.length === 0 ? 'no crypto keys' : `profile ${profile.name} requires no audit sink`)];
    }
    const kmsConfigs = (template: any) => tfResources(template, 'google_project_iam_audit_config')
      .filter(([, c]) => c.service === 'cloudkms.googleapis.com' || c.service === 'allServices');
    const sinks = tfResources(json, 'google_logging_project_sink', 'google_logging_organization_sink', 'google_logging_folder_sink')
      .filter(([, s]) => String(s.filter ?? '').includes('cloudkms'));
    // google_project_iam_audit_config is authoritative per service and project, so one stack of a project manages it
    // (KeyAuditSink manageDataAccessLogs): a sibling's config counts for this template's sinks when it names their project.
    const projects = new Set(sinks.map(([, s]) => s.project).filter((p) => typeof p === 'string'));
    const configs = [...kmsConfigs(json), ...(siblings ?? []).flatMap((t) => kmsConfigs(t).filter(([, c]) => projects.has(c.project)))];
    const types = new Set(configs.flatMap(([, c]) => asList<any>(c.audit_log_config).map((l) => l.log_type)));
    const sink = sinks.length > 0;
    const locked = tfResources(json, 'google_storage_bucket').some(([, b]) => (Array.isArray(b.retention_policy) ? b.retention_policy[0] : b.retention_policy)?.is_locked === true)
      || tfResources(json, 'google_logging_project_bucket_config').some(([, b]) => b.locked === true);
    const logged = types.has('DATA_READ') && types.has('DATA_WRITE') && sink;
    const ok = logged && (!profile.immutableAuditRequired || locked);
    return [finding(this.id, configs[0]?.[0] ?? 'configuration', ok, ok ? 'Data Access logs on, routed by a sink'
      : !sink ? 'no log sink routes Cloud KMS audit logs' : !logged ? 'Cloud KMS Data Access logs (DATA_READ, DATA_WRITE) are off' +
        (configs.length === 0 ? ' (no audit config for the project here or in a sibling stack checked with it)' : '')
        : 'the audit logs are not write-once (no locked retention policy or log bucket)')];
  },
};
