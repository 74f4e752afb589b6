/*
 * OrganizationGuardrails under a residency profile: gcp.resourceLocations follows the profile's allowedRegions (Autokey
 * otherwise makes keys wherever a developer's resource is), an explicit list must stay within them, and the policy is
 * a guardrail of the residency control, partial for what the constraint does not judge.
 */
import { ComplianceProfile, EvidenceLedger } from '../../src';
import { RESIDENCY_CONTROLS } from '../../src/core/key-evidence';
import * as gcp from '../../src/gcp';
import { gcpStack, resources, synth, TfJson } from '../support/gcp';

const ORG = 'organizations/123456789012';
const DEPLOYER = 'serviceAccount:kms-deployer@acme-kms-admin.iam.gserviceaccount.com';
const KMS_AGENT = 'serviceAccount:service-111111111111@gcp-sa-cloudkms.iam.gserviceaccount.com';

const inRegions = (...allowedRegions: string[]) =>
  ComplianceProfile.custom({ name: `in-${allowedRegions.join('-')}`, basedOn: ComplianceProfile.COMMERCIAL, allowedRegions });

function guardrails(profile: ComplianceProfile, extra: Partial<gcp.OrganizationGuardrailsProps> = {}) {
  const stack = gcpStack();
  new gcp.OrganizationGuardrails(stack, 'Guardrails', {
    parent: ORG, profile, customConstraints: false, deploymentPrincipals: [DEPLOYER, KMS_AGENT], ...extra,
  });
  return { stack, json: synth(stack) };
}

const locations = (json: TfJson) => {
  const found = Object.values(resources(json, 'google_org_policy_policy')).filter((p: any) => p.name === `${ORG}/policies/gcp.resourceLocations`);
  return found.map((p: any) => p.spec.rules[0].values.allowed_values);
};

describe('gcp.resourceLocations follows the profile\'s allowedRegions', () => {
  test('with Autokey and no allowedLocations, the policy holds the profile\'s regions with their zones', () => {
    const { json } = guardrails(inRegions('europe-west1', 'europe-west4'), { autokeyFolder: 'folders/555555555555', autokeyKeyProject: 'acme-kms-keys' });
    expect(locations(json)).toEqual([['in:europe-west1-locations', 'in:europe-west4-locations']]);
  });

  test('a multi-region is named by itself (not its regions); other clouds\' region names are left out', () => {
    const { json } = guardrails(inRegions('eur4', 'europe-west1', 'eu-west-1', 'westeurope'));
    expect(locations(json)).toEqual([['eur4', 'in:europe-west1-locations']]);
  });

  test('a profile naming no Google location is refused, naming the prop and the profile', () => {
    expect(() => guardrails(inRegions('eu-west-1'))).toThrow(/^allowedLocations of test\/Guardrails cannot be derived from profile in-eu-west-1: its allowedRegions \[eu-west-1\] name no Google Cloud region/);
  });

  test('an explicit list within the profile is kept as given', () => {
    const { json } = guardrails(inRegions('europe-west1'), { allowedLocations: ['europe-west1', 'europe-west1-b', 'in:europe-west1-locations'] });
    expect(locations(json)).toEqual([['europe-west1', 'europe-west1-b', 'in:europe-west1-locations']]);
  });

  test.each([
    ['a wider value group', 'in:eu-locations'],
    ['a region outside', 'us-central1'],
    ['a multi-region the profile does not name', 'europe'],
    ['the value group of a multi-region', 'in:europe-locations'],
    ['a zone of a region outside', 'us-central1-a'],
  ])('an explicit list outside the profile is refused: %s', (_, value) => {
    expect(() => guardrails(inRegions('europe-west1'), { allowedLocations: ['in:europe-west1-locations', value] }))
      .toThrow(`allowedLocations of test/Guardrails must stay within profile in-europe-west1's allowedRegions [europe-west1], got '${value}'`);
  });

  test('an empty list under a residency profile is refused (it would set no policy)', () => {
    expect(() => guardrails(inRegions('europe-west1'), { allowedLocations: [] })).toThrow(/^allowedLocations of test\/Guardrails must not be empty under profile in-europe-west1/);
  });

  test('without allowedRegions nothing changes: no policy unless a list is given, any list accepted', () => {
    expect(locations(guardrails(ComplianceProfile.COMMERCIAL).json)).toEqual([]);
    expect(locations(guardrails(ComplianceProfile.COMMERCIAL, { allowedLocations: ['in:eu-locations'] }).json)).toEqual([['in:eu-locations']]);
  });
});

describe('evidence', () => {
  test('the policy is a partial guardrail of the residency control under a residency profile', () => {
    const { stack } = guardrails(inRegions('europe-west1', 'westeurope'));
    const record = EvidenceLedger.of(stack).guardrails.find((r) => r.name === 'constraints/gcp.resourceLocations')!;
    expect(record.controls).toEqual(RESIDENCY_CONTROLS);
    expect(record.partial).toMatch(/only new resources .* not global resources .*; not Google Cloud locations, left out: westeurope$/);
    expect(record.description).toMatch(/created only in in:europe-west1-locations/);
  });

  test('without allowedRegions a given list claims no control', () => {
    const { stack } = guardrails(ComplianceProfile.COMMERCIAL, { allowedLocations: ['in:eu-locations'] });
    const record = EvidenceLedger.of(stack).guardrails.find((r) => r.name === 'constraints/gcp.resourceLocations')!;
    expect(record.controls).toEqual([]);
    expect(record.partial).toBeUndefined();
  });
});
