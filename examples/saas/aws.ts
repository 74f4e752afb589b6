/*
 * SaaS tenant isolation on AWS: a TIERED hierarchy (enterprise tenants get their own keys, the rest share a key per
 * tier with the tenant in the encryption context) under HIPAA, and the tenant-aware envelope function in front of it.
 * Part of npm run examples (examples/out/aws/saas).
 */
import { App, Stack } from 'aws-cdk-lib';
import { ComplianceProfile, TenantIsolation, aws } from '../../src';
import { env, role } from '../aws/common';

/** The tenants, as a platform's tenant registry would list them: never removed or reordered, only appended or offboarded. */
export const TENANTS = [
  { tenantId: 'acme-health', dedicated: true },
  { tenantId: 'globex-clinics', dedicated: true },
  { tenantId: 'initech-dental', pool: 'standard' },
  { tenantId: 'hooli-labs', pool: 'premium' },
  { tenantId: 'umbrella-care', dedicated: true, offboarded: true },
  { tenantId: 'vandelay-rx', pool: 'standard', offboarded: true },
];

export function saasAwsApp(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'SaasTenantKeys', { env });
  const profile = ComplianceProfile.HIPAA;
  const auditSink = new aws.KeyAuditSink(stack, 'Audit', {
    profile,
    custodians: { administrators: [role('PlatformKeyAdmins')], auditors: [role('SecurityAuditors')] },
  });
  const tenants = new aws.TenantKeyHierarchy(stack, 'Tenants', {
    profile,
    auditSink,
    isolation: TenantIsolation.TIERED,
    pools: ['standard', 'premium'],
    aliasPrefix: 'saas/tenants',
    tenantsPerShard: 100,
    custodians: { administrators: [role('PlatformKeyAdmins')], auditors: [role('SecurityAuditors')] },
    tenants: [
      // Acme's own integration role may use Acme's key, with Acme's context, and nothing else.
      { ...TENANTS[0], users: [role('AcmeHealthIntegration')] },
      ...TENANTS.slice(1),
    ],
  });
  // Tenant-serving applications call the function's IAM-authorized URL with a caller proof (createCallerProof, signed
  // for envelope.callerProofServerId): the tenantId tag of the role that signed it picks the tenant.
  const envelope = new aws.EnvelopeEncryptionFunction(stack, 'Envelope', {
    tenants,
    profile,
    requiredContextKeys: ['purpose'],
  });
  envelope.grantInvoke(role('PatientRecordsService'));
  return app;
}
