import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';

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
  /** Where the audit sinks' alerts are e-mailed (an address, not an IAM member). */
  securityAlerts: 'security-alerts@acme.example',
  /** Who hears of changes to alerting itself (a disabled channel, a snooze): an address the other alerts do not use. */
  securityOnCall: 'security-oncall@acme.example',
};

/** A stack with the google provider for the examples' project and region. */
export class KeysStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GoogleProvider(this, 'google', { project: PROJECT, region: LOCATION });
  }
}
