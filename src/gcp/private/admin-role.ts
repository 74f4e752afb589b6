import { createHash } from 'crypto';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { gcpAssignments } from '../custodians';
import { EXTERNAL_KEY_ADMINISTRATOR_PERMISSIONS, KEY_ADMINISTRATOR_PERMISSIONS } from './role-permissions';

/**
 * The key administrators' custom role of a project, one per stack and project (several rings and keys share it).
 *
 * Role ids are unique in a project and a deleted id stays blocked for up to 37 days, so the id is derived only from the
 * stack's path and the project (never from a construct that may move) and the role keeps `prevent_destroy` like the
 * key rings it serves.
 * @see https://cloud.google.com/iam/docs/reference/rest/v1/projects.roles/delete
 * @see https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/google_project_iam_custom_role
 */
export function keyAdministratorRole(scope: IConstruct, project: string, external = false): ProjectIamCustomRole {
  const stack = TerraformStack.of(scope);
  const hash = createHash('sha256').update(`${stack.node.path}|${project}`).digest('hex').slice(0, 8);
  const kind = external ? 'ExternalKeyAdministrator' : 'KeyAdministrator';
  const id = `Kms${kind}Role${hash}`;
  const existing = stack.node.tryFindChild(id) as ProjectIamCustomRole | undefined;
  if (existing) return existing;
  return new ProjectIamCustomRole(stack, id, {
    project,
    // 3 to 64 letters, digits, underscores and periods (https://cloud.google.com/iam/docs/reference/rest/v1/projects.roles/create).
    // Bindings use `name`, projects/<project>/roles/<role id>, which also makes them wait for the role.
    roleId: `cloudKms${kind}_${hash}`,
    title: external ? 'Cloud KMS external key administrator (no key use, no IAM changes, no re-pointing)'
      : 'Cloud KMS key administrator (no key use, no IAM changes)',
    description: external
      ? 'Destroys and restores versions of Cloud EKM keys; cannot use keys, change who may, or point keys at another key manager. Created by cloud-kms-constructs.'
      : 'Manages Cloud KMS keys and versions; cannot use keys, change who may, import material or change EKM connections. Created by cloud-kms-constructs.',
    permissions: [...(external ? EXTERNAL_KEY_ADMINISTRATOR_PERMISSIONS : KEY_ADMINISTRATOR_PERMISSIONS)],
    stage: 'GA',
    lifecycle: { preventDestroy: true },
  });
}

/** Set while HyokExternalStore creates its ring: that ring's administrators get the external key administrator role. */
export const EXTERNAL_KEYS = { active: false };

/** Creates a key ring for external (Cloud EKM) keys only: run `create` with the flag set. */
export function externalKeyRing<T>(create: () => T): T {
  EXTERNAL_KEYS.active = true;
  try {
    return create();
  } finally {
    EXTERNAL_KEYS.active = false;
  }
}

/** The IAM condition that holds a project-level grant to one key ring and the keys and versions in it. */
export function ringCondition(ringId: string): string {
  return `resource.name == "${ringId}" || resource.name.startsWith("${ringId}/")`;
}

/** Label of the deployment custodian when no member is named. */
export const UNNAMED_DEPLOYER = 'the identity Terraform runs as';

/** The deployment identity as a custodian: named, or the placeholder for whoever runs Terraform. */
export function deployerAssignment(member: string | undefined): CustodianAssignment {
  if (member === undefined) {
    return { role: CustodianRole.DEPLOYER, identity: 'gcp:terraform-identity', source: 'deploymentPrincipal', label: UNNAMED_DEPLOYER };
  }
  return gcpAssignments(CustodianRole.DEPLOYER, 'deploymentPrincipal', [member])[0];
}
