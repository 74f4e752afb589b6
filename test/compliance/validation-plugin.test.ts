import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsRulesPlugin } from '../../src/compliance/validation-plugin';
import { ComplianceProfile } from '../../src/core/profile';
import { cmkFor, newStack } from '../support/fixtures';

/** Synthesizes a stack with the plugin; returns the violations it reported (rule and resource). */
function violations(build: (stack: Stack) => void, plugin: KmsRulesPlugin): Array<{ rule: string; resource: string; description: string }> {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'plugin-')) });
  build(newStack('Keys', app));
  Validations.of(app).addPlugins(plugin);
  try {
    app.synth();
  } catch {
    // A failed validation throws after writing validation-report.json.
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.flatMap((p: any) => p.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => ({
    rule: v.ruleName, resource: c.cloudFormationResource.logicalId, description: v.description,
  }))));
}

/** A PCI key whose deletion window was shortened below PCI's 30 days behind the construct's back (an escape hatch). */
function pciKeyWithShortWindow(stack: Stack): void {
  const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
  (key.node.defaultChild as kms.CfnKey).pendingWindowInDays = 7;
  cmkFor(stack, ComplianceProfile.COMMERCIAL, 'ReportsKey');
}

describe('KmsRulesPlugin judges each key by its own profile', () => {
  test('with no profile given, a PCI key breaking a PCI rule fails, by the profile in its metadata', () => {
    const found = violations(pciKeyWithShortWindow, new KmsRulesPlugin());
    expect(found).toContainEqual({ rule: 'CloudKms-AwsKeyDeletionWindow', resource: expect.stringMatching(/^CardKey[0-9A-F]{8}$/), description: expect.stringMatching(/^7-day deletion window, shorter than profile PCI_DSS's 30 \(profile PCI_DSS; controls: /) });
    expect(found.filter((v) => v.resource.startsWith('ReportsKey'))).toEqual([]);
  });

  test('a profile given overrides every key\'s own', () => {
    const found = violations(pciKeyWithShortWindow, new KmsRulesPlugin(ComplianceProfile.COMMERCIAL));
    expect(found.filter((v) => v.rule === 'CloudKms-AwsKeyDeletionWindow')).toEqual([]);
  });
});
