import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile } from '../../src';
import { CliIo, run } from '../../src/cli/main';
import { cmkFor, newStack } from '../support/fixtures';

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: () => { throw new Error('report and check never call KMS'); },
    azureKeys: () => { throw new Error('report and check never call Azure'); },
    gcpKms: () => { throw new Error('report and check never call Google Cloud'); },
    now: () => new Date(),
  };
  return { out, err, run: (...argv: string[]) => run(argv, io) };
}

/** A synthesized PCI app: a CustomerManagedKey, and optionally a plain IAM-delegated key beside it. */
function assembly(withPlainKey: boolean): { dir: string; template: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-assembly-'));
  const app = new App({ outdir: dir });
  const stack = newStack('Payments', app);
  cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
  if (withPlainKey) new kms.Key(stack, 'Plain');
  app.synth();
  return { dir, template: join(dir, 'Payments.template.json') };
}

describe('cloud-kms report', () => {
  const { dir } = assembly(false);

  test('prints the control table of a cloud assembly; exit 0 when every required control is met', async () => {
    const c = cli();
    expect(await c.run('report', dir)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/^\d+ keys, \d+ required controls: \d+ satisfied, 0 partially satisfied, 0 not applicable, 0 acknowledged, 0 unmet/);
    expect(text).toMatch(/Payments\/CardKey {2}CustomerManagedKey {2}CUSTOMER_MANAGED {2}PCI_DSS/);
    // Behind the dual-control gate: two people, from the evaluated policy.
    expect(text).toMatch(/satisfied +PCI DSS v4.0 3.7.6 +KeyPolicy = dual control \(evaluated\)/);
    expect(text).toMatch(/satisfied +PCI DSS v4.0 3.7.7 +KeyPolicy = separation of duties \(evaluated\)/);
  });

  test('exit 1 on an unmet control; --json for scripts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-report-')), 'compliance-report.json');
    writeFileSync(file, JSON.stringify({
      generator: 'x',
      stacks: [{
        name: 'S',
        cloud: 'aws',
        diagram: '',
        keys: [{
          path: 'S/K',
          construct: 'CustomerManagedKey',
          model: 'CUSTOMER_MANAGED',
          profile: 'PCI_DSS',
          controls: [{ id: 'PCI DSS v4.0 3.7.6', status: 'not satisfied', evidence: [] }],
        }],
      }],
      summary: { keys: 1, requiredControls: 1, satisfied: 0, notApplicable: 0, acknowledged: 0, unmet: [{ key: 'S/K', control: 'PCI DSS v4.0 3.7.6' }] },
    }));
    const c = cli();
    expect(await c.run('report', file, '--json')).toBe(1);
    expect(JSON.parse(c.out[0]).report.summary.unmet).toHaveLength(1);
  });

  test('a directory without a report, or no path, is a usage error', async () => {
    const c = cli();
    expect(await c.run('report', mkdtempSync(join(tmpdir(), 'empty-')))).toBe(2);
    expect(c.err.join('\n')).toMatch(/no compliance-report.json in .*: synthesize the app/);
    expect(await c.run('report')).toBe(2);
  });
});

describe('cloud-kms check', () => {
  test('a template of our keys passes: exit 0', async () => {
    const c = cli();
    expect(await c.run('check', assembly(false).template, '--profile', 'PCI_DSS')).toBe(0);
    expect(c.out.join('\n')).toMatch(/PASS {2}CloudKms-AwsKeySeparationOfDuties +CardKey[0-9A-F]{8}: administrators, users and importers are different principals/);
    expect(c.out.join('\n')).toMatch(/\d+ compliant, 0 non-compliant/);
  });

  test('a non-compliant key fails: exit 1, each finding named', async () => {
    const c = cli();
    expect(await c.run('check', assembly(true).template, '--profile', 'pci-dss')).toBe(1);
    expect(c.out.join('\n')).toMatch(/FAIL {2}CloudKms-AwsKeyRotation +Plain[0-9A-F]{8}: automatic rotation is off/);
  });

  test('Terraform JSON is recognized by its provider', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-tf-')), 'cdk.tf.json');
    writeFileSync(file, JSON.stringify({ resource: { google_kms_crypto_key: { k: { rotation_period: '31536000s', lifecycle: { prevent_destroy: true } } } } }));
    const c = cli();
    expect(await c.run('check', file)).toBe(1);
    expect(c.out.join('\n')).toMatch(/^.*\(gcp, profile COMMERCIAL\)/);
    expect(c.out.join('\n')).toMatch(/FAIL {2}CloudKms-GcpKeyRotation +google_kms_crypto_key.k: rotates every 365 days, over 90/);
  });

  test('bad input: an unknown profile, a directory, not JSON', async () => {
    const c = cli();
    const { template } = assembly(false);
    expect(await c.run('check', template, '--profile', 'GOLD')).toBe(2);
    expect(c.err.join('\n')).toMatch(/--profile must be one of COMMERCIAL, .* got GOLD/);
    expect(await c.run('check', tmpdir())).toBe(2);
    const notJson = join(mkdtempSync(join(tmpdir(), 'cli-x-')), 'x.json');
    writeFileSync(notJson, 'nope');
    expect(await c.run('check', notJson)).toBe(2);
  });
});
