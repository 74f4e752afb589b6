import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ComplianceReport, KmsRulePack, KmsRulesPlugin } from '../../src/compliance';
import { ComplianceProfile, Control } from '../../src/core';
import { optionalProfile } from '../../src/core/input';

/* The rule pack's and the validation plugin's public entry points, given what untyped (JavaScript, jsii) callers send. */
const TEMPLATE = { Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } };

test.each<[string, unknown, string]>([
  ['a profile name instead of a profile', 'HIPAA', 'profile must be a ComplianceProfile (e.g. ComplianceProfile.HIPAA), got HIPAA'],
  ['a plain object', { name: 'HIPAA' }, 'profile must be a ComplianceProfile (e.g. ComplianceProfile.HIPAA), got {"name":"HIPAA"}'],
  ['null', null, 'profile must be a ComplianceProfile (e.g. ComplianceProfile.HIPAA), got null'],
  ['an empty string', '', 'profile must be a ComplianceProfile (e.g. ComplianceProfile.HIPAA), got ""'],
])('KmsRulePack and KmsRulesPlugin refuse %s as the profile, by name, in the constructor', (_what, profile, message) => {
  expect(() => new KmsRulePack(profile as ComplianceProfile)).toThrow(message);
  expect(() => new KmsRulesPlugin(profile as ComplianceProfile)).toThrow(message);
  try {
    new KmsRulePack(profile as ComplianceProfile);
  } catch (e) {
    expect((e as Error).name).toBe('ValidationError');
  }
});

test('the default and a real profile are still taken', () => {
  expect(new KmsRulePack().profile).toBe(ComplianceProfile.COMMERCIAL);
  expect(new KmsRulesPlugin(ComplianceProfile.PCI_DSS).ruleIds!.length).toBeGreaterThan(0);
  expect(new KmsRulesPlugin(undefined).ruleIds!.length).toBeGreaterThan(0);
});

test('a profile of a second copy of the library (another class, the same members) is taken, as the constructs take it', () => {
  const pci = ComplianceProfile.PCI_DSS;
  // A real second copy has every method of the class on its own prototype.
  class OtherCopyProfile {
    public allows(...args: unknown[]): unknown {
      return (pci.allows as (...a: unknown[]) => unknown)(...args);
    }
    public acceptsFipsLevel(...args: unknown[]): unknown {
      return (pci.acceptsFipsLevel as (...a: unknown[]) => unknown)(...args);
    }
    public allowsRegion(...args: unknown[]): unknown {
      return (pci.allowsRegion as (...a: unknown[]) => unknown)(...args);
    }
    public allowsKeyAlgorithm(...args: unknown[]): unknown {
      return (pci.allowsKeyAlgorithm as (...a: unknown[]) => unknown)(...args);
    }
    public get restrictsRegions(): boolean {
      return pci.restrictsRegions;
    }
  }
  const copy = Object.assign(new OtherCopyProfile(), pci) as unknown as ComplianceProfile;
  expect(copy instanceof ComplianceProfile).toBe(false);
  const key = { Resources: { Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 } } } };
  expect(new KmsRulePack(copy).violations(key)).toEqual(new KmsRulePack(pci).violations(key));
  expect(new KmsRulePack(copy).violations(key).map((f) => f.rule)).toContain('CloudKms-AwsKeyDeletionWindow');
  expect(new KmsRulesPlugin(copy).ruleIds!.length).toBeGreaterThan(0);
});

// Review of issue 17: the look-alike check must not take an object with a profile's name and none of its requirements
// (the rules would read undefined for dual control, separation of duties and the audit rules, and pass).
test.each<[string, Record<string, unknown>]>([
  ['a name and allows only', { name: 'PCI_DSS', allows: () => true }],
  ['every member but dualControlRequired', (() => {
    const { dualControlRequired: _dropped, ...rest } = { ...ComplianceProfile.PCI_DSS } as Record<string, unknown>;
    return { ...rest, allows: () => true, acceptsFipsLevel: () => true };
  })()],
  ['maxRotationDays as a string', { ...ComplianceProfile.PCI_DSS, maxRotationDays: '365', allows: () => true, acceptsFipsLevel: () => true }],
])('a profile look-alike with %s is refused by the pack, the plugin and the constructs\' check', (_what, lookAlike) => {
  const message = /^profile must be a ComplianceProfile \(e\.g\. ComplianceProfile\.HIPAA\), got /;
  expect(() => new KmsRulePack(lookAlike as unknown as ComplianceProfile)).toThrow(message);
  expect(() => new KmsRulesPlugin(lookAlike as unknown as ComplianceProfile)).toThrow(/must be a ComplianceProfile/);
  expect(() => optionalProfile('profile', lookAlike)).toThrow(/^profile must be a ComplianceProfile \(e\.g\. ComplianceProfile\.PCI_DSS\), got /);
});

test.each([['AWS'], [''], ['toString'], ['__proto__']])('check refuses cloud %j by name (not a TypeError from a lookup)', (cloud) => {
  expect(() => new KmsRulePack().check(TEMPLATE, cloud)).toThrow(`cloud must be aws, azure or gcp, got ${cloud === '' ? '""' : cloud}`);
});

test('checkFile: a file that is not JSON is named without quoting its text; a missing one by its error code', () => {
  const d = mkdtempSync(join(tmpdir(), 'pack-'));
  writeFileSync(join(d, 'secret.json'), 'CANARY-9a1 not json');
  const pack = new KmsRulePack();
  expect(() => pack.checkFile(join(d, 'secret.json'))).toThrow(`path ${join(d, 'secret.json')} is not JSON`);
  expect(() => pack.checkFile(join(d, 'secret.json'))).not.toThrow(/CANARY/);
  expect(() => pack.checkFile(join(d, 'nope.json'))).toThrow(`path ${join(d, 'nope.json')} cannot be read: ENOENT`);
});

describe('ComplianceReport from untyped callers', () => {
  const stack = () => new Stack(new App(), 'S');

  test.each<[string, () => void, string]>([
    ['no scope', () => ComplianceReport.acknowledgeControl(undefined as any, Control.NIST_AU_6, 'audit is covered by the org trail'),
      'scope must be a construct, got nothing'],
    ['a string as the scope', () => ComplianceReport.acknowledgeControl('S/Key' as any, Control.NIST_AU_6, 'audit is covered by the org trail'),
      'scope must be a construct, got S/Key'],
    ['no control', () => ComplianceReport.acknowledgeControl(stack(), undefined as any, 'audit is covered by the org trail'),
      'control must be a Control (e.g. Control.NIST_SC_12), got nothing'],
    ['a control id instead of a Control', () => ComplianceReport.acknowledgeControl(stack(), 'AU-6' as any, 'audit is covered by the org trail'),
      'control must be a Control (e.g. Control.NIST_SC_12), got AU-6'],
    ['no reason', () => ComplianceReport.acknowledgeControl(stack(), Control.NIST_AU_6, undefined as any),
      'reason must explain the exception in at least 10 characters, got nothing'],
    ['a number as the reason', () => ComplianceReport.acknowledgeControl(stack(), Control.NIST_AU_6, 12345678901 as any),
      'reason must explain the exception in at least 10 characters, got 12345678901'],
    ['a blank reason', () => ComplianceReport.acknowledgeControl(stack(), Control.NIST_AU_6, '           '),
      "reason must explain the exception in at least 10 characters, got '           '"],
    ['writeTo without a scope', () => ComplianceReport.writeTo(undefined as any, 'out'), 'scope must be a construct, got nothing'],
    ['writeTo an empty directory name', () => ComplianceReport.writeTo(stack(), ''), 'outdir must be a directory path, got ""'],
    ['writeTo without a directory', () => ComplianceReport.writeTo(stack(), undefined as any), 'outdir is required, got nothing'],
  ])('%s: a ValidationError naming the argument', (_what, call, message) => {
    expect(call).toThrow(message);
    try {
      call();
    } catch (e) {
      expect((e as Error).name).toBe('ValidationError');
    }
  });
});
