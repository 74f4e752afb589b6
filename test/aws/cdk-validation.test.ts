import { readFileSync } from 'fs';
import { join } from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { scenarios } from '../support/scenarios';

/*
 * aws-cdk-lib's built-in CloudFormation validation (a rule engine in WebAssembly, started again for each synthesis,
 * a third of a synthesis' time) runs in this suite only: test/support/jest-setup.ts turns it off everywhere else with
 * CDK_VALIDATION=false. Here it runs over every test scenario and must find nothing: its findings are warnings that
 * fail no synthesis, so this is the only place they are checked.
 */

const BUILT_IN = 'CloudFormation Validate';

function findingsOf(outdir: string): string[] {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  return report.pluginReports.filter((r: any) => r.pluginName === BUILT_IN)
    .flatMap((r: any) => r.violations.map((v: any) => `${v.ruleName} ${v.description ?? ''}`));
}

test('aws-cdk-lib\'s built-in CloudFormation validation finds nothing in any test scenario', () => {
  const before = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    const findings: string[] = [];
    for (const s of scenarios()) {
      const app = (s.build() as Stack).node.root as App;
      const outdir = app.synth().directory;
      findings.push(...findingsOf(outdir).map((f) => `${s.name}: ${f}`));
    }
    expect(findings).toEqual([]);
    // It ran: the same synthesis reports a key with an invalid key spec (its report lists plugins that found something).
    const app = new App();
    new CfnResource(new Stack(app, 'Canary'), 'Key', { type: 'AWS::KMS::Key', properties: { KeySpec: 'NOT_A_KEY_SPEC' } });
    expect(findingsOf(app.synth().directory)).toEqual([expect.stringMatching(/./)]);
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
});
