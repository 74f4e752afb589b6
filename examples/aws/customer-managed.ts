import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { env, role } from './common';
import { ComplianceProfile, EvidenceLedger, aws } from '../../src';

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
  // A post-quantum (ML-DSA-65, FIPS 204) key that signs the reports: the pipeline signs and verifies with ML_DSA_SHAKE_256
  // only (the key policy denies every other signing algorithm). KMS cannot rotate it: a new key and an alias move.
  new aws.CustomerManagedKey(reports, 'ReportSigningKey', {
    auditSink: reportsSink,
    keySpec: kms.KeySpec.ML_DSA_65,
    aliases: ['app/report-signing'],
    custodians: {
      administrators: [role('PlatformKeyAdmins')],
      users: [role('ReportSigningPipeline')],
      auditors: [role('SecurityAuditors')],
    },
  });

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
    lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
  });
  // Object events to EventBridge (set on the L1: the L2's eventBridgeEnabled adds a custom-resource function).
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  // Every read, write and delete of cardholder data is recorded by the audit trail (CloudTrail data events), write-once.
  auditSink.recordObjectAccess(bucket);
  // Findings you accept are acknowledged where they arise, with the reason an assessor will read.
  const reason = 'Example workload: cross-region replication of cardholder data is out of scope for this example.';
  const ctObjectLock = 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check';
  const noObjectLock = 'Cardholder data must be deletable when no longer needed (PCI DSS 3.2.1); write-once storage is for the audit trail, not for the data.';
  Validations.of(bucket).acknowledge(
    { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason },
    { id: 'HIPAA.Security-S3BucketReplicationEnabled', reason },
    { id: 'PCI.DSS.321-S3BucketReplicationEnabled', reason },
    // AWS Control Tower CT.S3.PR.9, as the CfnGuardValidator plugin names it (recorded in the evidence ledger below).
    { id: ctObjectLock, reason: noObjectLock },
  );
  EvidenceLedger.of(bucket).acknowledge({ subject: bucket.node.path, resource: bucket.node.path, rule: ctObjectLock, reason: noObjectLock });
  // Applications encrypt records through the envelope service: one data key per 1,000 records of a merchant,
  // and the key policy lets the function use the key only for requests that name the merchant.
  new aws.EnvelopeEncryptionFunction(pci, 'CardholderEnvelope', {
    key: cardholderKey,
    requiredContextKeys: ['merchant'],
    profile,
  });
  return app;
}
