import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { App } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile } from '../../src';
import { CliIo, run } from '../../src/cli/main';
import { profileRecord } from '../../src/core/profile-record';
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

/** Lets the key's administrator delete it alone: what dual control (PCI DSS 3.6.1.2 / 3.7.6) forbids. */
function breakDualControl(templateFile: string): void {
  const t = JSON.parse(readFileSync(templateFile, 'utf8'));
  const sneaky = {
    Sid: 'AdminDeletesAlone',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::123456789012:role/KeyAdmin' },
    Action: 'kms:ScheduleKeyDeletion',
    Resource: '*',
  };
  const cardKey = Object.keys(t.Resources).find((id) => id.startsWith('CardKey') && t.Resources[id].Type === 'AWS::KMS::Key')!;
  const targets = [t.Resources[cardKey].Properties,
    ...Object.values<any>(t.Resources).filter((r) => r.Type === 'Custom::CloudKmsGatedKeyPolicy' && r.Properties.KeyId?.Ref === cardKey)
      .map((r) => r.Properties)];
  for (const props of targets) {
    const field = 'KeyPolicy' in props ? 'KeyPolicy' : 'Policy';
    const doc = typeof props[field] === 'string' ? JSON.parse(props[field]) : props[field];
    doc.Statement.push(sneaky);
    props[field] = typeof props[field] === 'string' ? JSON.stringify(doc) : doc;
  }
  writeFileSync(templateFile, JSON.stringify(t));
}

/** A PCI key and a COMMERCIAL key in one stack, as in examples/aws/customer-managed. */
function mixedAssembly(parent?: string): { dir: string; template: string } {
  const dir = parent ? join(parent, 'payments') : mkdtempSync(join(tmpdir(), 'cli-mixed-'));
  const app = new App({ outdir: dir });
  const stack = newStack('Payments', app);
  cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
  cmkFor(stack, ComplianceProfile.COMMERCIAL, 'ReportsKey');
  app.synth();
  return { dir, template: join(dir, 'Payments.template.json') };
}

describe('cloud-kms check', () => {
  const mixed = mixedAssembly(mkdtempSync(join(tmpdir(), 'cli-out-')));

  test('each key is judged by its own profile, recorded in the key resource\'s metadata', async () => {
    const t = JSON.parse(readFileSync(mixed.template, 'utf8'));
    const profiles = Object.entries<any>(t.Resources).filter(([, r]) => r.Type === 'AWS::KMS::Key')
      .map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Metadata?.['cloud-kms-constructs:profile']?.name]);
    expect(profiles).toEqual(expect.arrayContaining([['CardKey', 'PCI_DSS'], ['ReportsKey', 'COMMERCIAL']]));
    const c = cli();
    expect(await c.run('check', mixed.template, '--json')).toBe(0);
    const [checked] = JSON.parse(c.out[0]).templates;
    expect(checked.profileSource).toBe('key');
    expect(checked.profiles).toEqual(expect.arrayContaining(['PCI_DSS', 'COMMERCIAL']));
    const dual = (key: string) => checked.findings.find((f: any) => f.rule === 'CloudKms-AwsKeyDualControl' && f.resource.startsWith(key));
    expect(dual('CardKey')).toMatchObject({ profile: 'PCI_DSS', result: 'COMPLIANT' });
    expect(dual('ReportsKey')).toMatchObject({ profile: 'COMMERCIAL', result: 'NOT_APPLICABLE' });
  });

  test('--profile overrides every key\'s own: the COMMERCIAL key fails PCI dual control', async () => {
    const c = cli();
    expect(await c.run('check', mixed.template, '--profile', 'pci-dss')).toBe(1);
    expect(c.out.join('\n')).toMatch(/\(aws, profile PCI_DSS \(--profile\)\)/);
    expect(c.out.join('\n')).toMatch(/FAIL {2}CloudKms-AwsKeyDualControl +ReportsKey[0-9A-F]{8} \[PCI_DSS\]: statement .* outside the dual-control gate/);
  });

  test('a PCI key that breaks dual control fails without --profile (file and directory)', async () => {
    const broken = mixedAssembly();
    breakDualControl(broken.template);
    for (const path of [broken.template, broken.dir]) {
      const c = cli();
      expect(await c.run('check', path)).toBe(1);
      expect(c.out.join('\n')).toMatch(/FAIL {2}CloudKms-AwsKeyDualControl +CardKey[0-9A-F]{8} \[PCI_DSS\]: statement AdminDeletesAlone allows kms:ScheduleKeyDeletion outside the dual-control gate/);
      expect(c.err).toEqual([]);
    }
  });

  test('a directory of assemblies (as examples/out/aws) is searched, asset directories skipped', async () => {
    const parent = dirname(mixed.dir);
    const c = cli();
    expect(await c.run('check', parent)).toBe(0);
    expect(c.out.join('\n')).toContain(`${mixed.template} (aws, each key by its own profile:`);
    expect(c.out.join('\n')).not.toMatch(/asset\./);
  });

  test('a template of our keys passes: exit 0', async () => {
    const c = cli();
    expect(await c.run('check', assembly(false).template, '--profile', 'PCI_DSS')).toBe(0);
    expect(c.out.join('\n')).toMatch(/PASS {2}CloudKms-AwsKeySeparationOfDuties +CardKey[0-9A-F]{8} \[PCI_DSS\]: administrators, users and importers are different principals/);
    expect(c.out.join('\n')).toMatch(/\d+ compliant, 0 non-compliant/);
  });

  test('a plain key beside ours has no profile of its own: it is judged by its template\'s (PCI), and fails', async () => {
    const c = cli();
    expect(await c.run('check', assembly(true).template)).toBe(1);
    expect(c.out.join('\n')).toMatch(/FAIL {2}CloudKms-AwsKeyRotation +Plain[0-9A-F]{8} \[PCI_DSS\]: automatic rotation is off/);
  });

  test('Terraform JSON with no profile recorded: refused unless --profile names one (never judged by a default)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-tf-')), 'cdk.tf.json');
    writeFileSync(file, JSON.stringify({ resource: { google_kms_crypto_key: { k: { rotation_period: '31536000s', lifecycle: { prevent_destroy: true } } } } }));
    const c = cli();
    expect(await c.run('check', file)).toBe(2);
    expect(c.err.join('\n')).toContain(`no key in ${file} records its compliance profile`);
    expect(c.err.join('\n')).toContain('give --profile <name>');
    const d = cli();
    expect(await d.run('check', file, '--profile', 'COMMERCIAL')).toBe(1);
    expect(d.out.join('\n')).toMatch(/FAIL {2}CloudKms-GcpKeyRotation +google_kms_crypto_key.k \[COMMERCIAL\]: rotates every 365 days, over 90/);
  });

  test('a PCI template whose profile records were stripped does not pass as COMMERCIAL', async () => {
    const { template } = assembly(false);
    const stripped = JSON.parse(readFileSync(template, 'utf8'));
    for (const r of Object.values<any>(stripped.Resources)) if (r.Metadata) delete r.Metadata['cloud-kms-constructs:profile'];
    const file = join(mkdtempSync(join(tmpdir(), 'cli-stripped-')), 'Stripped.template.json');
    writeFileSync(file, JSON.stringify(stripped));
    const c = cli();
    expect(await c.run('check', file)).toBe(2);
    expect(c.out.join('\n')).not.toMatch(/0 non-compliant/);
  });

  test('a custom profile recorded in the report judges a Terraform key by its own figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-custom-'));
    mkdirSync(join(out, 'stacks', 'rings'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'rings', 'cdk.tf.json'), JSON.stringify({
      resource: {
        google_kms_crypto_key: {
          k: { 'rotation_period': '7776000s', 'lifecycle': { prevent_destroy: true }, '//': { metadata: { path: 'rings/Ledger/Resource' } } },
        },
      },
    }));
    const acme = ComplianceProfile.custom({ name: 'ACME_PCI', basedOn: ComplianceProfile.PCI_DSS, maxRotationDays: 30 });
    writeFileSync(join(out, 'compliance-report.json'), JSON.stringify({
      stacks: [{ name: 'rings', keys: [{ path: 'rings/Ledger', profile: 'ACME_PCI', profileRecord: profileRecord(acme) }] }],
      summary: {},
    }));
    const c = cli();
    expect(await c.run('check', out)).toBe(1);
    expect(c.out.join('\n')).toMatch(/FAIL {2}CloudKms-GcpKeyRotation +google_kms_crypto_key.k \[ACME_PCI\]: rotates every 90 days, over 30/);
  });

  test('a cdktf out directory: each key by the profile compliance-report.json gives it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-cdktf-'));
    const key = (name: string) => ({ name, 'key_type': 'RSA', 'key_size': 3072, '//': { metadata: { path: `vaults/${name}/Resource` } } });
    mkdirSync(join(out, 'stacks', 'vaults'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'vaults', 'cdk.tf.json'), JSON.stringify({
      resource: { azurerm_key_vault_key: { Ledger: key('Ledger'), Sessions: key('Sessions') } },
    }));
    writeFileSync(join(out, 'compliance-report.json'), JSON.stringify({
      stacks: [{ name: 'vaults', keys: [{ path: 'vaults/Ledger', profile: 'FEDRAMP_HIGH' }, { path: 'vaults/Sessions', profile: 'COMMERCIAL' }] }],
      summary: {},
    }));
    const c = cli();
    expect(await c.run('check', out)).toBe(1);
    const text = c.out.join('\n');
    // FedRAMP High requires FIPS 140 Level 3: a software key fails; the COMMERCIAL key beside it is not held to that.
    expect(text).toMatch(/FAIL {2}CloudKms-AzureKeyHsm +azurerm_key_vault_key.Ledger \[FEDRAMP_HIGH\]: key type RSA/);
    expect(text).not.toMatch(/CloudKms-AzureKeyHsm +azurerm_key_vault_key.Sessions/);
  });

  test('a cdktf out directory: another stack\'s project audit config counts for a stack\'s keys', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-cdktf-siblings-'));
    const stack = (name: string, json: object) => {
      mkdirSync(join(out, 'stacks', name), { recursive: true });
      writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(json));
    };
    stack('keys', {
      resource: {
        google_kms_crypto_key: { k: { 'rotation_period': '7776000s', '//': { metadata: { path: 'keys/Key/Resource' } } } },
        google_logging_project_sink: { s: { project: 'p', filter: 'protoPayload.serviceName="cloudkms.googleapis.com"' } },
        google_logging_project_bucket_config: { b: { locked: true } },
      },
    });
    stack('audit', {
      resource: {
        google_project_iam_audit_config: {
          c: { project: 'p', service: 'cloudkms.googleapis.com', audit_log_config: [{ log_type: 'DATA_READ' }, { log_type: 'DATA_WRITE' }] },
        },
      },
    });
    writeFileSync(join(out, 'compliance-report.json'), JSON.stringify({ stacks: [{ name: 'keys', keys: [{ path: 'keys/Key', profile: 'HIPAA' }] }] }));
    const c = cli();
    await c.run('check', out);
    // The audit stack holds no key: it is judged, and no note is printed for it.
    expect(c.err).toEqual([]);
    expect(c.out.join('\n')).toMatch(/PASS {2}CloudKms-GcpAuditLogs +google_project_iam_audit_config.c \[HIPAA\]: Data Access logs on, routed by a sink/);
  });

  test('bad input: an unknown profile, an empty directory, not JSON', async () => {
    const c = cli();
    const { template } = assembly(false);
    expect(await c.run('check', template, '--profile', 'GOLD')).toBe(2);
    expect(c.err.join('\n')).toMatch(/--profile must be one of COMMERCIAL, .* got GOLD/);
    const empty = mkdtempSync(join(tmpdir(), 'cli-empty-'));
    expect(await c.run('check', empty)).toBe(2);
    expect(c.err.join('\n')).toContain(`no templates in ${empty}: give a template, a cloud assembly (cdk.out) or a cdktf out directory (cdktf.out)`);
    const notJson = join(mkdtempSync(join(tmpdir(), 'cli-x-')), 'x.json');
    writeFileSync(notJson, 'nope');
    expect(await c.run('check', notJson)).toBe(2);
  });
});
