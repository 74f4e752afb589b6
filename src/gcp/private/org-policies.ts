/*
 * The organisation policies of OrganizationGuardrails: Google's predefined Cloud KMS and CMEK constraints with values
 * from the profile, and the rule pack's custom constraints. Each records itself as a preventive guardrail.
 *
 * An organisation policy judges a resource when it is created or updated; resources that exist when the policy is set
 * are not re-judged (https://cloud.google.com/resource-manager/docs/organization-policy/overview).
 * @see https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/org_policy_policy
 * @see https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/org_policy_custom_constraint
 */
import { OrgPolicyCustomConstraint } from '@cdktf/provider-google/lib/org-policy-custom-constraint';
import { OrgPolicyPolicy, OrgPolicyPolicySpecRules } from '@cdktf/provider-google/lib/org-policy-policy';
import { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { resourceLocationsGap } from './residency';
import { HSM_CONTROLS } from '../../compliance/rules/controls';
import { kmsCustomConstraints } from '../../compliance/rules/gcp/constraints/custom-constraints';
import { allowedProtectionLevels, minimumDestroyScheduledDays } from '../../compliance/rules/gcp/constraints/org-policies';
import { Control } from '../../core/controls';
import { EvidenceLedger } from '../../core/evidence';
import { Enforcement } from '../../core/guardrails';
import { DELETION_CONTROLS, RESIDENCY_CONTROLS } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';
import { ValidationError } from '../../core/validation';

/*
 * The CMEK constraints evidence less than a key's custody: that data of the listed services is encrypted at rest under
 * customer-managed keys (SC-28), and that those keys come from the managed key projects (SC-12). Written here, once.
 */
const CMEK_SERVICES_CONTROLS = [Control.NIST_SC_28];
const CMEK_KEY_PROJECTS_CONTROLS = [Control.NIST_SC_12];

export const ON_CHANGE_ONLY = 'Applies when a resource is created or updated; resources that exist already are not re-judged.';

export interface GuardrailScope {
  readonly parent: string;
  readonly organization?: string;
  readonly profile: ComplianceProfile;
}

/** Records a guardrail of the construct at `scope`. */
export function recordGuardrail(resource: Construct, target: GuardrailScope, mechanism: string, name: string, description: string,
  controls: Control[], partial?: string): void {
  EvidenceLedger.of(resource).registerGuardrail({
    path: resource.node.path,
    stack: TerraformStack.of(resource).node.path,
    cloud: 'gcp',
    enforcement: Enforcement.PREVENTIVE,
    mechanism,
    name,
    description,
    controls,
    targets: [target.parent],
    profile: target.profile.name,
    ...(partial ? { partial } : {}),
  });
}

interface Predefined {
  readonly id: string;
  readonly constraint: string;
  readonly rule: OrgPolicyPolicySpecRules;
  readonly description: string;
  readonly controls: Control[];
  /** What it leaves out of its controls, when it enforces them only in part. */
  readonly partial?: string;
}

/** One predefined constraint's policy at the parent. */
function predefined(scope: Construct, target: GuardrailScope, p: Predefined): OrgPolicyPolicy {
  const policy = new OrgPolicyPolicy(scope, p.id, {
    name: `${target.parent}/policies/${p.constraint}`,
    parent: target.parent,
    spec: { rules: [p.rule] },
  });
  recordGuardrail(policy, target, 'Google Cloud organization policy (predefined constraint)', `constraints/${p.constraint}`,
    `${p.description} ${ON_CHANGE_ONLY}`, p.controls, p.partial);
  return policy;
}

/** What the predefined constraints take beyond the profile. */
export interface PredefinedOptions {
  readonly cmekServices: string[];
  readonly cmekKeyProjects: string[];
  readonly allowedLocations: string[];
}

/** The Cloud KMS constraints, with the profile's figures. */
function kmsPolicies(profile: ComplianceProfile): Predefined[] {
  const levels = allowedProtectionLevels(profile);
  const destroyDays = minimumDestroyScheduledDays(profile);
  return [
    {
      id: 'AllowedProtectionLevels',
      constraint: 'cloudkms.allowedProtectionLevels',
      rule: { values: { allowedValues: levels } },
      description: `New keys, key versions and import jobs use only ${levels.join(', ')} (profile ${profile.name}, ` +
        `minimum FIPS 140 ${profile.minimumFipsLevel}).`,
      // With SOFTWARE allowed the policy proves nothing about hardware protection: no control claimed.
      controls: levels.includes('SOFTWARE') ? [] : HSM_CONTROLS,
      // Google vouches for the FIPS level of its own HSMs, not of an external key manager's.
      ...(levels.some((l) => l.startsWith('EXTERNAL'))
        ? { partial: 'EXTERNAL and EXTERNAL_VPC keys are allowed: their FIPS 140 level is the external key manager\'s, which Google does not attest' }
        : {}),
    },
    {
      id: 'MinimumDestroyScheduledDuration',
      constraint: 'cloudkms.minimumDestroyScheduledDuration',
      rule: { values: { allowedValues: [`in:${destroyDays}d`] } },
      description: `New keys keep destroyed versions restorable at least ${destroyDays} days (profile ${profile.name}: ${profile.minDeletionWindowDays}).`,
      controls: DELETION_CONTROLS,
    },
    {
      id: 'DisableBeforeDestroy',
      constraint: 'cloudkms.disableBeforeDestroy',
      rule: { enforce: 'TRUE' },
      description: 'A key version must be disabled before it can be scheduled for destruction.',
      controls: DELETION_CONTROLS,
    },
  ];
}

/** The CMEK and location constraints, for the lists given. */
function listPolicies(options: PredefinedOptions, profile: ComplianceProfile): Predefined[] {
  const list: Predefined[] = [];
  if (options.cmekServices.length > 0) {
    list.push({
      id: 'RestrictNonCmekServices',
      constraint: 'gcp.restrictNonCmekServices',
      rule: { values: { deniedValues: options.cmekServices } },
      description: `Resources of ${options.cmekServices.join(', ')} must be created with a customer-managed key.`,
      controls: CMEK_SERVICES_CONTROLS,
    });
  }
  if (options.cmekKeyProjects.length > 0) {
    list.push({
      id: 'RestrictCmekCryptoKeyProjects',
      constraint: 'gcp.restrictCmekCryptoKeyProjects',
      rule: { values: { allowedValues: options.cmekKeyProjects.map((p) => `under:${p}`) } },
      description: `CMEK-protected resources use keys from ${options.cmekKeyProjects.join(', ')} only.`,
      controls: CMEK_KEY_PROJECTS_CONTROLS,
    });
  }
  if (options.allowedLocations.length > 0) {
    list.push({
      id: 'ResourceLocations',
      constraint: 'gcp.resourceLocations',
      rule: { values: { allowedValues: options.allowedLocations } },
      description: `New resources (key rings, keys and key versions included) are created only in ${options.allowedLocations.join(', ')}.`,
      // Only a profile that restricts regions makes location a control; then the policy carries the profile's regions
      // (resourceLocationsFor) and is partial: https://cloud.google.com/resource-manager/docs/organization-policy/defining-locations
      controls: profile.restrictsRegions ? RESIDENCY_CONTROLS : [],
      ...(profile.restrictsRegions ? { partial: resourceLocationsGap(profile) } : {}),
    });
  }
  return list;
}

/** The Cloud KMS constraints (always) and the CMEK and location constraints (when their lists are given). */
export function createPredefinedPolicies(scope: Construct, target: GuardrailScope, options: PredefinedOptions): OrgPolicyPolicy[] {
  return [...kmsPolicies(target.profile), ...listPolicies(options, target.profile)].map((p) => predefined(scope, target, p));
}

/** Per app: the custom constraints defined in each organisation, since a second definition of one name would clash. */
const CONSTRAINTS = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Claims the names of the profile's custom constraints in the organisation for `scope`, before anything is created:
 * all or none, so a refused construct leaves no claim behind.
 */
export function claimCustomConstraints(scope: Construct, organization: string, profile: ComplianceProfile): void {
  const claimed = CONSTRAINTS.get(scope.node.root) ?? new Map<string, string>();
  CONSTRAINTS.set(scope.node.root, claimed);
  const keys = kmsCustomConstraints(profile).map((spec) => [spec.name, `${organization}/${spec.name}`]);
  for (const [name, key] of keys) {
    const other = claimed.get(key);
    if (other !== undefined) {
      throw new ValidationError(`custom constraint ${name} is defined in ${organization} already (${other}): guardrails of one profile ` +
        'at an organisation and a folder below it need the constraints once; set customConstraints: false on the folder');
    }
  }
  for (const [, key] of keys) claimed.set(key, scope.node.path);
}

/** The rule pack's custom constraints, defined at the organisation and enforced at the parent. */
export function createCustomConstraintPolicies(scope: Construct, target: GuardrailScope & { readonly organization: string }) {
  return kmsCustomConstraints(target.profile).map((spec) => {
    const id = spec.family.replace(/^custom\./, '').replace(/^./, (c) => c.toUpperCase());
    const constraint = new OrgPolicyCustomConstraint(scope, `${id}Constraint`, {
      name: spec.name,
      parent: target.organization,
      resourceTypes: spec.resourceTypes,
      methodTypes: spec.methodTypes,
      condition: spec.condition,
      actionType: spec.actionType,
      displayName: spec.displayName,
      description: spec.description,
    });
    const policy = new OrgPolicyPolicy(scope, `${id}Policy`, {
      name: `${target.parent}/policies/${constraint.name}`,
      parent: target.parent,
      spec: { rules: [{ enforce: 'TRUE' }] },
    });
    recordGuardrail(policy, target, 'Google Cloud organization policy (custom constraint, CEL)', spec.name,
      `${spec.description} Generated from rule ${spec.ruleId}. ${ON_CHANGE_ONLY}`, spec.controls);
    return { constraint, policy };
  });
}
