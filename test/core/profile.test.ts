import { ComplianceProfile, Control, DeploymentModel, FipsLevel } from '../../src';

const { PROVIDER_MANAGED: PM, CUSTOMER_MANAGED: CMK, BYOK, HYOK } = DeploymentModel;

// The README's profile table, row by row: a change to a built-in must change this table and the README.
const TABLE: Array<[ComplianceProfile, DeploymentModel[], FipsLevel, number, number, boolean, boolean, number, boolean, boolean]> = [
  [ComplianceProfile.COMMERCIAL, [PM, CMK, BYOK, HYOK], FipsLevel.LEVEL_1, 365, 7, false, false, 90, false, false],
  [ComplianceProfile.SOC2, [CMK, BYOK, HYOK], FipsLevel.LEVEL_1, 365, 30, true, false, 365, true, false],
  [ComplianceProfile.HIPAA, [CMK, BYOK, HYOK], FipsLevel.LEVEL_1, 365, 30, true, true, 2190, true, false],
  [ComplianceProfile.PCI_DSS, [CMK, BYOK, HYOK], FipsLevel.LEVEL_2, 365, 30, true, true, 365, true, true],
  [ComplianceProfile.FEDRAMP_MODERATE, [CMK, BYOK, HYOK], FipsLevel.LEVEL_1, 365, 30, true, true, 913, true, false],
  [ComplianceProfile.FEDRAMP_HIGH, [BYOK, HYOK], FipsLevel.LEVEL_3, 365, 30, true, true, 913, true, false],
  [ComplianceProfile.SOVEREIGN, [HYOK], FipsLevel.LEVEL_3, 365, 30, true, true, 913, true, true],
];

describe('built-in profiles', () => {
  test.each(TABLE)('%s declares its rules', (profile, models, fips, rotation, window, sink, immutable, retention, sod, dual) => {
    expect(profile.allowedModels.map((m) => m.id)).toEqual(models.map((m) => m.id));
    expect(profile.minimumFipsLevel).toBe(fips);
    expect(profile.maxRotationDays).toBe(rotation);
    expect(profile.minDeletionWindowDays).toBe(window);
    expect(profile.auditSinkRequired).toBe(sink);
    expect(profile.immutableAuditRequired).toBe(immutable);
    expect(profile.auditRetentionDays).toBe(retention);
    expect(profile.separationOfDutiesRequired).toBe(sod);
    expect(profile.dualControlRequired).toBe(dual);
  });

  test('builtIns lists all seven', () => {
    expect(ComplianceProfile.builtIns().map((p) => p.name)).toEqual(
      ['COMMERCIAL', 'SOC2', 'HIPAA', 'PCI_DSS', 'FEDRAMP_MODERATE', 'FEDRAMP_HIGH', 'SOVEREIGN']);
  });

  test('PCI DSS requires the dual-control control 3.7.6', () => {
    expect(ComplianceProfile.PCI_DSS.requiredControls).toContain(Control.PCI_3_7_6);
    expect(ComplianceProfile.COMMERCIAL.requiredControls).toEqual([]);
  });

  test('FedRAMP High requires everything Moderate does', () => {
    for (const c of ComplianceProfile.FEDRAMP_MODERATE.requiredControls) {
      expect(ComplianceProfile.FEDRAMP_HIGH.requiredControls).toContain(c);
    }
  });

  test('allows and acceptsFipsLevel', () => {
    expect(ComplianceProfile.FEDRAMP_HIGH.allows(PM)).toBe(false);
    expect(ComplianceProfile.FEDRAMP_HIGH.allows(BYOK)).toBe(true);
    expect(ComplianceProfile.PCI_DSS.acceptsFipsLevel(FipsLevel.LEVEL_1)).toBe(false);
    expect(ComplianceProfile.PCI_DSS.acceptsFipsLevel(FipsLevel.LEVEL_2)).toBe(true);
    expect(ComplianceProfile.SOVEREIGN.acceptsFipsLevel(FipsLevel.LEVEL_3)).toBe(true);
  });
});

describe('ComplianceProfile.custom', () => {
  test('inherits from basedOn and overrides what it sets', () => {
    const p = ComplianceProfile.custom({ name: 'BANK', basedOn: ComplianceProfile.PCI_DSS, maxRotationDays: 180, allowedModels: [BYOK] });
    expect(p.name).toBe('BANK');
    expect(p.maxRotationDays).toBe(180);
    expect(p.allowedModels).toEqual([BYOK]);
    expect(p.dualControlRequired).toBe(true);
    expect(p.auditRetentionDays).toBe(365);
    expect(p.requiredControls).toEqual(ComplianceProfile.PCI_DSS.requiredControls);
  });

  test('defaults to COMMERCIAL', () => {
    const p = ComplianceProfile.custom({ name: 'dev' });
    expect(p.allowedModels).toHaveLength(4);
    expect(p.auditSinkRequired).toBe(false);
  });

  test.each([
    [{ name: 'bad name' }, /profile name must be letters, digits.*got 'bad name'/],
    [{ name: 'x', allowedModels: [] }, /allowedModels of profile x must name at least one deployment model, got none/],
    [{ name: 'x', maxRotationDays: 0 }, /maxRotationDays must be a whole number between 1 and 36500, got 0/],
    [{ name: 'x', auditRetentionDays: 1.5 }, /auditRetentionDays must be a whole number between 1 and 36500, got 1.5/],
    [{ name: 'x', immutableAuditRequired: true }, /requires an immutable audit sink, so auditSinkRequired must be true, got false/],
    [{ name: 'x', dualControlRequired: true }, /requires dual control, so separationOfDutiesRequired must be true, got false/],
    // A weaker profile under a built-in's label would be judged and shown as that regime (the report, check, the plugin).
    [{ name: 'PCI_DSS', basedOn: ComplianceProfile.PCI_DSS, dualControlRequired: false }, /name of a custom profile must not be a built-in profile's name, got 'PCI_DSS'/],
    [{ name: 'pci-dss' }, /must not be a built-in profile's name, got 'pci-dss' \(the name of ComplianceProfile.PCI_DSS\)/],
    [{ name: 'Commercial' }, /must not be a built-in profile's name, got 'Commercial'/],
  ])('rejects %j', (props, message) => {
    expect(() => ComplianceProfile.custom(props as any)).toThrow(message);
  });
});
