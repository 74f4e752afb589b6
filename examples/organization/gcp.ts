/*
 * Organisation guardrails on Google Cloud under PCI DSS: Cloud KMS and CMEK organisation policies on the payments folder,
 * the rule pack's custom constraints on Cloud KMS keys (defined at the organisation, enforced on the folder), and an IAM deny policy that leaves key and key ring IAM to the
 * deployment service account and the approved Privileged Access Manager group. A second stack turns Autokey on for a
 * folder of COMMERCIAL workloads beside it (without the rotation constraint, which would refuse Autokey's yearly
 * rotation). Autokey also needs the key project's Cloud KMS service agent to hold roles/cloudkms.admin on the key project
 * (granted once, outside this app).
 * @see https://cloud.google.com/kms/docs/enable-autokey
 * Part of the Google Cloud example app (examples/out/gcp), or its own app: organizationGcpApp().
 */
import { join } from 'path';
import { App } from 'cdktf';
import { ComplianceProfile, gcp } from '../../src';
import { KeysStack } from '../gcp/common';

export const ORGANIZATION = 'organizations/123456789012';
/**
 * The folder of the payment workloads. The PCI DSS guardrails go on it, not on the organisation: organization policies,
 * custom constraints and deny policies reach every folder and project below where they are set, so at the organisation
 * they would also hold the sandbox folder (its yearly Autokey rotation, its own key project, Autokey's service agent).
 */
export const PAYMENTS_FOLDER = 'folders/234567890123';
/** The identity the golden pattern's pipeline deploys keys with. Replace with your own. */
export const DEPLOYER = 'serviceAccount:kms-deployer@acme-kms-admin.iam.gserviceaccount.com';
/** The group a PAM entitlement with two approvers grants key administration to, for the time of the grant. */
export const PAM_GROUP = 'group:kms-admins-approved@acme.example';

export function organizationGcp(app: App): void {
  const org = new KeysStack(app, 'gcp-organization');
  new gcp.OrganizationGuardrails(org, 'Guardrails', {
    parent: PAYMENTS_FOLDER,
    // Custom constraints are defined at the organisation and enforced at the folder.
    organization: ORGANIZATION,
    profile: ComplianceProfile.PCI_DSS,
    deploymentPrincipals: [DEPLOYER],
    pamPrincipals: [PAM_GROUP],
    cmekServices: ['storage.googleapis.com', 'bigquery.googleapis.com', 'compute.googleapis.com'],
    cmekKeyProjects: ['acme-kms-keys'],
    allowedLocations: ['in:eu-locations'],
  });

  const sandbox = new KeysStack(app, 'gcp-organization-sandbox');
  new gcp.OrganizationGuardrails(sandbox, 'Guardrails', {
    parent: 'folders/345678901234',
    profile: ComplianceProfile.COMMERCIAL,
    // Autokey's Cloud KMS service agent (of the key project) grants access on the keys it creates.
    deploymentPrincipals: [DEPLOYER, 'serviceAccount:service-210987654321@gcp-sa-cloudkms.iam.gserviceaccount.com'],
    customConstraints: false,
    autokeyFolder: 'folders/345678901234',
    autokeyKeyProject: 'acme-sandbox-keys',
  });
}

/** The organisation guardrails as an app of their own (cdktf synth with this file as the app). */
export function organizationGcpApp(outdir?: string): App {
  const app = new App({ outdir: outdir ?? process.env.CDKTF_OUTDIR ?? join(__dirname, '..', 'out', 'gcp-organization') });
  organizationGcp(app);
  return app;
}

/* istanbul ignore next: run by cdktf synth */
if (require.main === module) {
  organizationGcpApp().synth();
}
