import { App, Stack } from 'aws-cdk-lib';
import { env, role } from './common';
import { ComplianceProfile, aws } from '../../src';

/**
 * Bring your own key under FedRAMP High: the key waits in PendingImport for the ceremony
 * (`cloud-kms byok aws params` -> `cloud-kms byok wrap` -> `cloud-kms byok aws import`).
 */
export function byokApp(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'BankingFedrampHigh', { env });
  const profile = ComplianceProfile.FEDRAMP_HIGH;
  const auditSink = new aws.KeyAuditSink(stack, 'Audit', {
    profile,
    custodians: { administrators: [role('KeyAdmins')], auditors: [role('Assessors')] },
  });
  // Material expires at the end of next year: the import must be repeated (a rotation) before then.
  const nextYearEnd = new Date(Date.UTC(new Date().getUTCFullYear() + 2, 0, 1));
  new aws.ByokImport(stack, 'LedgerKey', {
    profile,
    auditSink,
    aliases: ['banking/ledger'],
    keyMaterialExpiry: aws.KeyMaterialExpiry.expiresAt(nextYearEnd),
    custodians: {
      administrators: [role('KeyAdmins')],
      users: [role('LedgerService')],
      auditors: [role('Assessors')],
      importers: [role('KeyCeremonyOfficer')],
    },
  });
  return app;
}
