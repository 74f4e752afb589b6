/*
 * CloudKms-AwsKeyResidency: where a template's keys, trail and trail bucket will be, judged against the key's profile
 * (a custom profile's allowedRegions travel in the key's profile metadata), by the CLI, the pack and the CDK plugin.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { ComplianceProfile } from '../../src';
import * as aws from '../../src/aws';
import { checkPath } from '../../src/cli/compliance';
import { KmsRulePack } from '../../src/compliance/pack';
import { RuleResult } from '../../src/compliance/rules/result';
import { KmsRulesPlugin } from '../../src/compliance/validation-plugin';
import { ACCOUNT, cmkFor } from '../support/fixtures';

const EU = ComplianceProfile.custom({ name: 'EU_PCI', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-west-1', 'eu-central-1'] });
const RULE = 'CloudKms-AwsKeyResidency';

function assembly(profile: ComplianceProfile, plugin = false) {
  const dir = mkdtempSync(join(tmpdir(), 'residency-rule-'));
  const app = new App({ outdir: dir });
  cmkFor(new Stack(app, 'Payments', { env: { account: ACCOUNT, region: 'eu-west-1' } }), profile, 'CardKey');
  if (plugin) Validations.of(app).addPlugins(new KmsRulesPlugin());
  app.synth();
  return { dir, template: join(dir, 'Payments.template.json') };
}
type Finding = { rule: string; result: RuleResult; resource: string; message: string };
const residency = (findings: Finding[]) => findings.filter((f) => f.rule === RULE);

describe('cloud-kms check reads the stack region from the cloud assembly manifest', () => {
  const { dir, template } = assembly(EU);

  test('the key, the sink\'s key, the trail and its bucket are in eu-west-1: compliant', () => {
    const found = residency(checkPath(template)[0].findings);
    const t = JSON.parse(readFileSync(template, 'utf8'));
    const trail = Object.keys(t.Resources).find((id) => t.Resources[id].Type === 'AWS::CloudTrail::Trail')!;
    const bucket = t.Resources[trail].Properties.S3BucketName.Ref;
    expect(found.map((f) => f.resource).sort()).toEqual([
      ...Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::KMS::Key'), trail, bucket,
    ].sort());
    for (const f of found) {
      expect(f).toMatchObject({ result: RuleResult.COMPLIANT, message: expect.stringMatching(/in stack region eu-west-1, allowed by profile EU_PCI(-AUDIT)?$/) });
    }
  });

  test('a manifest that puts the stack in us-east-1 makes every one non-compliant, naming the region', () => {
    const moved = mkdtempSync(join(tmpdir(), 'residency-moved-'));
    copyFileSync(template, join(moved, 'Payments.template.json'));
    const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8').replace(/aws:\/\/(\d+)\/eu-west-1/g, 'aws://$1/us-east-1');
    writeFileSync(join(moved, 'manifest.json'), manifest);
    const found = residency(checkPath(join(moved, 'Payments.template.json'))[0].findings);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      expect(f).toMatchObject({ result: RuleResult.NON_COMPLIANT, message: expect.stringMatching(/in stack region us-east-1: us-east-1 outside profile EU_PCI(-AUDIT)?'s eu-west-1, eu-central-1$/) });
    }
  });

  test('a template without its manifest shows its region by its AllowedRegions rule; without the rule it cannot, and is non-compliant', () => {
    const alone = mkdtempSync(join(tmpdir(), 'residency-alone-'));
    copyFileSync(template, join(alone, 'Payments.template.json'));
    const found = residency(checkPath(join(alone, 'Payments.template.json'))[0].findings);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toMatchObject({ result: RuleResult.COMPLIANT, message: expect.stringMatching(/in template rule AllowedRegions \(AWS::Region in eu-west-1\)/) });
    const bare = JSON.parse(readFileSync(template, 'utf8'));
    delete bare.Rules.AllowedRegions;
    writeFileSync(join(alone, 'Payments.template.json'), JSON.stringify(bare));
    const unshown = residency(checkPath(join(alone, 'Payments.template.json'))[0].findings);
    expect(unshown.length).toBe(found.length);
    for (const f of unshown) expect(f).toMatchObject({ result: RuleResult.NON_COMPLIANT, message: expect.stringMatching(/region is not shown/) });
  });

  test('a profile without allowedRegions: not applicable', () => {
    const found = residency(checkPath(assembly(ComplianceProfile.PCI_DSS).template)[0].findings);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f).toMatchObject({ result: RuleResult.NOT_APPLICABLE, message: 'profile PCI_DSS sets no allowedRegions' });
  });
});

describe('an environment-agnostic template confined by an AWS::Region rule (a StackSet baseline)', () => {
  const template = () => {
    const stack = new aws.KeyBaselineStack(new App(), 'Baseline', {
      profile: ComplianceProfile.custom({ name: 'EU', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['eu-west-1', 'eu-central-1'] }),
      executionRoleName: 'AWSCloudFormationStackSetExecutionRole',
      administratorRoleNames: ['KeyAdmin'],
    });
    return JSON.parse(JSON.stringify(Stack.of(stack).resolve((stack as any)._toCloudFormation())));
  };

  test('the rule\'s list inside the profile is compliant; a list reaching outside it is not', () => {
    const narrow = ComplianceProfile.custom({ name: 'IE', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['eu-west-1'] });
    const t = template();
    const ok = residency(new KmsRulePack(ComplianceProfile.custom({ name: 'EU', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['eu-west-1', 'eu-central-1'] })).check(t, 'aws'));
    expect(ok.length).toBeGreaterThan(0);
    for (const f of ok) expect(f).toMatchObject({ result: RuleResult.COMPLIANT, message: expect.stringContaining('template rule AllowedRegions (AWS::Region in eu-west-1, eu-central-1)') });
    for (const f of residency(new KmsRulePack(narrow).check(t, 'aws'))) {
      expect(f).toMatchObject({ result: RuleResult.NON_COMPLIANT, message: expect.stringMatching(/eu-central-1 outside profile IE's eu-west-1$/) });
    }
  });

  test('without the rule the same template shows no region', () => {
    const t = template();
    delete t.Rules.AllowedRegions;
    for (const f of residency(new KmsRulePack(EU).check(t, 'aws'))) expect(f.result).toBe(RuleResult.NON_COMPLIANT);
  });
});

test('KmsRulesPlugin reads the manifest: synthesis passes in an allowed region; the same template placed in us-east-1 fails', () => {
  const { dir, template } = assembly(EU, true);
  const plugin = new KmsRulesPlugin();
  expect(plugin.validate({ templatePaths: [template] } as any)).toEqual({ success: true, violations: [] });
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/aws:\/\/(\d+)\/eu-west-1/g, 'aws://$1/us-east-1'));
  const result = plugin.validate({ templatePaths: [template] } as any);
  expect(result.success).toBe(false);
  expect(result.violations.map((v) => v.ruleName)).toEqual([RULE]);
  expect(result.violations[0].description).toMatch(/us-east-1 outside profile EU_PCI(-AUDIT)?'s eu-west-1, eu-central-1 \(profile EU_PCI(-AUDIT)?; controls: NIST SP 800-53 Rev. 5 SA-9\(5\)\)$/);
});
