/*
 * SaaS tenant isolation on Google Cloud: a TIERED hierarchy of Cloud HSM keys sharded across key rings. Cloud KMS IAM
 * cannot condition use on the additional authenticated data, so pooled tenants are isolated by the envelope function;
 * tenant service accounts get a role on their own key only. Part of the Google Cloud example app (examples/out/gcp).
 */
import { App } from 'cdktf';
import { ComplianceProfile, TenantIsolation, gcp } from '../../src';
import { KeysStack, LOCATION, people, PROJECT } from '../gcp/common';

export function saasGcp(app: App): void {
  const stack = new KeysStack(app, 'gcp-saas-tenants');
  const profile = ComplianceProfile.HIPAA;
  const auditSink = new gcp.KeyAuditSink(stack, 'Audit', {
    project: PROJECT,
    location: 'EU',
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: [people.securityAlerts],
    escalationEmails: [people.securityOnCall],
    // gcp-customer-managed turns on Data Access logs for this project.
    manageDataAccessLogs: false,
  });
  new gcp.TenantKeyHierarchy(stack, 'Tenants', {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink,
    isolation: TenantIsolation.TIERED,
    pools: ['standard', 'premium'],
    keyRingPrefix: 'saas-tenants',
    custodians: { administrators: [people.keyAdministrators], users: [people.ordersService], auditors: [people.auditors] },
    tenants: [
      { tenantId: 'acme-health', dedicated: true, users: [`serviceAccount:acme-health@${PROJECT}.iam.gserviceaccount.com`] },
      { tenantId: 'globex-clinics', dedicated: true },
      { tenantId: 'initech-dental', pool: 'standard' },
      { tenantId: 'hooli-labs', pool: 'premium' },
      { tenantId: 'umbrella-care', dedicated: true, offboarded: true },
    ],
  });
}
