import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as ts from 'typescript';

/*
 * The README's Azure and Google Cloud quick starts, run exactly as written: the code block is read from README.md
 * (never copied here), compiled, and run as a user's `main.ts` would be, with `cloud-kms-constructs` resolved to this
 * source tree. It must synthesize, compliance report included, under the profile it names and under HIPAA and SOC 2 (which
 * requires alerting, CC7.2), with no acknowledgement of an unmet control.
 */

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The first TypeScript block under a level-2 heading. */
function quickStart(heading: string): string {
  const at = README.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README has no section "## ${heading}"`);
  const next = README.indexOf('\n## ', at + 1);
  const match = /```ts\n([\s\S]*?)```/.exec(README.slice(at, next < 0 ? undefined : next));
  if (!match) throw new Error(`README section "## ${heading}" has no ts block`);
  return match[1];
}

/** Compiles and runs a snippet as a program, with synthesis into `outdir`. */
function run(code: string, outdir: string): void {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
    reportDiagnostics: true,
  }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (id: string) => (id === 'cloud-kms-constructs' ? require('../src') : require(id));
  const previous = process.env.CDKTF_OUTDIR;
  process.env.CDKTF_OUTDIR = outdir;
  try {
    const exports = {};
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', js)(load, { exports }, exports);
  } finally {
    if (previous === undefined) delete process.env.CDKTF_OUTDIR;
    else process.env.CDKTF_OUTDIR = previous;
  }
}

const cases: [string, string][] = [['Azure', 'azure'], ['Google Cloud', 'gcp']];

describe.each(cases)('the README quick start for %s', (heading) => {
  const code = quickStart(heading);
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'quickstart-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  test('is a whole program: it synthesizes the app it builds, and acknowledges nothing', () => {
    expect(code).toMatch(/\.synth\(\)/);
    expect(code).not.toMatch(/acknowledgeControl/);
    expect(code).toMatch(/ComplianceProfile\.PCI_DSS/);
  });

  test.each(['PCI_DSS', 'HIPAA', 'SOC2'])('synthesizes under %s with every required control met', (profile) => {
    run(code.replace(/ComplianceProfile\.PCI_DSS/g, `ComplianceProfile.${profile}`), outdir);
    const report = JSON.parse(readFileSync(join(outdir, 'compliance-report.json'), 'utf8'));
    expect(report.summary.unmet).toEqual([]);
    expect(report.summary.acknowledged).toBe(0);
    expect(report.summary.keys).toBeGreaterThan(0);
    expect(existsSync(join(outdir, 'stacks'))).toBe(true);
  });
});
