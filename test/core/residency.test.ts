import { App } from 'aws-cdk-lib';
import { ComplianceProfile, Control, DeploymentModel, EvidenceLedger, EvidenceStatus, FipsLevel } from '../../src';
import { recordKeyEvidence, recordResidency, RESIDENCY_CONTROLS } from '../../src/core/key-evidence';
import { checkResidency } from '../../src/core/residency';

const EU = ComplianceProfile.custom({ name: 'EU', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-west-1', 'West Europe'] });
const FIX = 'set env.region on the stack';

describe('checkResidency', () => {
  test('an allowed region passes, compared without case or spaces', () => {
    expect(() => checkResidency(EU, 'env.region of stack S', 'eu-west-1', FIX)).not.toThrow();
    expect(() => checkResidency(EU, 'location', 'westeurope', FIX)).not.toThrow();
    expect(() => checkResidency(EU, 'location', 'WestEurope', FIX)).not.toThrow();
  });

  test('a region outside the profile is refused, naming the prop, the value and the allowed list', () => {
    expect(() => checkResidency(EU, 'env.region of stack S', 'us-east-1', FIX))
      .toThrow("env.region of stack S must be one of profile EU's allowedRegions [eu-west-1, westeurope], got 'us-east-1'");
  });

  test('a location only known at deployment is refused under a restricting profile, with the fix', () => {
    expect(() => checkResidency(EU, 'env.region of stack S', undefined, FIX))
      .toThrow('env.region of stack S is only known at deployment, and profile EU allows only [eu-west-1, westeurope]: set env.region on the stack');
  });

  test('a profile without allowedRegions lets anything through, an unknown location included', () => {
    expect(() => checkResidency(ComplianceProfile.PCI_DSS, 'location', 'us-east-1', FIX)).not.toThrow();
    expect(() => checkResidency(ComplianceProfile.PCI_DSS, 'location', undefined, FIX)).not.toThrow();
  });
});

describe('residency evidence', () => {
  const ledger = () => EvidenceLedger.of(new App());
  const base = { subject: 'S/K', resource: 'S/K/Resource' };

  test('SA-9(5) is the residency control, with its 800-53 title', () => {
    expect(RESIDENCY_CONTROLS).toEqual([Control.NIST_SA_9_5]);
    expect(Control.NIST_SA_9_5.id).toBe('NIST SP 800-53 Rev. 5 SA-9(5)');
    expect(Control.NIST_SA_9_5.title).toBe('Processing, Storage, and Service Location');
  });

  test('an allowed location is SATISFIED, with the setting, the value and the allowed list', () => {
    const l = ledger();
    recordResidency({ ledger: l, ...base, profile: EU, regions: ['eu-west-1'], setting: 'env.region' });
    expect(l.evidenceFor(Control.NIST_SA_9_5, 'S/K')).toEqual([expect.objectContaining({
      status: EvidenceStatus.SATISFIED,
      setting: 'env.region',
      value: 'eu-west-1',
      description: 'key material in eu-west-1; profile EU allows only eu-west-1, westeurope',
    })]);
  });

  test('a location outside, a token or no location at all is never SATISFIED', () => {
    for (const regions of [['us-east-1'], ['eu-west-1', 'us-east-1'], ['${Token[AWS.Region.4]}'], []]) {
      const l = ledger();
      recordResidency({ ledger: l, ...base, profile: EU, regions });
      expect(l.evidenceFor(Control.NIST_SA_9_5, 'S/K')[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
    }
  });

  test('a profile that does not restrict regions records nothing', () => {
    const l = ledger();
    recordResidency({ ledger: l, ...base, profile: ComplianceProfile.PCI_DSS, regions: ['us-east-1'] });
    expect(l.evidence()).toEqual([]);
  });

  test('recordKeyEvidence records the regions on the key and the residency fact from them', () => {
    const l = ledger();
    const fact = { setting: 'x', value: 'y', description: 'z' };
    recordKeyEvidence({
      ledger: l,
      ...base,
      stack: 'S',
      cloud: 'gcp',
      constructName: 'CustomerManagedKey',
      model: DeploymentModel.CUSTOMER_MANAGED,
      profile: EU,
      fipsLevel: FipsLevel.LEVEL_3,
      regions: ['westeurope'],
      rotation: fact,
      custody: fact,
      separation: fact,
      dualControl: fact,
      audit: fact,
    });
    expect(l.tryFindKey('S/K')?.regions).toEqual(['westeurope']);
    expect(l.evidenceFor(Control.NIST_SA_9_5, 'S/K')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'location', value: 'westeurope' });
  });
});
