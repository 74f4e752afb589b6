import { App, Stack } from 'aws-cdk-lib';
import { env, existingSecret, hsmNetwork, role } from './common';
import { ComplianceProfile, FipsLevel, aws } from '../../src';

const CA_CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBexampleIssuingCaCertificateOfTheCustomer\n-----END CERTIFICATE-----';

/**
 * Hold your own key: a sovereign workload whose keys stay in the customer's external key manager (XKS), and a
 * FedRAMP High workload on the customer's own CloudHSM cluster.
 */
export function hyokApp(outdir: string): App {
  const app = new App({ outdir });

  const sovereign = new Stack(app, 'SovereignXks', { env });
  const approvers = [role('KeyCustodianAlice'), role('KeyCustodianBob')];
  const sovereignSink = new aws.KeyAuditSink(sovereign, 'Audit', {
    profile: ComplianceProfile.SOVEREIGN,
    custodians: { administrators: [role('SovereignKeyAdmins')], auditors: [role('DataProtectionAuditors')], approvers },
  });
  const xks = new aws.HyokExternalStore(sovereign, 'ExternalKeyManager', {
    profile: ComplianceProfile.SOVEREIGN,
    auditSink: sovereignSink,
    backend: aws.KeyStoreBackend.xksVpcEndpointService({
      uriEndpoint: 'https://xks.eu-sovereign.example.com',
      uriPath: '/keymanager/kms/xks/v1',
      vpcEndpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      credential: existingSecret(sovereign, 'xks-proxy-credential'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }),
    custodians: { administrators: [role('SovereignKeyAdmins')], users: [role('CitizenRecords')], auditors: [role('DataProtectionAuditors')], approvers },
  });
  xks.addKey('CitizenRecordsKey', { xksKeyId: 'citizen-records-aes-256', aliases: ['sovereign/citizen-records'] });

  const hsm = new Stack(app, 'HsmBacked', { env });
  const hsmSink = new aws.KeyAuditSink(hsm, 'Audit', {
    profile: ComplianceProfile.FEDRAMP_HIGH,
    custodians: { administrators: [role('HsmKeyAdmins')], auditors: [role('Assessors')] },
  });
  const cluster = new aws.CloudHsmCluster(hsm, 'Cluster', { vpc: hsmNetwork(hsm), acknowledgeHourlyCost: true });
  const store = new aws.HyokExternalStore(hsm, 'HsmKeyStore', {
    profile: ComplianceProfile.FEDRAMP_HIGH,
    auditSink: hsmSink,
    backend: aws.KeyStoreBackend.cloudHsm({
      cluster, trustAnchorCertificate: CA_CERTIFICATE, kmsUserPassword: existingSecret(hsm, 'cloudhsm-kmsuser-password'),
    }),
    custodians: { administrators: [role('HsmKeyAdmins')], users: [role('ClaimsService')], auditors: [role('Assessors')] },
  });
  store.addKey('ClaimsKey', { aliases: ['fedramp/claims'] });
  return app;
}
