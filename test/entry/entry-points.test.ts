/*
 * Issue 15, item 1: entry points per cloud, a lazy package root, optional peers.
 *
 * Tests run on src/, but what users load is the compiled package: its `exports` map and the root index rewritten by
 * projenrc/lazy-index.ts after jsii. So beforeAll lays out the package as it is published (package.json, lib/ compiled
 * from src/ by TypeScript with jsii's module settings, the lazy-index step applied), and each probe runs in a child Node
 * process that requires `cloud-kms-constructs/...` by name (package self-reference, which goes through `exports`) and
 * reports which modules it loaded. That works the same in `npx projen build` (compile before test) and alone.
 */
import { spawnSync } from 'child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';
import * as ts from 'typescript';
import { eagerNamespaces, lazifyIndex, ROOT_NAMESPACES } from '../../projenrc/lazy-index';

const ROOT = join(__dirname, '../..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
let pkgDir: string;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

beforeAll(() => {
  pkgDir = mkdtempSync(join(tmpdir(), 'entry-pkg-'));
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  for (const file of sources(join(ROOT, 'src'))) {
    const out = join(pkgDir, 'lib', relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText);
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(pkgDir, 'node_modules'));
  symlinkSync(join(ROOT, 'assets'), join(pkgDir, 'assets'));
  // What the compile task runs after jsii.
  const lazify = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'projenrc/lazy-index.ts', join(pkgDir, 'lib')], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: 'projenrc/tsconfig.json' },
  });
  if (lazify.status !== 0) throw new Error(`lazy-index failed: ${lazify.stderr}`);
  cpSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
  writeFileSync(join(pkgDir, '.jsii'), '{}');
});

afterAll(() => rmSync(pkgDir, { recursive: true, force: true }));

interface Probe {
  /** What the script returned. */
  readonly result: any;
  /** Packages (`aws-cdk-lib`, `@cdktf/provider-google` …) whose modules were loaded. */
  readonly packages: string[];
  /** Our own modules that were loaded, as paths under lib/. */
  readonly own: string[];
}

/** Runs `body` (a CommonJS function body returning JSON) in a fresh Node process inside the package. */
function probe(body: string): Probe {
  const script = `
    const result = (() => { ${body} })();
    const files = Object.keys(require.cache);
    const packages = [...new Set(files.filter((f) => f.includes('/node_modules/')).map((f) => {
      const parts = f.slice(f.lastIndexOf('/node_modules/') + 14).split('/');
      return parts[0].startsWith('@') ? parts[0] + '/' + parts[1] : parts[0];
    }))].sort();
    const own = files.filter((f) => f.startsWith(${JSON.stringify(pkgDir + '/lib/')})).map((f) => f.slice(${pkgDir.length + 5}));
    process.stdout.write(JSON.stringify({ result, packages, own }));`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: pkgDir, encoding: 'utf8', timeout: 90_000 });
  if (run.status !== 0) throw new Error(`probe failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const CDKTF = /^(cdktf|@cdktf\/.*)$/;

describe('the package root', () => {
  test('loads no namespace until it is read: core names only', () => {
    const p = probe("const root = require('cloud-kms-constructs'); return { profile: typeof root.ComplianceProfile };");
    expect(p.result.profile).toBe('function');
    expect(p.packages.filter((name) => CDKTF.test(name) || name === 'aws-cdk-lib')).toEqual([]);
    expect(p.own.filter((f) => /^(aws|azure|gcp|compliance)\//.test(f))).toEqual([]);
  });

  test('an AWS app through the root (a key built and synthesized) loads no cdktf module', () => {
    const p = probe(`
      const { aws, ComplianceProfile } = require('cloud-kms-constructs');
      const { App, Stack } = require('aws-cdk-lib');
      const { ArnPrincipal } = require('aws-cdk-lib/aws-iam');
      const app = new App({ outdir: require('fs').mkdtempSync(require('os').tmpdir() + '/entry-app-') });
      const stack = new Stack(app, 'Orders', { env: { account: '111111111111', region: 'us-east-1' } });
      new aws.CustomerManagedKey(stack, 'OrdersKey', {
        profile: ComplianceProfile.COMMERCIAL,
        custodians: { administrators: [new ArnPrincipal('arn:aws:iam::111111111111:role/KeyAdmin')], users: [new ArnPrincipal('arn:aws:iam::111111111111:role/App')] },
      });
      const out = app.synth().directory;
      return { report: require('fs').existsSync(out + '/compliance-report.json') };`);
    expect(p.result.report).toBe(true);
    expect(p.packages).toContain('aws-cdk-lib');
    expect(p.packages.filter((name) => CDKTF.test(name))).toEqual([]);
    expect(p.own.filter((f) => /^(azure|gcp)\//.test(f))).toEqual([]);
  });

  test('keeps every name jsii publishes: core names and the four namespaces, also for an ES module import', () => {
    const p = probe("const root = require('cloud-kms-constructs'); return Object.keys(root);");
    expect(p.result).toEqual(expect.arrayContaining([...ROOT_NAMESPACES, 'ComplianceProfile', 'EvidenceLedger', 'Control', 'CustodianRole', 'DeploymentModel']));
    const esm = spawnSync(process.execPath, ['--input-type=module', '-e',
      "import { aws, azure, gcp, compliance, ComplianceProfile } from 'cloud-kms-constructs'; " +
      'console.log([aws.CustomerManagedKey, azure.CustomerManagedKey, gcp.CustomerManagedKey, compliance.ComplianceReport, ComplianceProfile].map((x) => typeof x).join())'],
    { cwd: pkgDir, encoding: 'utf8', timeout: 90_000 });
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe('function,function,function,function,function');
  });
});

describe('entry points', () => {
  test.each(['aws', 'azure', 'gcp', 'compliance'])('cloud-kms-constructs/%s exports the same names and classes as the root namespace', (name) => {
    const p = probe(`
      const entry = require('cloud-kms-constructs/${name}');
      const ns = require('cloud-kms-constructs').${name};
      return { entry: Object.keys(entry).sort(), ns: Object.keys(ns).sort(), same: Object.keys(ns).every((k) => ns[k] === entry[k]) };`);
    expect(p.result.entry.length).toBeGreaterThan(3);
    expect(p.result.entry).toEqual(p.result.ns);
    expect(p.result.same).toBe(true);
  });

  test('cloud-kms-constructs/core has the root\'s core names and loads no cloud library', () => {
    const p = probe(`
      const core = require('cloud-kms-constructs/core');
      const root = require('cloud-kms-constructs');
      return { names: Object.keys(core), same: Object.keys(core).every((k) => core[k] === root[k]) };`);
    expect(p.result.names).toEqual(expect.arrayContaining(['ComplianceProfile', 'Control', 'CustodianRole', 'DeploymentModel', 'EvidenceLedger', 'Period']));
    expect(p.result.same).toBe(true);
    expect(p.packages.filter((name) => CDKTF.test(name) || name === 'aws-cdk-lib')).toEqual([]);
  });

  test.each([
    // What a one-cloud TypeScript app type-checks when it imports core names and its cloud's entry point.
    ['core', /(^|\/)node_modules\/(aws-cdk-lib|cdktf|@cdktf)\//],
    ['aws', /(^|\/)node_modules\/(cdktf|@cdktf)\//],
    ['azure', /(^|\/)node_modules\/(aws-cdk-lib|@cdktf\/provider-google)\//],
    ['gcp', /(^|\/)node_modules\/(aws-cdk-lib|@cdktf\/provider-azurerm)\//],
  ])('the types of cloud-kms-constructs/%s reach no other cloud\'s library', (name, forbidden) => {
    const program = ts.createProgram([join(ROOT, 'src', name, 'index.ts')], {
      module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true, types: [],
    });
    const reached = program.getSourceFiles().map((f) => relative(ROOT, f.fileName)).filter((f) => forbidden.test(f));
    expect(reached).toEqual([]);
  });

  test('cloud-kms-constructs/aws loads no cdktf module, nothing of Azure or Google, and no handler runtime (the AWS SDK)', () => {
    const p = probe("const { CustomerManagedKey } = require('cloud-kms-constructs/aws'); return typeof CustomerManagedKey;");
    expect(p.result).toBe('function');
    expect(p.packages.filter((name) => CDKTF.test(name) || name.startsWith('@aws-sdk/') || name.startsWith('@smithy/'))).toEqual([]);
    expect(p.own.filter((f) => !/^(aws|core)\//.test(f))).toEqual([]);
    // Constructs load on first read: the HSM cluster and the external key store (and their aws-ec2) are not loaded.
    expect(p.own).not.toContain('aws/cloudhsm-cluster.js');
    expect(p.own).not.toContain('aws/hyok-external-store.js');
    expect(p.packages).toContain('aws-cdk-lib');
    const all = probe("const aws = require('cloud-kms-constructs/aws'); return Object.keys(aws).map((k) => typeof aws[k]);");
    expect(all.own).toEqual(expect.arrayContaining(['aws/cloudhsm-cluster.js', 'aws/hyok-external-store.js']));
  });

  test.each([
    ['azure', '@cdktf/provider-azurerm', '@cdktf/provider-google'],
    ['gcp', '@cdktf/provider-google', '@cdktf/provider-azurerm'],
  ])('cloud-kms-constructs/%s loads its own provider, not the other cloud\'s, and no AWS construct', (name, own, other) => {
    const p = probe(`const { CustomerManagedKey } = require('cloud-kms-constructs/${name}'); return typeof CustomerManagedKey;`);
    expect(p.result).toBe('function');
    expect(p.packages).toEqual(expect.arrayContaining(['cdktf', own]));
    expect(p.packages).not.toContain(other);
    expect(p.packages.filter((pkg) => pkg === 'aws-cdk-lib')).toEqual(awsCdkImporters(name).length > 0 ? ['aws-cdk-lib'] : []);
    // terraform/: the cdktf code Azure and Google share.
    expect(p.own.filter((f) => !new RegExp(`^(${name}|core|terraform)/`).test(f))).toEqual([]);
  });

  test('cloud-kms-constructs/compliance and the core load no cloud library', () => {
    for (const path of ['cloud-kms-constructs/compliance', 'cloud-kms-constructs/lib/core']) {
      const p = probe(`require('${path}'); return null;`);
      expect(p.packages.filter((name) => CDKTF.test(name) || name === 'aws-cdk-lib')).toEqual([]);
    }
  });

  test('cloud-kms-constructs/envelope loads no construct library, and a keyring only its own cloud\'s SDK', () => {
    const SDKS = /^(@aws-sdk\/|@smithy\/|@azure\/|@azure-rest\/|@google-cloud\/|google-gax$)/;
    const p = probe("const e = require('cloud-kms-constructs/envelope'); return [typeof e.Envelope, typeof e.RawAesKeyring];");
    expect(p.result).toEqual(['function', 'function']);
    expect(p.packages.filter((name) => CDKTF.test(name) || name === 'aws-cdk-lib' || name === 'constructs' || SDKS.test(name))).toEqual([]);
    const aws = probe("return typeof require('cloud-kms-constructs/envelope').AwsKmsKeyring;");
    expect(aws.result).toBe('function');
    expect(aws.packages).toContain('@aws-sdk/client-kms');
    expect(aws.packages.filter((name) => /^(@azure\/|@google-cloud\/)/.test(name))).toEqual([]);
    const names = probe("return Object.keys(require('cloud-kms-constructs/envelope')).sort();");
    expect(names.result).toEqual(expect.arrayContaining(['AwsKmsKeyring', 'AwsKmsMrkAwareKeyring', 'AwsKmsMrkDiscoveryKeyring', 'AzureKeyVaultKeyring', 'GcpKmsKeyring', 'createCallerProof', 'Envelope', 'RawAesKeyring']));
  });

  test('deep paths under lib/ that worked before `exports` still resolve, to the same classes', () => {
    const p = probe(`
      const aws = require('cloud-kms-constructs/aws');
      return [
        require('cloud-kms-constructs/lib/aws/customer-managed-key').CustomerManagedKey === aws.CustomerManagedKey,
        require('cloud-kms-constructs/lib/aws/customer-managed-key.js').CustomerManagedKey === aws.CustomerManagedKey,
        require('cloud-kms-constructs/lib/aws').CustomerManagedKey === aws.CustomerManagedKey,
        typeof require('cloud-kms-constructs/lib/envelope').Envelope,
        require('cloud-kms-constructs/package.json').name,
        require.resolve('cloud-kms-constructs/.jsii').endsWith('/.jsii'),
      ];`);
    expect(p.result).toEqual([true, true, true, 'function', 'cloud-kms-constructs', true]);
  });
});

/** The files of src/<cloud> that name aws-cdk-lib in an import or require. */
function awsCdkImporters(cloud: string): string[] {
  return sources(join(ROOT, 'src', cloud))
    .filter((file) => /from 'aws-cdk-lib|require\('aws-cdk-lib|import\('aws-cdk-lib/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(join(ROOT, 'src', cloud), file));
}

test.each(['azure', 'gcp'])('src/%s imports nothing from aws-cdk-lib (periods are core\'s Period)', (name) => {
  expect(awsCdkImporters(name)).toEqual([]);
});

describe('package.json', () => {
  test('cloud libraries are optional peers; constructs stays required', () => {
    for (const name of ['aws-cdk-lib', 'cdktf', '@cdktf/provider-azurerm', '@cdktf/provider-google']) {
      expect(PKG.peerDependencies[name]).toBeDefined();
      expect(PKG.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
    expect(PKG.peerDependencies.constructs).toBeDefined();
    expect(PKG.peerDependenciesMeta.constructs).toBeUndefined();
  });

  test('the exports map keeps what jsii and its tools read, and types for every entry point', () => {
    expect(PKG.exports['./.jsii']).toBe('./.jsii');
    expect(PKG.exports['./package.json']).toBe('./package.json');
    expect(PKG.exports['.']).toEqual({ types: `./${PKG.types}`, default: `./${PKG.main}` });
    for (const name of ['core', 'aws', 'azure', 'gcp', 'compliance', 'envelope']) {
      expect(PKG.exports[`./${name}`]).toEqual({ types: `./lib/${name}/index.d.ts`, default: `./lib/${name}/index.js` });
      expect(PKG.typesVersions['*'][name]).toEqual([`lib/${name}/index.d.ts`]);
    }
  });
});

describe('projenrc/lazy-index.ts', () => {
  test('the compiled root has the shape it rewrites, and after it none is eager', () => {
    const compiled = ts.transpileModule(readFileSync(join(ROOT, 'src/index.ts'), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    expect(eagerNamespaces(compiled)).toEqual([...ROOT_NAMESPACES]);
    const lazy = lazifyIndex(compiled, ROOT_NAMESPACES);
    expect(eagerNamespaces(lazy)).toEqual([]);
    expect(lazifyIndex(lazy, ROOT_NAMESPACES)).toBe(lazy);
  });

  test('fails the build when the compiled index no longer has that shape', () => {
    expect(() => lazifyIndex('"use strict";\nexports.aws = require("./aws");\n', ROOT_NAMESPACES))
      .toThrow(/lazy-index: no eager namespace export of aws, azure, gcp, compliance found/);
  });
});
