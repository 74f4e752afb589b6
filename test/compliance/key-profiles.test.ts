import { checkByKeyProfile, profileFromReportName, resourceProfiles } from '../../src/compliance/key-profiles';
import { DeploymentModel } from '../../src/core/deployment-model';
import { ComplianceProfile } from '../../src/core/profile';
import { PROFILE_METADATA_KEY, profileFromRecord, profileRecord } from '../../src/core/profile-record';

describe('a profile written into a template', () => {
  test('a custom profile survives the round trip with every figure the rules read', () => {
    const custom = ComplianceProfile.custom({
      name: 'PCI_DSS-AUDIT', basedOn: ComplianceProfile.PCI_DSS, allowedModels: [DeploymentModel.CUSTOMER_MANAGED], maxRotationDays: 180,
    });
    const back = profileFromRecord(JSON.parse(JSON.stringify(profileRecord(custom))))!;
    expect(profileRecord(back)).toEqual(profileRecord(custom));
    expect(back.dualControlRequired).toBe(true);
    expect(back.maxRotationDays).toBe(180);
  });

  test('a bare built-in name, and what is not a profile', () => {
    expect(profileFromRecord('pci-dss')).toBe(ComplianceProfile.PCI_DSS);
    expect(profileFromRecord('GOLD')).toBeUndefined();
    expect(profileFromRecord({ nom: 'x' })).toBeUndefined();
    // Contradictory figures are refused, not half-read.
    expect(profileFromRecord({ name: 'X', auditSinkRequired: false, immutableAuditRequired: true })).toBeUndefined();
    expect(profileFromReportName('SOVEREIGN-AUDIT')?.dualControlRequired).toBe(ComplianceProfile.SOVEREIGN.dualControlRequired);
    expect(profileFromReportName('MINE')).toBeUndefined();
  });
});

describe('checkByKeyProfile', () => {
  /** Two keys with rotation off: one under PCI, one recording nothing. */
  const template = {
    Resources: {
      Pci: { Type: 'AWS::KMS::Key', Metadata: { [PROFILE_METADATA_KEY]: profileRecord(ComplianceProfile.PCI_DSS) }, Properties: {} },
      Commercial: { Type: 'AWS::KMS::Key', Metadata: { [PROFILE_METADATA_KEY]: 'COMMERCIAL' }, Properties: { PendingWindowInDays: 7 }, DeletionPolicy: 'Retain' },
      Plain: { Type: 'AWS::KMS::Key', Properties: { PendingWindowInDays: 7 }, DeletionPolicy: 'Retain' },
    },
  };

  test('each key by its own; a key recording none by every profile of its template, worst verdict kept', () => {
    expect([...resourceProfiles(template).entries()].map(([id, p]) => [id, p.name])).toEqual([['Pci', 'PCI_DSS'], ['Commercial', 'COMMERCIAL']]);
    const { findings, profiles, fellBack } = checkByKeyProfile(template);
    expect(fellBack).toBe(false);
    expect(profiles.sort()).toEqual(['COMMERCIAL', 'PCI_DSS']);
    const window = (id: string) => findings.find((f) => f.rule === 'CloudKms-AwsKeyDeletionWindow' && f.resource === id);
    // A 7-day window: enough for COMMERCIAL (7), not for PCI (30).
    expect(window('Commercial')).toMatchObject({ profile: 'COMMERCIAL', result: 'COMPLIANT' });
    expect(window('Plain')).toMatchObject({ profile: 'PCI_DSS', result: 'NON_COMPLIANT' });
    expect(findings.filter((f) => f.resource === 'Commercial' && f.profile !== 'COMMERCIAL')).toEqual([]);
  });

  test('nothing recorded: the fallback judges everything; an override judges everything', () => {
    const bare = { Resources: { Plain: template.Resources.Plain } };
    expect(checkByKeyProfile(bare)).toMatchObject({ profiles: ['COMMERCIAL'], fellBack: true });
    const overridden = checkByKeyProfile(template, { override: ComplianceProfile.PCI_DSS });
    expect(overridden.findings.find((f) => f.rule === 'CloudKms-AwsKeyDeletionWindow' && f.resource === 'Commercial'))
      .toMatchObject({ profile: 'PCI_DSS', result: 'NON_COMPLIANT' });
  });
});
