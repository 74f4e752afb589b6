import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ComplianceProfile, aws } from '../../src';

const ACCOUNT = '123456789012';
const role = (name: string) => new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/${name}`);

/**
 * A commercial workload: a provider-managed key for ordinary data, a customer-managed key whose policy
 * separates duties, a reference to the AWS managed S3 key, and a shared audit sink.
 */
export class CommercialStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const profile = ComplianceProfile.COMMERCIAL;
    const auditSink = new aws.KeyAuditSink(this, 'Audit', {
      profile,
      custodians: { administrators: [role('PlatformKeyAdmins')], auditors: [role('SecurityAuditors')] },
      notificationEmails: ['kms-alerts@example.com'],
    });

    new aws.ManagedKey(this, 'AppDataKey', { profile, auditSink, aliases: ['app/data'] });

    const reports = new aws.CustomerManagedKey(this, 'ReportsKey', {
      profile,
      auditSink,
      aliases: ['app/reports'],
      rotation: Duration.days(180),
      custodians: {
        administrators: [role('PlatformKeyAdmins')],
        users: [role('ReportingService')],
        auditors: [role('SecurityAuditors')],
      },
    });
    reports.grantDecryptWhen(role('ReportsReader'), { encryptionContext: { dataset: 'monthly-reports' } });

    // Data that AWS-managed encryption is good enough for.
    aws.ManagedKey.fromAwsManagedKey(this, 'S3ManagedKey', aws.AwsManagedKeyService.S3);
  }
}

/**
 * A PCI DSS cardholder-data environment: a customer-managed key under dual control, an immutable audit sink.
 */
export class PaymentsPciStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const profile = ComplianceProfile.PCI_DSS;
    const approvers = [role('KeyCustodianAlice'), role('KeyCustodianBob')];
    const auditSink = new aws.KeyAuditSink(this, 'Audit', {
      profile,
      custodians: { administrators: [role('PciKeyAdmins')], auditors: [role('QsaAuditors')], approvers },
      notificationEmails: ['pci-security@example.com'],
    });

    const cardholderKey = new aws.CustomerManagedKey(this, 'CardholderDataKey', {
      profile,
      auditSink,
      aliases: ['pci/cardholder-data'],
      custodians: {
        administrators: [role('PciKeyAdmins')],
        users: [role('PaymentsService')],
        auditors: [role('QsaAuditors')],
        approvers,
      },
    });

    // Tokenization may only decrypt records tagged for it, and only through S3.
    cardholderKey.grantDecryptWhen(role('TokenizationService'), {
      encryptionContext: { purpose: 'tokenization' },
      viaServices: [`s3.${this.region}.amazonaws.com`],
    });

    const bucket = new s3.Bucket(this, 'CardholderData', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: cardholderKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: auditSink.accessLogsBucket,
      serverAccessLogsPrefix: 'cardholder-data/',
    });
    // Findings you accept are acknowledged where they arise, with the reason an assessor will read.
    const reason = 'Example workload: cross-region replication of cardholder data is out of scope for this example.';
    Validations.of(bucket).acknowledge(
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason },
    );
  }
}

/** Builds the example app; `examples/run.ts` synthesizes it. */
export function buildAwsApp(outdir: string): App {
  const app = new App({ outdir });
  const env = { account: ACCOUNT, region: 'us-east-1' };
  new CommercialStack(app, 'Commercial', { env });
  new PaymentsPciStack(app, 'PaymentsPci', { env });
  return app;
}
