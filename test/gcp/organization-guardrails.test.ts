/*
 * Issue 18, item 3: gcp.OrganizationGuardrails. Terraform JSON checked against the pinned google provider's attribute
 * names, the IAM deny policy run through a documented deny-rule evaluator (test/support/deny-policy.ts) against the
 * principals who would get around it, the evidence each guardrail records, and bad props refused early.
 */
import { TerraformStack } from 'cdktf';
import { ComplianceProfile, DeploymentModel, EvidenceLedger } from '../../src';
import { HSM_CONTROLS } from '../../src/compliance/rules/controls';
import * as gcpRules from '../../src/compliance/rules/gcp';
import { kmsCustomConstraints } from '../../src/compliance/rules/gcp/constraints/custom-constraints';
import { Control } from '../../src/core/controls';
import { Enforcement } from '../../src/core/guardrails';
import { ACCESS_CONTROLS, DELETION_CONTROLS, DUAL_CONTROL_CONTROLS, ROTATION_CONTROLS } from '../../src/core/key-evidence';
import * as gcp from '../../src/gcp';
import { GCP_ACTION_CLASSES } from '../../src/gcp/private/role-permissions';
import { denyPolicyDenies, DenyRequester, ruleDenies } from '../support/deny-policy';
import { gcpStack, one, resources, synth, TfJson } from '../support/gcp';

const ORG = 'organizations/123456789012';
const FOLDER = 'folders/345678901234';
const DEPLOYER = 'serviceAccount:kms-deployer@acme-kms-admin.iam.gserviceaccount.com';
const PAM = 'group:kms-pam-approved@example.com';
const KMS_AGENT = 'serviceAccount:service-111111111111@gcp-sa-cloudkms.iam.gserviceaccount.com';

function guardrails(extra: Partial<gcp.OrganizationGuardrailsProps> = {}, stack: TerraformStack = gcpStack()) {
  const g = new gcp.OrganizationGuardrails(stack, 'Guardrails', {
    parent: ORG,
    profile: ComplianceProfile.PCI_DSS,
    deploymentPrincipals: [DEPLOYER],
    pamPrincipals: [PAM],
    ...extra,
  });
  return { g, stack, json: synth(stack) };
}

const policy = (json: TfJson, constraint: string) => {
  const found = Object.values(resources(json, 'google_org_policy_policy')).filter((p: any) => p.name.endsWith(`/policies/${constraint}`));
  if (found.length !== 1) throw new Error(`expected one policy for ${constraint}, found ${found.length}`);
  return found[0];
};

describe('predefined Cloud KMS and CMEK constraints', () => {
  test('protection levels, destroy window and disable-before-destroy carry the profile\'s figures at the parent', () => {
    const { json } = guardrails();
    expect(policy(json, 'cloudkms.allowedProtectionLevels')).toEqual({
      name: `${ORG}/policies/cloudkms.allowedProtectionLevels`,
      parent: ORG,
      spec: { rules: [{ values: { allowed_values: ['HSM', 'EXTERNAL', 'EXTERNAL_VPC'] } }] },
    });
    expect(policy(json, 'cloudkms.minimumDestroyScheduledDuration').spec.rules).toEqual([{ values: { allowed_values: ['in:30d'] } }]);
    expect(policy(json, 'cloudkms.disableBeforeDestroy').spec.rules).toEqual([{ enforce: 'TRUE' }]);
  });

  test('a COMMERCIAL organisation keeps SOFTWARE keys and a 7-day minimum', () => {
    const { json } = guardrails({ profile: ComplianceProfile.COMMERCIAL });
    expect(policy(json, 'cloudkms.allowedProtectionLevels').spec.rules[0].values.allowed_values).toContain('SOFTWARE');
    expect(policy(json, 'cloudkms.minimumDestroyScheduledDuration').spec.rules[0].values.allowed_values).toEqual(['in:7d']);
  });

  test('CMEK services, key projects and locations become their list constraints; left out, no policy', () => {
    const { json } = guardrails({
      cmekServices: ['storage.googleapis.com', 'bigquery.googleapis.com'],
      cmekKeyProjects: ['acme-kms-keys', 'folders/987654321098'],
      allowedLocations: ['in:eu-locations', 'europe-west1'],
    });
    expect(policy(json, 'gcp.restrictNonCmekServices').spec.rules).toEqual([{ values: { denied_values: ['storage.googleapis.com', 'bigquery.googleapis.com'] } }]);
    expect(policy(json, 'gcp.restrictCmekCryptoKeyProjects').spec.rules)
      .toEqual([{ values: { allowed_values: ['under:projects/acme-kms-keys', 'under:folders/987654321098'] } }]);
    expect(policy(json, 'gcp.resourceLocations').spec.rules).toEqual([{ values: { allowed_values: ['in:eu-locations', 'europe-west1'] } }]);
    const bare = guardrails().json;
    for (const c of ['gcp.restrictNonCmekServices', 'gcp.restrictCmekCryptoKeyProjects', 'gcp.resourceLocations']) expect(() => policy(bare, c)).toThrow(/found 0/);
  });

  test('at a folder, the policies sit on the folder and the custom constraints on the organisation', () => {
    const { json } = guardrails({ parent: FOLDER, organization: ORG });
    expect(policy(json, 'cloudkms.disableBeforeDestroy')).toMatchObject({ name: `${FOLDER}/policies/cloudkms.disableBeforeDestroy`, parent: FOLDER });
    for (const c of Object.values(resources(json, 'google_org_policy_custom_constraint'))) expect(c.parent).toBe(ORG);
    expect(one(json, 'google_iam_deny_policy').parent).toBe('cloudresourcemanager.googleapis.com%2Ffolders%2F345678901234');
  });
});

describe('custom constraints from the rule pack', () => {
  test('each is defined on CryptoKey create and update, DENY, and enforced by a policy that references it', () => {
    const { json } = guardrails({ profile: ComplianceProfile.FEDRAMP_HIGH });
    const constraints = resources(json, 'google_org_policy_custom_constraint');
    expect(Object.values(constraints).map((c: any) => c.name).sort())
      .toEqual(['custom.cloudKmsDestroyScheduledDurationFEDRAMPHIGH', 'custom.cloudKmsNoSoftwareKeysFEDRAMPHIGH', 'custom.cloudKmsRotationPeriodFEDRAMPHIGH']);
    for (const [id, c] of Object.entries(constraints)) {
      expect(c).toMatchObject({ parent: ORG, action_type: 'DENY', method_types: ['CREATE', 'UPDATE'], resource_types: ['cloudkms.googleapis.com/CryptoKey'] });
      const enforcing = Object.values(resources(json, 'google_org_policy_policy')).filter((p: any) => p.name === `${ORG}/policies/\${google_org_policy_custom_constraint.${id}.name}`);
      expect(enforcing).toEqual([{ name: expect.any(String), parent: ORG, spec: { rules: [{ enforce: 'TRUE' }] } }]);
    }
    expect(Object.values(constraints).find((c: any) => c.name === 'custom.cloudKmsRotationPeriodFEDRAMPHIGH').condition).toContain('duration("7776000s")');
  });

  test('customConstraints: false leaves them out (and needs no organisation at a folder)', () => {
    const { json } = guardrails({ parent: FOLDER, customConstraints: false });
    expect(resources(json, 'google_org_policy_custom_constraint')).toEqual({});
  });
});

describe('IAM deny policy on Cloud KMS setIamPolicy', () => {
  const SET_KEY_IAM = 'cloudkms.googleapis.com/cryptoKeys.setIamPolicy';
  const SET_RING_IAM = 'cloudkms.googleapis.com/keyRings.setIamPolicy';
  const denyPolicy = () => one(guardrails().json, 'google_iam_deny_policy');

  test('attached to the URL-encoded organisation, denying both permissions to everyone but the exceptions', () => {
    const p = denyPolicy();
    expect(p.parent).toBe('cloudresourcemanager.googleapis.com%2Forganizations%2F123456789012');
    expect(p.name).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
    expect(p.rules).toEqual([{
      description: expect.any(String),
      deny_rule: {
        denied_principals: ['principalSet://goog/public:all'],
        exception_principals: [
          'principal://iam.googleapis.com/projects/-/serviceAccounts/kms-deployer@acme-kms-admin.iam.gserviceaccount.com',
          'principalSet://goog/group/kms-pam-approved@example.com',
        ],
        denied_permissions: [SET_KEY_IAM, SET_RING_IAM],
      },
    }]);
  });

  // Who tries to get around it, and whether the deny policy stops them (deny is checked before any allow: roles do not matter).
  const cases: Array<[string, DenyRequester, boolean]> = [
    ['a project Owner (user)', { principal: 'principal://goog/subject/owner@example.com' }, true],
    ['an organisation admin in another group', { principal: 'principal://goog/subject/orgadmin@example.com', groups: ['org-admins@example.com'] }, true],
    ['another service account of the pipeline project', { principal: 'principal://iam.googleapis.com/projects/-/serviceAccounts/ci@acme-kms-admin.iam.gserviceaccount.com' }, true],
    ['the deployment service account', { principal: 'principal://iam.googleapis.com/projects/-/serviceAccounts/kms-deployer@acme-kms-admin.iam.gserviceaccount.com' }, false],
    ['a member of the PAM group (the allow side decides: her PAM grant, or a standing role the deny policy cannot see)', { principal: 'principal://goog/subject/alice@example.com', groups: ['kms-pam-approved@example.com'] }, false],
  ];
  test.each(cases)('%s: setIamPolicy on a key denied = %s', (_, who, denied) => {
    const p = denyPolicy();
    expect(denyPolicyDenies(p, who, SET_KEY_IAM)).toBe(denied);
    expect(denyPolicyDenies(p, who, SET_RING_IAM)).toBe(denied);
  });

  test('what it does not cover: project-level IAM and key use stay with the allow policies', () => {
    const owner = { principal: 'principal://goog/subject/owner@example.com' };
    const p = denyPolicy();
    expect(denyPolicyDenies(p, owner, 'cloudresourcemanager.googleapis.com/projects.setIamPolicy')).toBe(false);
    expect(denyPolicyDenies(p, owner, 'cloudkms.googleapis.com/cryptoKeyVersions.useToDecrypt')).toBe(false);
  });

  test('without a PAM path only the deployment identity is excepted', () => {
    const p = one(guardrails({ pamPrincipals: undefined }).json, 'google_iam_deny_policy');
    expect(p.rules[0].deny_rule.exception_principals).toEqual(['principal://iam.googleapis.com/projects/-/serviceAccounts/kms-deployer@acme-kms-admin.iam.gserviceaccount.com']);
  });
});

describe('the deny-rule evaluator of the tests follows the documented semantics', () => {
  const rule = {
    denied_principals: ['principalSet://goog/public:all'],
    exception_principals: ['principalSet://goog/group/ops@example.com'],
    denied_permissions: ['a.googleapis.com/x.set', 'a.googleapis.com/x.get'],
    exception_permissions: ['a.googleapis.com/x.get'],
  };
  test('denied principal and denied permission: denied; exception principal or exception permission: not denied', () => {
    expect(ruleDenies(rule, { principal: 'principal://goog/subject/eve@example.com' }, 'a.googleapis.com/x.set')).toBe(true);
    expect(ruleDenies(rule, { principal: 'principal://goog/subject/op@example.com', groups: ['ops@example.com'] }, 'a.googleapis.com/x.set')).toBe(false);
    expect(ruleDenies(rule, { principal: 'principal://goog/subject/eve@example.com' }, 'a.googleapis.com/x.get')).toBe(false);
    expect(ruleDenies(rule, { principal: 'principal://goog/subject/eve@example.com' }, 'a.googleapis.com/x.delete')).toBe(false);
    expect(ruleDenies({ ...rule, denied_principals: ['principal://goog/subject/mallory@example.com'] },
      { principal: 'principal://goog/subject/eve@example.com' }, 'a.googleapis.com/x.set')).toBe(false);
  });
  test('a rule with a denial condition is not guessed at', () => {
    expect(() => ruleDenies({ ...rule, denial_condition: { expression: 'true' } }, { principal: 'x' }, 'a.googleapis.com/x.set')).toThrow(/denial condition/);
  });
});

describe('the deny policy and the library\'s own permission table', () => {
  const v1 = (p: string) => p.replace(/^cloudkms\.googleapis\.com\//, 'cloudkms.');
  test('it denies "change access" permissions of the access matrix, and the evidence names the ones it leaves out', () => {
    const denied = one(guardrails().json, 'google_iam_deny_policy').rules[0].deny_rule.denied_permissions.map(v1);
    const changeAccess = GCP_ACTION_CLASSES['change access'];
    expect(changeAccess).toEqual(expect.arrayContaining(denied));
    expect(changeAccess.filter((p) => !denied.includes(p)).sort())
      .toEqual(['cloudkms.ekmConfigs.setIamPolicy', 'cloudkms.ekmConnections.setIamPolicy', 'cloudkms.importJobs.setIamPolicy']);
    const { stack } = guardrails();
    expect(EvidenceLedger.of(stack).guardrails.find((r) => r.name === 'cloud-kms-iam-lock')!.description)
      .toMatch(/nor import jobs, EKM connections and EKM configs/);
  });
});

describe('Autokey folder configuration', () => {
  test('configured for the folder with the key project, when custom constraints are off', () => {
    const { json } = guardrails({
      profile: ComplianceProfile.COMMERCIAL,
      customConstraints: false,
      autokeyFolder: 'folders/555555555555',
      autokeyKeyProject: 'acme-kms-keys',
      deploymentPrincipals: [DEPLOYER, KMS_AGENT],
    });
    expect(one(json, 'google_kms_autokey_config')).toEqual({ folder: 'folders/555555555555', key_project: 'projects/acme-kms-keys' });
    // Autokey's service agent grants access on the keys it creates: the deny policy lets it.
    expect(one(json, 'google_iam_deny_policy').rules[0].deny_rule.exception_principals)
      .toContain('principal://iam.googleapis.com/projects/-/serviceAccounts/service-111111111111@gcp-sa-cloudkms.iam.gserviceaccount.com');
  });

  test('refused without the Cloud KMS service agent among the exceptions, which Autokey needs to grant access on its keys', () => {
    expect(() => guardrails({ profile: ComplianceProfile.COMMERCIAL, customConstraints: false, autokeyFolder: 'folders/555555555555', autokeyKeyProject: 'acme-kms-keys' }))
      .toThrow(/autokeyFolder needs the Cloud KMS service agent of autokeyKeyProject in deploymentPrincipals/);
  });

  test('refused beside the rotation constraint, which would refuse Autokey\'s 365-day keys', () => {
    expect(() => guardrails({
      profile: ComplianceProfile.COMMERCIAL,
      autokeyFolder: 'folders/555555555555',
      autokeyKeyProject: 'acme-kms-keys',
      deploymentPrincipals: [DEPLOYER, KMS_AGENT],
    })).toThrow(/autokeyFolder needs customConstraints: false: the rotation custom constraint \(at most 90 days\) would refuse Autokey's keys/);
  });

  test('refused under a profile whose cryptoperiod is shorter than Autokey\'s', () => {
    const short = ComplianceProfile.custom({ name: 'SHORT', maxRotationDays: 90 });
    expect(() => guardrails({ profile: short, customConstraints: false, autokeyFolder: 'folders/555555555555', autokeyKeyProject: 'acme-kms-keys' }))
      .toThrow(/profile SHORT requires rotation within 90 days, but Autokey keys rotate every 365 days/);
  });
});

describe('evidence', () => {
  test('one preventive guardrail per policy, custom constraint and deny policy, with its controls and target', () => {
    const { stack } = guardrails({ profile: ComplianceProfile.FEDRAMP_HIGH, allowedLocations: ['in:eu-locations'] });
    const records = EvidenceLedger.of(stack).guardrails;
    expect(records.map((r) => r.name).sort()).toEqual([
      'cloud-kms-iam-lock', 'constraints/cloudkms.allowedProtectionLevels', 'constraints/cloudkms.disableBeforeDestroy',
      'constraints/cloudkms.minimumDestroyScheduledDuration', 'constraints/gcp.resourceLocations',
      'custom.cloudKmsDestroyScheduledDurationFEDRAMPHIGH', 'custom.cloudKmsNoSoftwareKeysFEDRAMPHIGH', 'custom.cloudKmsRotationPeriodFEDRAMPHIGH',
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ cloud: 'gcp', enforcement: Enforcement.PREVENTIVE, targets: [ORG], profile: 'FEDRAMP_HIGH', stack: 'test' });
    }
    const byName = (name: string) => records.find((r) => r.name === name)!;
    expect(byName('custom.cloudKmsRotationPeriodFEDRAMPHIGH').controls).toEqual(ROTATION_CONTROLS);
    expect(byName('constraints/cloudkms.minimumDestroyScheduledDuration').controls).toEqual(DELETION_CONTROLS);
    expect(byName('cloud-kms-iam-lock').controls).toEqual(ACCESS_CONTROLS);
    expect(byName('constraints/gcp.resourceLocations').controls).toEqual([]);
    // Organisation policies judge creates and updates only: the evidence says so.
    for (const r of records.filter((x) => x.name !== 'cloud-kms-iam-lock')) expect(r.description).toMatch(/not re-judged/);
    expect(byName('cloud-kms-iam-lock').description).toMatch(/does not cover grants on the project, folder or organisation/);
  });

  test('controls are claimed only as far as the guardrail goes: HSM only without SOFTWARE, the rule\'s own for a custom constraint', () => {
    const pci = EvidenceLedger.of(guardrails({ profile: ComplianceProfile.FEDRAMP_HIGH, cmekServices: ['storage.googleapis.com'], cmekKeyProjects: ['acme-kms-keys'] }).stack).guardrails;
    const named = (records: typeof pci, name: string) => records.find((r) => r.name === name)!.controls.map((c) => c.id);
    expect(named(pci, 'constraints/cloudkms.allowedProtectionLevels')).toEqual(HSM_CONTROLS.map((c) => c.id));
    expect(named(pci, 'constraints/gcp.restrictNonCmekServices')).toEqual([Control.NIST_SC_28.id]);
    expect(named(pci, 'constraints/gcp.restrictCmekCryptoKeyProjects')).toEqual([Control.NIST_SC_12.id]);
    for (const rule of [gcpRules.KeyRotation, gcpRules.KeyDestruction, gcpRules.KeyHsm]) {
      const spec = kmsCustomConstraints(ComplianceProfile.FEDRAMP_HIGH).find((c) => c.ruleId === rule.id)!;
      expect(named(pci, spec.name)).toEqual(rule.controls.map((c) => c.id));
    }
    const commercial = EvidenceLedger.of(guardrails({ profile: ComplianceProfile.COMMERCIAL }).stack).guardrails;
    expect(named(commercial, 'constraints/cloudkms.allowedProtectionLevels')).toEqual([]);
  });

  test('the deny policy claims no dual control, with or without a PAM path: approvals are the PAM entitlement\'s', () => {
    for (const pamPrincipals of [[PAM], undefined]) {
      const { stack } = guardrails({ pamPrincipals });
      const deny = EvidenceLedger.of(stack).guardrails.find((r) => r.name === 'cloud-kms-iam-lock')!;
      expect(deny.controls.filter((c) => DUAL_CONTROL_CONTROLS.includes(c))).toEqual([]);
      expect(deny.description).toMatch(/the exception is by identity, not by PAM grant/);
    }
  });
});

describe('bad props fail early, naming the prop and the value', () => {
  test.each<[string, Partial<gcp.OrganizationGuardrailsProps>, RegExp]>([
    ['a project as parent', { parent: 'projects/acme' }, /parent must be organizations\/<numeric id> or folders\/<numeric id>, got projects\/acme/],
    ['a folder without an organisation', { parent: FOLDER }, /organization is required when parent is a folder \(folders\/345678901234\)/],
    ['another organisation than the parent', { organization: 'organizations/1' }, /organization must be the parent organisation organizations\/123456789012/],
    ['no deployment identity', { deploymentPrincipals: [] }, /deploymentPrincipals must name at least one identity, got none/],
    ['a domain as exception', { deploymentPrincipals: ['domain:example.com'] }, /deploymentPrincipals must hold serviceAccount:, group: or user: members.*got domain:example.com/],
    ['everyone as exception', { pamPrincipals: ['principalSet://goog/public:all'] }, /pamPrincipals must name identities, not everyone/],
    ['the same identity twice', { pamPrincipals: [DEPLOYER] }, /deploymentPrincipals and pamPrincipals/],
    ['a service that is not a Google API', { cmekServices: ['s3.amazonaws.com'] }, /cmekServices must be a service name such as storage.googleapis.com, got s3.amazonaws.com/],
    ['an upper-case location', { allowedLocations: ['EU'] }, /allowedLocations must be a location such as europe-west1/],
    ['a bad key project', { cmekKeyProjects: ['Bad_Project'] }, /cmekKeyProjects must hold project ids or projects\/, folders\/ or organizations\/ names, got Bad_Project/],
    ['Autokey folder without key project', { customConstraints: false, autokeyFolder: 'folders/5' }, /autokeyFolder and autokeyKeyProject go together/],
    ['no profile', { profile: undefined }, /profile is required, got nothing/],
    ['a profile name instead of the profile', { profile: 'PCI_DSS' as any }, /profile must be a ComplianceProfile/],
  ])('%s', (_, extra, error) => {
    expect(() => guardrails(extra)).toThrow(error);
  });

  test('a second OrganizationGuardrails on the same parent in one app (both would manage the same policies)', () => {
    const stack = gcpStack();
    guardrails({}, stack);
    const other = new TerraformStack(stack.node.root as any, 'other');
    expect(() => new gcp.OrganizationGuardrails(other, 'Again', { parent: ORG, profile: ComplianceProfile.COMMERCIAL, deploymentPrincipals: [DEPLOYER] }))
      .toThrow(/parent organizations\/123456789012 has OrganizationGuardrails already \(test\/Guardrails\)/);
    expect(() => new gcp.OrganizationGuardrails(other, 'Folder', {
      parent: FOLDER,
      organization: ORG,
      profile: ComplianceProfile.COMMERCIAL,
      deploymentPrincipals: [DEPLOYER],
    })).not.toThrow();
  });

  test('custom constraints of one profile defined twice in an organisation; another profile\'s are its own', () => {
    const stack = gcpStack();
    guardrails({}, stack);
    const other = new TerraformStack(stack.node.root as any, 'other');
    expect(() => new gcp.OrganizationGuardrails(other, 'SameProfile', {
      parent: FOLDER,
      organization: ORG,
      profile: ComplianceProfile.PCI_DSS,
      deploymentPrincipals: [DEPLOYER],
    })).toThrow(/custom constraint custom.cloudKmsRotationPeriodPCIDSS is defined in organizations\/123456789012 already/);
    // Refused before anything was claimed or created: the folder is still free.
    expect(other.node.tryFindChild('SameProfile')?.node.children ?? []).toEqual([]);
    const stricter = new gcp.OrganizationGuardrails(other, 'Stricter', {
      parent: 'folders/999999999999',
      organization: ORG,
      profile: ComplianceProfile.FEDRAMP_HIGH,
      deploymentPrincipals: [DEPLOYER],
    });
    expect(stricter.customConstraints).toHaveLength(3);
  });
});

test('the deny policy, and allowedProtectionLevels where external keys are allowed, declare what they leave out; the destroy window does not', () => {
  const records = EvidenceLedger.of(guardrails().stack).guardrails;
  expect(records.find((r) => r.name === 'cloud-kms-iam-lock')!.partial).toMatch(/grants on the project, folder or organisation .* not covered/);
  expect(records.find((r) => r.name === 'constraints/cloudkms.minimumDestroyScheduledDuration')!.partial).toBeUndefined();
  // Every built-in profile allows HYOK, so external keys are allowed and their FIPS level is the external manager's;
  // a custom profile without HYOK leaves nothing out.
  expect(records.find((r) => r.name === 'constraints/cloudkms.allowedProtectionLevels')!.partial).toContain('EXTERNAL and EXTERNAL_VPC keys are allowed');
  const noHyok = ComplianceProfile.custom({
    name: 'PCI_NO_HYOK',
    basedOn: ComplianceProfile.PCI_DSS,
    allowedModels: ComplianceProfile.PCI_DSS.allowedModels.filter((m) => m !== DeploymentModel.HYOK),
  });
  const own = EvidenceLedger.of(guardrails({ profile: noHyok }).stack).guardrails.find((r) => r.name === 'constraints/cloudkms.allowedProtectionLevels')!;
  expect(own.partial).toBeUndefined();
});
