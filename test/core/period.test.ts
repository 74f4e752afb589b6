import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Period, PeriodUnit } from '../../src/core';

const ROOT = path.join(__dirname, '..', '..');

describe('Period', () => {
  test.each<[string, Period, PeriodUnit, number, number, string]>([
    ['days', Period.days(90), PeriodUnit.DAYS, 7776000, 90, '90 days'],
    ['one day', Period.days(1), PeriodUnit.DAYS, 86400, 1, '1 day'],
    ['hours', Period.hours(36), PeriodUnit.HOURS, 129600, 1.5, '1 day 12 hours'],
    ['minutes', Period.minutes(90), PeriodUnit.MINUTES, 5400, 0.0625, '1 hour 30 minutes'],
    ['seconds', Period.seconds(86400.5), PeriodUnit.SECONDS, 86400.5, 86400.5 / 86400, '1 day 0.5 seconds'],
  ])('%s', (_n, p, unit, seconds, days, human) => {
    expect(p.unit).toBe(unit);
    expect(p.toSeconds()).toBe(seconds);
    expect(p.toDays()).toBe(days);
    expect(p.toHumanString()).toBe(human);
  });

  test('keeps the amount as given, so a token survives for the construct to resolve', () => {
    // What cdktf's TerraformVariable.numberValue returns: aws-cdk-lib's Duration threw "Duration amounts cannot be negative".
    const token = -8.109562212591379e+298;
    const p = Period.days(token);
    expect(p.amount).toBe(token);
    expect(p.secondsPerUnit).toBe(86400);
    expect(Period.hours(token).unitLabel()).toBe('hours');
  });
});

describe('a Terraform-only user needs no aws-cdk-lib', () => {
  const sources = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);

  test.each(['core', 'azure', 'gcp', 'terraform'])('src/%s names no aws-cdk-lib module, not even for types', (folder) => {
    const offenders = sources(path.join(ROOT, 'src', folder))
      .filter((f) => /from\s+['"]aws-cdk-lib|require\(\s*['"]aws-cdk-lib|import\(\s*['"]aws-cdk-lib/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  test('loading src/core, src/azure and src/gcp and synthesizing keys with a variable rotation loads no aws-cdk-lib module', () => {
    const script = `
      const { App, TerraformStack, TerraformVariable } = require('cdktf');
      const { AzurermProvider } = require('@cdktf/provider-azurerm/lib/provider');
      const { GoogleProvider } = require('@cdktf/provider-google/lib/provider');
      const core = require('./src/core');
      const azure = require('./src/azure');
      const gcp = require('./src/gcp');
      const app = new App({ outdir: require('os').tmpdir() + '/period-no-cdk-' + process.pid });
      const a = new TerraformStack(app, 'az');
      new AzurermProvider(a, 'azurerm', { features: [{}], subscriptionId: 'a1b2c3d4-0000-4000-8000-000000000001' });
      const ra = new TerraformVariable(a, 'rotation_days', { type: 'number', default: 90 });
      new azure.CustomerManagedKey(a, 'K', {
        resourceGroupName: 'rg', location: 'westeurope', acknowledgePurgeProtectionIsPermanent: true,
        rotation: core.Period.days(ra.numberValue),
        network: azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.0/24'] }),
        custodians: { administrators: ['11111111-1111-4111-8111-111111111111'], users: ['22222222-2222-4222-8222-222222222222'] },
      });
      const g = new TerraformStack(app, 'gc');
      new GoogleProvider(g, 'google', { project: 'p-1', region: 'europe-west1' });
      const rg = new TerraformVariable(g, 'rotation_days', { type: 'number', default: 90 });
      new gcp.CustomerManagedKey(g, 'K', {
        project: 'project-p-1', location: 'europe-west1', rotation: core.Period.days(rg.numberValue),
        custodians: { administrators: ['user:admin@example.com'], users: ['serviceAccount:app@p-1.iam.gserviceaccount.com'] },
      });
      app.synth();
      const loaded = Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/]aws-cdk-lib[\\\\/]/.test(k));
      process.stdout.write(JSON.stringify({ loaded: loaded.length, first: loaded.slice(0, 3), cdktf: Object.keys(require.cache).some((k) => k.includes('cdktf')) }));
    `;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, timeout: 120_000,
    });
    expect(JSON.parse(out)).toEqual({ loaded: 0, first: [], cdktf: true });
  });
});
