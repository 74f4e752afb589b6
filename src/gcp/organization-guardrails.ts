import { IamDenyPolicy } from '@cdktf/provider-google/lib/iam-deny-policy';
import { KmsAutokeyConfig } from '@cdktf/provider-google/lib/kms-autokey-config';
import { OrgPolicyCustomConstraint } from '@cdktf/provider-google/lib/org-policy-custom-constraint';
import { OrgPolicyPolicy } from '@cdktf/provider-google/lib/org-policy-policy';
import { Construct, IConstruct } from 'constructs';
import { ACCESS_CONTROLS } from '../core/key-evidence';
import { ComplianceProfile } from '../core/profile';
import { requireDefined, requireDistinct, requireMatch, shown, ValidationError } from '../core/validation';
import { optionalProfile } from '../terraform/input';
import { optionalBoolean, optionalList, requireProject } from './private/input';
import { createKmsIamDenyPolicy, KMS_SET_IAM_PERMISSIONS } from './private/org-deny';
import { claimCustomConstraints, createCustomConstraintPolicies, createPredefinedPolicies, recordGuardrail } from './private/org-policies';
import { denyPrincipal } from './private/org-principals';
import { resourceLocationsFor } from './private/residency';

/**
 * Properties of `OrganizationGuardrails`.
 */
export interface OrganizationGuardrailsProps {
  /**
   * Where the guardrails apply: `organizations/<id>` or `folders/<id>`; every project below inherits them.
   */
  readonly parent: string;
  /**
   * The organisation (`organizations/<id>`) that defines the custom constraints (Google defines them only at an
   * organisation). Required when `parent` is a folder and `customConstraints` is on.
   * @default - `parent`, when it is an organisation
   * @see https://cloud.google.com/resource-manager/docs/organization-policy/creating-managing-custom-constraints
   */
  readonly organization?: string;
  /** The compliance profile whose figures the guardrails carry (protection levels, destroy window, rotation). */
  readonly profile: ComplianceProfile;
  /**
   * The identities that deploy the golden pattern (IAM members: `serviceAccount:`, `group:` or `user:`): the only ones,
   * besides `pamPrincipals`, that may change a Cloud KMS key's or key ring's IAM policy.
   */
  readonly deploymentPrincipals: string[];
  /**
   * The approved Privileged Access Manager path: the group (or identities) a PAM entitlement grants key administration
   * to, for the time of an approved grant.
   * @default - none: only the deployment identities change key IAM
   * @see https://cloud.google.com/iam/docs/pam-overview
   */
  readonly pamPrincipals?: string[];
  /**
   * Services whose resources must be created with a customer-managed key (`gcp.restrictNonCmekServices`), e.g.
   * `storage.googleapis.com`.
   * @default - no CMEK requirement
   * @see https://cloud.google.com/kms/docs/cmek-org-policy
   */
  readonly cmekServices?: string[];
  /**
   * The projects (ids, or `projects/`, `folders/`, `organizations/` names) whose keys CMEK may use
   * (`gcp.restrictCmekCryptoKeyProjects`).
   * @default - any project's keys
   * @see https://cloud.google.com/kms/docs/cmek-org-policy
   */
  readonly cmekKeyProjects?: string[];
  /**
   * Where resources may be created (`gcp.resourceLocations`): locations such as `europe-west1` or value groups such
   * as `in:eu-locations`. Under a profile with `allowedRegions`, a list must stay within the profile's regions
   * (`in:<region>-locations`, a region, a zone of one, or a multi-region the profile names).
   * @default - the profile's regions as `in:<region>-locations` (multi-regions by name) when it restricts regions;
   * otherwise no location restriction
   * @see https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations
   */
  readonly allowedLocations?: string[];
  /**
   * Whether to define and enforce the rule pack's custom constraints on Cloud KMS keys (rotation, destroy window,
   * protection level).
   * @default true
   */
  readonly customConstraints?: boolean;
  /**
   * Turn Cloud KMS Autokey on for this folder (`folders/<id>`), with keys in `autokeyKeyProject`.
   * @default - Autokey is not configured here
   * @see https://cloud.google.com/kms/docs/autokey-overview
   */
  readonly autokeyFolder?: string;
  /**
   * The key project Autokey creates keys in. Required with `autokeyFolder`.
   * @default - none
   */
  readonly autokeyKeyProject?: string;
}

const PARENT = /^(organizations|folders)\/[0-9]+$/;
const ORGANIZATION = /^organizations\/[0-9]+$/;
const SERVICE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$/;
const LOCATION_VALUE = /^(in:)?[a-z][a-z0-9-]*$/;
const HIERARCHY_NAME = /^(projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]|folders\/[0-9]+|organizations\/[0-9]+)$/;
const KMS_SERVICE_AGENT = /^serviceAccount:service-[0-9]+@gcp-sa-cloudkms\.iam\.gserviceaccount\.com$/;
/** Autokey keys rotate every 365 days (https://cloud.google.com/kms/docs/autokey-overview). */
const AUTOKEY_ROTATION_DAYS = 365;

/**
 * Guardrails at a Google Cloud organisation or folder that no project owner can switch off: Cloud KMS and CMEK
 * organisation policies with the profile's figures, the rule pack's custom constraints on Cloud KMS keys, an IAM deny
 * policy that keeps key and key ring IAM in the hands of the deployment identity and the PAM path, and optionally the
 * Autokey folder configuration. Organisation policies judge creates and updates; keys that exist already are not
 * re-judged.
 */
export class OrganizationGuardrails extends Construct {
  public readonly parent: string;
  public readonly profile: ComplianceProfile;
  /** The predefined-constraint policies. */
  public readonly policies: OrgPolicyPolicy[];
  /** The custom constraints and the policies that enforce them. */
  public readonly customConstraints: OrgPolicyCustomConstraint[] = [];
  public readonly customConstraintPolicies: OrgPolicyPolicy[] = [];
  /** The IAM deny policy on Cloud KMS `setIamPolicy`. */
  public readonly denyPolicy: IamDenyPolicy;
  /** The Autokey folder configuration, with `autokeyFolder`. */
  public readonly autokeyConfig?: KmsAutokeyConfig;

  constructor(scope: Construct, id: string, props: OrganizationGuardrailsProps) {
    super(scope, id);
    const checked = checkGuardrailProps(props, this.node.path);
    claimParent(this, props.parent, () => {
      if (checked.organization) claimCustomConstraints(this, checked.organization, props.profile);
    });
    this.parent = props.parent;
    this.profile = props.profile;
    const target = { parent: props.parent, profile: props.profile };
    this.policies = createPredefinedPolicies(this, target, checked);
    if (checked.organization) {
      for (const { constraint, policy } of createCustomConstraintPolicies(this, { ...target, organization: checked.organization })) {
        this.customConstraints.push(constraint);
        this.customConstraintPolicies.push(policy);
      }
    }
    this.denyPolicy = this.createDenyPolicy(checked.exceptions);
    if (props.autokeyFolder && props.autokeyKeyProject) {
      this.autokeyConfig = new KmsAutokeyConfig(this, 'AutokeyConfig', { folder: props.autokeyFolder, keyProject: `projects/${props.autokeyKeyProject}` });
    }
  }

  private createDenyPolicy(exceptions: string[]): IamDenyPolicy {
    const policy = createKmsIamDenyPolicy(this, this.parent, exceptions);
    // Access controls only: the deny policy narrows who may change key IAM; the approvals of dual control are the PAM
    // entitlement's, and an excepted identity is excepted whether or not it holds an approved grant.
    recordGuardrail(policy, { parent: this.parent, profile: this.profile }, 'Google Cloud IAM deny policy', 'cloud-kms-iam-lock',
      `Denies ${KMS_SET_IAM_PERMISSIONS.join(' and ')} to every principal except ${exceptions.join(', ')}, whatever role they hold ` +
      '(Owner included). It does not cover grants on the project, folder or organisation (resourcemanager setIamPolicy), ' +
      'nor import jobs, EKM connections and EKM configs, nor what the excepted identities write; an excepted identity with a standing role ' +
      'that holds setIamPolicy is not stopped (the exception is by identity, not by PAM grant).',
      ACCESS_CONTROLS,
      'grants on the project, folder or organisation (resourcemanager setIamPolicy) are not covered, nor import jobs and EKM ' +
      'connections; an excepted identity is excepted by identity, not by an approved PAM grant');
    return policy;
  }
}

/** Per app: the parents that have guardrails, since two would manage the same organisation policies. */
const PARENTS = new WeakMap<IConstruct, Map<string, string>>();

/** Claims `parent` for `scope` once `alsoClaim` (the custom constraints' names) has succeeded: a refusal leaves no claim. */
function claimParent(scope: Construct, parent: string, alsoClaim: () => void): void {
  const claimed = PARENTS.get(scope.node.root) ?? new Map<string, string>();
  PARENTS.set(scope.node.root, claimed);
  const other = claimed.get(parent);
  if (other !== undefined) {
    throw new ValidationError(`parent ${parent} has OrganizationGuardrails already (${other}): one per organisation or folder, ` +
      'since both would manage the same organisation policies');
  }
  alsoClaim();
  claimed.set(parent, scope.node.path);
}

/** The props, checked before anything is created. */
function checkGuardrailProps(props: OrganizationGuardrailsProps, path: string) {
  requireDefined('props', props);
  requireMatch('parent', String(props.parent ?? ''), PARENT, 'organizations/<numeric id> or folders/<numeric id>');
  requireDefined('profile', props.profile);
  optionalProfile('profile', props.profile);
  optionalBoolean('customConstraints', props.customConstraints);
  for (const prop of ['deploymentPrincipals', 'pamPrincipals', 'cmekServices', 'cmekKeyProjects', 'allowedLocations'] as const) {
    optionalList(prop, props[prop]);
  }
  const deployers = requireDefined('deploymentPrincipals', props.deploymentPrincipals);
  if (deployers.length === 0) throw new ValidationError('deploymentPrincipals must name at least one identity, got none');
  const exceptions = [...deployers, ...(props.pamPrincipals ?? [])].map((m, i) => denyPrincipal(i < deployers.length ? 'deploymentPrincipals' : 'pamPrincipals', m));
  requireDistinct('deploymentPrincipals and pamPrincipals', exceptions);
  const cmekServices = [...(props.cmekServices ?? [])];
  for (const s of cmekServices) requireMatch('cmekServices', String(s), SERVICE, 'a service name such as storage.googleapis.com');
  const cmekKeyProjects = (props.cmekKeyProjects ?? []).map((p) => {
    const name = typeof p === 'string' && !p.includes('/') ? `projects/${p}` : String(p);
    if (!HIERARCHY_NAME.test(name)) throw new ValidationError(`cmekKeyProjects must hold project ids or projects/, folders/ or organizations/ names, got ${shown(p)}`);
    return name;
  });
  for (const l of props.allowedLocations ?? []) requireMatch('allowedLocations', String(l), LOCATION_VALUE, 'a location such as europe-west1 or a value group such as in:eu-locations');
  // Under a residency profile the list defaults to the profile's regions (Autokey would otherwise make keys anywhere).
  const allowedLocations = [...resourceLocationsFor(props.profile, props.allowedLocations, path)];
  const organization = checkOrganization(props);
  checkAutokey(props, organization !== undefined);
  return { exceptions, cmekServices, cmekKeyProjects, allowedLocations, organization };
}

function checkOrganization(props: OrganizationGuardrailsProps): string | undefined {
  if (props.customConstraints === false) return undefined;
  if (props.organization !== undefined) {
    requireMatch('organization', String(props.organization), ORGANIZATION, 'organizations/<numeric id>');
    if (props.parent.startsWith('organizations/') && props.organization !== props.parent) {
      throw new ValidationError(`organization must be the parent organisation ${props.parent} when parent is an organisation, got ${props.organization}`);
    }
    return props.organization;
  }
  if (props.parent.startsWith('organizations/')) return props.parent;
  throw new ValidationError(`organization is required when parent is a folder (${props.parent}): Google defines custom constraints only at an ` +
    'organisation (organizations/<id>); or set customConstraints: false');
}

function checkAutokey(props: OrganizationGuardrailsProps, customConstraints: boolean): void {
  if ((props.autokeyFolder === undefined) !== (props.autokeyKeyProject === undefined)) {
    throw new ValidationError(`autokeyFolder and autokeyKeyProject go together (Autokey needs both), got autokeyFolder ${shown(props.autokeyFolder)} ` +
      `and autokeyKeyProject ${shown(props.autokeyKeyProject)}`);
  }
  if (props.autokeyFolder === undefined) return;
  requireMatch('autokeyFolder', String(props.autokeyFolder), /^folders\/[0-9]+$/, 'folders/<numeric id>');
  requireProject('autokeyKeyProject', props.autokeyKeyProject);
  if (props.profile.maxRotationDays < AUTOKEY_ROTATION_DAYS) {
    throw new ValidationError(`profile ${props.profile.name} requires rotation within ${props.profile.maxRotationDays} days, but Autokey keys rotate every ` +
      `${AUTOKEY_ROTATION_DAYS} days: leave out autokeyFolder`);
  }
  // Autokey's Cloud KMS service agent grants the requesting service's agent a role on each key it creates (setIamPolicy):
  // the deny policy must except it, or Autokey fails. https://cloud.google.com/kms/docs/enable-autokey
  if (!(props.deploymentPrincipals ?? []).some((m) => KMS_SERVICE_AGENT.test(String(m)))) {
    throw new ValidationError('autokeyFolder needs the Cloud KMS service agent of autokeyKeyProject in deploymentPrincipals ' +
      '(serviceAccount:service-<project number>@gcp-sa-cloudkms.iam.gserviceaccount.com): Autokey grants access on the keys it creates, ' +
      `which the deny policy would refuse it; got ${shown(props.deploymentPrincipals)}`);
  }
  if (customConstraints) {
    // The rotation constraint holds keys to 90 days (CIS 1.10): it would refuse every key Autokey creates under the parent.
    throw new ValidationError('autokeyFolder needs customConstraints: false: the rotation custom constraint (at most 90 days) would refuse ' +
      `Autokey's keys, which rotate every ${AUTOKEY_ROTATION_DAYS} days`);
  }
}
