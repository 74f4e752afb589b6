import { App, Stack } from 'aws-cdk-lib';
import { env, role } from './common';
import { ComplianceProfile, aws } from '../../src';

/** Provider-managed keys for a commercial workload, and a reference to the AWS managed S3 key. */
export function providerManagedApp(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'CommercialApp', { env });
  const profile = ComplianceProfile.COMMERCIAL;
  const auditSink = new aws.KeyAuditSink(stack, 'Audit', {
    profile,
    custodians: { administrators: [role('PlatformKeyAdmins')], auditors: [role('SecurityAuditors')] },
    notificationEmails: ['kms-alerts@example.com'],
  });
  const key = new aws.ManagedKey(stack, 'AppDataKey', { profile, auditSink, aliases: ['app/data'] });
  key.grantEncryptDecrypt(role('AppService'));
  aws.ManagedKey.fromAwsManagedKey(stack, 'S3ManagedKey', aws.AwsManagedKeyService.S3);
  return app;
}
