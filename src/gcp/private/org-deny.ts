/*
 * The IAM deny policy that takes `setIamPolicy` on Cloud KMS keys and key rings from everyone but the deployment identity
 * and the approved Privileged Access Manager path. A deny policy is checked before any allow policy, so an Owner or
 * Cloud KMS Admin role granted anywhere above the key does not bring the permission back.
 *
 * Deny policies take permissions in the v2 form SERVICE_FQDN/RESOURCE.ACTION and attach to an organisation, folder or
 * project named by its URL-encoded full resource name.
 * @see https://cloud.google.com/iam/docs/deny-overview
 * @see https://cloud.google.com/iam/docs/deny-permissions-support
 * @see https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/iam_deny_policy
 */
import { IamDenyPolicy } from '@cdktf/provider-google/lib/iam-deny-policy';
import { Construct } from 'constructs';
import { ALL_PRINCIPALS } from './org-principals';

/**
 * The permissions that change who may use or administer a key: the key's and the key ring's allow policies. Import jobs
 * and EKM connections and configs have setIamPolicy permissions too (cloudkms.importJobs.setIamPolicy,
 * cloudkms.ekmConnections.setIamPolicy, cloudkms.ekmConfigs.setIamPolicy); they are left out until Google lists them as
 * deniable, and the evidence says so.
 */
export const KMS_SET_IAM_PERMISSIONS = [
  'cloudkms.googleapis.com/cryptoKeys.setIamPolicy',
  'cloudkms.googleapis.com/keyRings.setIamPolicy',
];

/** The attachment point of a deny policy on `organizations/<id>` or `folders/<id>`. */
export function attachmentPoint(parent: string): string {
  return encodeURIComponent(`cloudresourcemanager.googleapis.com/${parent}`);
}

export function createKmsIamDenyPolicy(scope: Construct, parent: string, exceptions: string[]): IamDenyPolicy {
  return new IamDenyPolicy(scope, 'KmsIamDenyPolicy', {
    name: 'cloud-kms-iam-lock',
    parent: attachmentPoint(parent),
    displayName: 'Only the deployment identity and PAM change Cloud KMS IAM',
    rules: [{
      description: 'Nobody but the deployment identity and the approved PAM path may change the IAM policy of a Cloud KMS key or key ring',
      denyRule: {
        deniedPrincipals: [ALL_PRINCIPALS],
        exceptionPrincipals: exceptions,
        deniedPermissions: KMS_SET_IAM_PERMISSIONS,
      },
    }],
  });
}
