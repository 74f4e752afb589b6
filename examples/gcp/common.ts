import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { compliance, Control } from '../../src';

export const PROJECT = 'acme-payments-prod';
export const LOCATION = 'europe-west1';

/** IAM members of the people and workloads in the examples (groups in real life). Replace them with your own. */
export const people = {
  keyAdministrators: 'group:kms-admins@acme.example',
  auditors: 'group:security-auditors@acme.example',
  approverA: 'user:alice@acme.example',
  approverB: 'user:bob@acme.example',
  importers: 'group:key-ceremony@acme.example',
  ordersService: `serviceAccount:orders@${PROJECT}.iam.gserviceaccount.com`,
  detokenizationService: `serviceAccount:detokenize@${PROJECT}.iam.gserviceaccount.com`,
};

/** A stack with the google provider for the examples' project and region. */
export class KeysStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GoogleProvider(this, 'google', { project: PROJECT, region: LOCATION });
  }
}

/**
 * The Google Cloud audit sink stores and protects the logs but raises no alerts and validates no digests yet
 * (NIST AU-6, SOC 2 CC7.2, PCI DSS 10.3.4): the examples accept that, in writing, for the compliance report.
 */
export function acceptAuditGaps(sink: IConstruct): void {
  const reason = 'Alerting and log-integrity checks run in the security team\'s SIEM, which reads this audit sink; see the SIEM runbook.';
  for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2, Control.PCI_10_3_4]) {
    compliance.ComplianceReport.acknowledgeControl(sink, control, reason);
  }
}
