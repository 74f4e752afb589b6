import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { env, role } from './common';
import { ComplianceProfile, Control, aws, compliance } from '../../src';

/** Customer-managed keys under two profiles: a commercial reporting key, and PCI DSS cardholder data under dual control. */
export function customerManagedApp(outdir: string): App {
  const app = new App({ outdir });

  const reports = new Stack(app, 'ReportsCommercial', { env });
  const reportsSink = new aws.KeyAuditSink(reports, 'Audit', {
    custodians: { administrators: [role('PlatformKeyAdmins')], auditors: [role('SecurityAuditors')] },
  });
  const reportsKey = new aws.CustomerManagedKey(reports, 'ReportsKey', {
    auditSink: reportsSink,
    aliases: ['app/reports'],
    rotation: Duration.days(180),
    custodians: {
      administrators: [role('PlatformKeyAdmins')],
      users: [role('ReportingService')],
      auditors: [role('SecurityAuditors')],
    },
  });
  reportsKey.grantDecryptWhen(role('ReportsReader'), { encryptionContext: { dataset: 'monthly-reports' } });

  const pci = new Stack(app, 'PaymentsPci', { env });
  const profile = ComplianceProfile.PCI_DSS;
  const approvers = [role('KeyCustodianAlice'), role('KeyCustodianBob')];
  const auditSink = new aws.KeyAuditSink(pci, 'Audit', {
    profile,
    custodians: { administrators: [role('PciKeyAdmins')], auditors: [role('QsaAuditors')], approvers },
    notificationEmails: ['pci-security@example.com'],
  });
  const cardholderKey = new aws.CustomerManagedKey(pci, 'CardholderDataKey', {
    profile,
    auditSink,
    aliases: ['pci/cardholder-data'],
    custodians: { administrators: [role('PciKeyAdmins')], users: [role('PaymentsService')], auditors: [role('QsaAuditors')], approvers },
  });
  // Tokenization may only decrypt records tagged for it, and only through S3.
  cardholderKey.grantDecryptWhen(role('TokenizationService'), {
    encryptionContext: { purpose: 'tokenization' },
    viaServices: [`s3.${pci.region}.amazonaws.com`],
  });
  const bucket = new s3.Bucket(pci, 'CardholderData', {
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
  // Applications encrypt records through the envelope service: one data key per 1,000 records of a merchant,
  // and the key policy lets the function use the key only for requests that name the merchant.
  new aws.EnvelopeEncryptionFunction(pci, 'CardholderEnvelope', {
    key: cardholderKey,
    requiredContextKeys: ['merchant'],
    profile,
  });
  // The access matrix in compliance-report.md shows why PCI DSS 3.7.6 is only partially satisfied here: without the
  // dual-control gate, one approver with MFA can disable or schedule deletion of a key alone, and the deployment role can
  // change its policy alone. Accepted for this example, with that reason, until it deploys the gate.
  const dualControlGap = 'No dual-control gate in this example: one approver with MFA can disable or schedule deletion alone, ' +
    'and the CloudFormation execution role can change the key policy alone (see the access matrix).';
  compliance.ComplianceReport.acknowledgeControl(cardholderKey, Control.PCI_3_7_6, dualControlGap);
  compliance.ComplianceReport.acknowledgeControl(auditSink, Control.PCI_3_7_6, dualControlGap);
  return app;
}
