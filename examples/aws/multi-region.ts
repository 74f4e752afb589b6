import { App, Stack } from 'aws-cdk-lib';
import { ACCOUNT, role } from './common';
import { ComplianceProfile, aws } from '../../src';

const PRIMARY_REGION = 'eu-west-1';
const REPLICA_REGION = 'eu-central-1';

/**
 * Keys that follow the data, inside the EU: a multi-Region patient-records key in Ireland with its replica in Frankfurt
 * (the same custodian policy, from one builder; its own audit sink, since KMS events reach EventBridge only in their own
 * region). Under dual control (PCI_DSS, SOVEREIGN) CloudFormation cannot create replicas: see docs/aws.md.
 */
export function multiRegionApp(outdir: string): App {
  const app = new App({ outdir });
  const allowedRegions = [PRIMARY_REGION, REPLICA_REGION];
  const hipaa = ComplianceProfile.custom({ name: 'HIPAA_EU', basedOn: ComplianceProfile.HIPAA, allowedRegions });

  const primary = new Stack(app, 'KeysEuWest', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  // The replica's template needs the primary's ARN: CDK carries it across regions (an SSM parameter in Frankfurt).
  const replica = new Stack(app, 'KeysEuCentral', { env: { account: ACCOUNT, region: REPLICA_REGION }, crossRegionReferences: true });
  const sinkCustodians = { administrators: [role('PlatformKeyAdmins')], auditors: [role('SecurityAuditors')] };
  const primarySink = new aws.KeyAuditSink(primary, 'Audit', { profile: hipaa, custodians: sinkCustodians });
  const replicaSink = new aws.KeyAuditSink(replica, 'Audit', { profile: hipaa, custodians: sinkCustodians });

  const records = new aws.CustomerManagedKey(primary, 'PatientRecordsKey', {
    profile: hipaa,
    multiRegion: true,
    auditSink: primarySink,
    aliases: ['app/patient-records'],
    custodians: {
      administrators: [role('PlatformKeyAdmins')],
      users: [role('RecordsService')],
      auditors: [role('SecurityAuditors')],
    },
  });
  records.replicateTo(replica, 'PatientRecordsReplica', { auditSink: replicaSink, aliases: ['app/patient-records'] });

  return app;
}
