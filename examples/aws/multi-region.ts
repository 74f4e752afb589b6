import { App, Stack } from 'aws-cdk-lib';
import { ACCOUNT, role } from './common';
import { ComplianceProfile, aws } from '../../src';

const PRIMARY_REGION = 'eu-west-1';
const REPLICA_REGION = 'eu-central-1';

/**
 * Keys that follow the data, inside the EU, under PCI DSS dual control: a multi-Region cardholder-data key in Ireland
 * with its replica in Frankfurt. The replica's policy comes from the same builder as the primary's; its own audit sink
 * records its events (KMS events reach EventBridge only in their own region). CloudFormation never replicates a
 * dual-control key: two people do, through the dual-control gate (docs/aws.md, Multi-Region keys). The primary's stack
 * outputs the replica's expected policy; the Frankfurt stack deploys once the gate has created the replica, and checks
 * it.
 */
export function multiRegionApp(outdir: string): App {
  const app = new App({ outdir });
  const allowedRegions = [PRIMARY_REGION, REPLICA_REGION];
  const pci = ComplianceProfile.custom({ name: 'PCI_DSS_EU', basedOn: ComplianceProfile.PCI_DSS, allowedRegions });

  const primary = new Stack(app, 'KeysEuWest', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  // The replica's stack needs the primary's key id and ARN: CDK carries them across regions (SSM parameters in Frankfurt).
  const replica = new Stack(app, 'KeysEuCentral', { env: { account: ACCOUNT, region: REPLICA_REGION }, crossRegionReferences: true });
  const approvers = [role('KeyCustodianAlice'), role('KeyCustodianBob')];
  const sinkCustodians = { administrators: [role('PciKeyAdmins')], auditors: [role('QsaAuditors')], approvers };
  const primarySink = new aws.KeyAuditSink(primary, 'Audit', { profile: pci, custodians: sinkCustodians, notificationEmails: ['pci-security@example.com'] });
  const replicaSink = new aws.KeyAuditSink(replica, 'Audit', { profile: pci, custodians: sinkCustodians, notificationEmails: ['pci-security@example.com'] });

  const cardholder = new aws.CustomerManagedKey(primary, 'CardholderDataKey', {
    profile: pci,
    multiRegion: true,
    auditSink: primarySink,
    aliases: ['pci/cardholder-data'],
    custodians: {
      administrators: [role('PciKeyAdmins')],
      users: [role('PaymentsService')],
      auditors: [role('QsaAuditors')],
      approvers,
    },
  });
  cardholder.replicateTo(replica, 'CardholderDataReplica', { auditSink: replicaSink, aliases: ['pci/cardholder-data'] });

  return app;
}
