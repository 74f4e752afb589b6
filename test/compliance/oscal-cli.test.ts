import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { errorsOf, validators } from './oscal-support';
import { compliance, ComplianceProfile } from '../../src';
import { CliIo, run } from '../../src/cli/main';
import { cmkFor, newStack } from '../support/fixtures';

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: () => { throw new Error('oscal never calls KMS'); },
    azureKeys: () => { throw new Error('oscal never calls Azure'); },
    gcpKms: () => { throw new Error('oscal never calls Google Cloud'); },
    now: () => new Date(),
  };
  return { out, err, run: (...argv: string[]) => run(argv, io) };
}

describe('cloud-kms oscal', () => {
  const assembly = mkdtempSync(join(tmpdir(), 'oscal-assembly-'));
  const app = new App({ outdir: assembly });
  cmkFor(newStack('Payments', app), ComplianceProfile.PCI_DSS, 'CardKey');
  app.synth();
  const { component, assessment } = validators();

  test('writes both documents of a cloud assembly, dated as asked, valid against the schemas', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'oscal-out-')), 'oscal');
    const c = cli();
    expect(await c.run('oscal', assembly, '--out', out, '--timestamp', '2026-01-31T12:00:00Z')).toBe(0);
    expect(c.out.join('\n')).toBe(`wrote ${join(out, 'component-definition.json')} and ${join(out, 'assessment-results.json')} (OSCAL 1.0.6)`);
    const cd = JSON.parse(readFileSync(join(out, 'component-definition.json'), 'utf8'));
    const ar = JSON.parse(readFileSync(join(out, 'assessment-results.json'), 'utf8'));
    expect(errorsOf(component, cd)).toEqual([]);
    expect(errorsOf(assessment, ar)).toEqual([]);
    expect(ar['assessment-results'].results[0].start).toBe('2026-01-31T12:00:00Z');
    expect(ar['assessment-results'].results[0].findings.some((f: any) => f.title.includes('Payments/CardKey'))).toBe(true);
  });

  test('does not overwrite without --force; the same report and time give the same files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'oscal-out-'));
    const args = ['oscal', join(assembly, 'compliance-report.json'), '--out', out, '--timestamp', '2026-01-31T12:00:00+01:00'];
    expect(await cli().run(...args)).toBe(0);
    const first = readFileSync(join(out, 'assessment-results.json'), 'utf8');
    const again = cli();
    expect(await again.run(...args)).toBe(2);
    expect(again.err.join('\n')).toMatch(/--out: .*component-definition.json, .*assessment-results.json already exist; give --force to overwrite/);
    expect(await cli().run(...args, '--force')).toBe(0);
    expect(readFileSync(join(out, 'assessment-results.json'), 'utf8')).toBe(first);
  });

  test.each([['2026-01-31'], ['2026-01-31T12:00:00'], ['2026-02-30T12:00:00Z'], ['2026-01-31T12:00:00+01:15']])('refuses --timestamp %s (exit 2)', async (timestamp) => {
    const c = cli();
    expect(await c.run('oscal', assembly, '--out', mkdtempSync(join(tmpdir(), 'oscal-out-')), '--timestamp', timestamp)).toBe(2);
    expect(c.err.join('\n')).toContain('--timestamp must be an ISO 8601 date');
  });

  test('needs --out, and a synthesis output', async () => {
    const c = cli();
    expect(await c.run('oscal', assembly)).toBe(2);
    expect(c.err.join('\n')).toMatch(/--out/);
    const d = cli();
    expect(await d.run('oscal', mkdtempSync(join(tmpdir(), 'empty-')), '--out', mkdtempSync(join(tmpdir(), 'oscal-out-')))).toBe(2);
    expect(d.err.join('\n')).toMatch(/no compliance-report.json in/);
  });
});

describe('compliance.ComplianceReport.writeOscalTo', () => {
  test("writes the app's documents now, from any construct of it; a non-construct is named", () => {
    const stack = newStack('Payments', new App());
    const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
    const dir = mkdtempSync(join(tmpdir(), 'oscal-api-'));
    const files = compliance.ComplianceReport.writeOscalTo(key, dir, { timestamp: '2026-01-31T12:00:00Z', version: '1.0' });
    const { component, assessment } = validators();
    const cd = JSON.parse(readFileSync(files.componentDefinition, 'utf8'));
    expect(errorsOf(component, cd)).toEqual([]);
    expect(cd['component-definition'].metadata.version).toBe('1.0');
    expect(errorsOf(assessment, JSON.parse(readFileSync(files.assessmentResults, 'utf8')))).toEqual([]);
    expect(() => compliance.ComplianceReport.writeOscalTo({} as any, dir)).toThrow(/scope must be a construct/);
  });
});
