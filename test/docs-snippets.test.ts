import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import * as ts from 'typescript';

/*
 * Every TypeScript block in README.md and docs/*.md, read from the Markdown itself (never copied here), is type-checked
 * against this source tree and run. Import paths are the package's: `cloud-kms-constructs` maps to src/index.ts and
 * `cloud-kms-constructs/<entry>` (core, aws, azure, gcp, compliance, envelope) to src/<entry>/index.ts.
 *
 * The convention, by the block's info string:
 *
 * - ```ts                   A whole program, as a user's main.ts. Type-checked, then run; a program that calls
 *                           `app.synth()` must write its app (CloudFormation or Terraform JSON) and a compliance
 *                           report with no unmet required control.
 * - ```ts fragment=<name>   A fragment that uses names a surrounding program would define. It is wrapped in the
 *                           harness <name> (HARNESSES below): the harness's prelude, then the fragment (its `import`
 *                           lines hoisted to the top), then the harness's epilogue, and the result is treated as
 *                           above. Harnesses marked `run: false` make programs that call cloud APIs at run time (a KMS
 *                           endpoint, STS): those are type-checked only.
 *
 * Any other info string on a block that starts with ```ts fails the test, so no block escapes by a typo. All blocks are
 * type-checked in one ts.Program, from memory (nothing is written into the tree); only the snippets' own diagnostics are
 * collected, src/ itself being type-checked by the build.
 */

const ROOT = join(__dirname, '..');

interface Harness {
  readonly prelude: string;
  readonly epilogue?: string;
  /** Whether the wrapped program is run (it must then be synchronous). */
  readonly run: boolean;
  /** Whether the fragment goes inside an async function (for `await`). */
  readonly async?: boolean;
}

/** Preludes define every name the docs' fragments use, with values a real app could have. */
const HARNESSES: Record<string, Harness> = {
  aws: {
    run: true,
    prelude: `
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ComplianceProfile, FipsLevel, TenantIsolation } from 'cloud-kms-constructs';
import * as aws from 'cloud-kms-constructs/aws';

const app = new App();
const stack = new Stack(app, 'Docs', { env: { account: '123456789012', region: 'us-east-1' } });
const role = (name: string) => new iam.ArnPrincipal(\`arn:aws:iam::123456789012:role/\${name}\`);
const [admins, platformKeyAdmins] = [role('KeyAdmins'), role('PlatformKeyAdmins')];
const [auditors, securityAuditors] = [role('Auditors'), role('SecurityAuditors')];
const [alice, bob] = [role('KeyCustodianAlice'), role('KeyCustodianBob')];
const [ledgerService, recordsService] = [role('LedgerService'), role('RecordsService')];
const [ceremonyOfficer, acmeIntegrationRole] = [role('CeremonyOfficer'), role('AcmeIntegration')];
const xksCredentialSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'XksCredential',
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:xks-proxy-credential-AbCdEf');
// HIPAA keeps records longest (six years) and write-once: a sink every profile's keys may use.
const auditSink = new aws.KeyAuditSink(stack, 'Audit', {
  profile: ComplianceProfile.HIPAA,
  custodians: { administrators: [admins], auditors: [auditors] },
  notificationEmails: ['key-security@example.com'],
});
const profile = ComplianceProfile.HIPAA;
const cardholderKey = new aws.CustomerManagedKey(stack, 'CardholderKey', {
  profile, auditSink, custodians: { administrators: [admins], users: [ledgerService], auditors: [auditors] },
});
void [app, alice, bob, recordsService, ceremonyOfficer, acmeIntegrationRole, platformKeyAdmins, securityAuditors, xksCredentialSecret,
  cardholderKey, FipsLevel, TenantIsolation];
`,
    epilogue: 'app.synth();',
  },
  compliance: {
    run: true,
    prelude: `
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, Control } from 'cloud-kms-constructs';
import * as aws from 'cloud-kms-constructs/aws';
import * as compliance from 'cloud-kms-constructs/compliance';

const app = new App();
const stack = new Stack(app, 'Docs', { env: { account: '123456789012', region: 'us-east-1' } });
const role = (name: string) => new iam.ArnPrincipal(\`arn:aws:iam::123456789012:role/\${name}\`);
const profile = ComplianceProfile.PCI_DSS;
const approvers = [role('KeyCustodianAlice'), role('KeyCustodianBob')];
const auditSink = new aws.KeyAuditSink(stack, 'Audit', {
  profile, custodians: { administrators: [role('KeyAdmins')], auditors: [role('Auditors')], approvers },
  notificationEmails: ['key-security@example.com'],
});
const legacyKey = new aws.CustomerManagedKey(stack, 'LegacyKey', {
  profile, auditSink,
  custodians: { administrators: [role('KeyAdmins')], users: [role('Reports')], auditors: [role('Auditors')], approvers },
});
void [compliance, Control, legacyKey];
`,
    epilogue: 'app.synth();',
  },
  envelope: {
    run: false,
    async: true,
    prelude: `
import { Readable, Writable } from 'stream';
declare const record: Buffer;
declare const source: Readable;
declare const destination: Writable;
// The function's callerProofServerId, passed to the caller as configuration.
declare const serverId: string;
`,
  },
};

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly info: string;
  readonly code: string;
}

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  return [join(ROOT, 'README.md'), ...readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => join(docs, f))];
}

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8');
    const fence = /^```(ts|typescript)\b([^\n]*)\n([\s\S]*?)^```$/gm;
    for (let m = fence.exec(text); m; m = fence.exec(text)) {
      found.push({
        file: relative(ROOT, file),
        line: text.slice(0, m.index).split('\n').length,
        info: m[2].trim(),
        code: m[3],
      });
    }
  }
  return found;
}

/** The program a block stands for: itself, or the fragment inside its harness. */
function program(s: Snippet): { source: string; run: boolean } {
  if (s.info === '') return { source: s.code, run: true };
  const harness = /^fragment=(\w+)$/.exec(s.info);
  if (!harness || !HARNESSES[harness[1]]) {
    throw new Error(`${s.file}:${s.line}: unknown info string "ts ${s.info}" (use no info string or fragment=<${Object.keys(HARNESSES).join('|')}>)`);
  }
  const h = HARNESSES[harness[1]];
  const lines = s.code.split('\n');
  const imports = lines.filter((l) => /^import /.test(l));
  const body = lines.filter((l) => !/^import /.test(l)).join('\n');
  const wrapped = h.async ? `export async function fragment(): Promise<void> {\n${body}\n}` : body;
  return { source: [...imports, h.prelude, wrapped, h.epilogue ?? '', 'export {};'].join('\n'), run: h.run };
}

const SUBPATHS = ['core', 'aws', 'azure', 'gcp', 'compliance', 'envelope'];
/** Where the snippets live for the compiler: a directory under the tree, so node_modules resolves as for examples. */
const VIRTUAL = join(ROOT, '.docs-snippets');

/** Type-checks programs keyed by where they come from (`docs/aws.md:292`); returns the diagnostics. */
function typeCheck(sources: Map<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: ['node'],
    paths: {
      'cloud-kms-constructs': [join(ROOT, 'src', 'index.ts')],
      ...Object.fromEntries(SUBPATHS.map((p) => [`cloud-kms-constructs/${p}`, [join(ROOT, 'src', p, 'index.ts')]])),
    },
  };
  // A diagnostic names the block (docs_aws.md_292.ts for docs/aws.md line 292) and a line of the wrapped program.
  const files = new Map([...sources].map(([where, source]) => [join(VIRTUAL, `${where.replace(/[/:]/g, '_')}.ts`), source]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, language, onError, create) => {
    const text = files.get(name);
    return text !== undefined ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language, onError, create);
  };
  const fileExists = host.fileExists;
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const readFile = host.readFile;
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const tsProgram = ts.createProgram([...files.keys()], options, host);
  // Only the snippets' own diagnostics: src/ is type-checked by the build, and checking just these files lets the
  // checker resolve only the declarations they reach (a fraction of the time of checking every file).
  const diagnostics = [
    ...tsProgram.getOptionsDiagnostics(),
    ...tsProgram.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((f) => {
      const sf = tsProgram.getSourceFile(f)!;
      return [...tsProgram.getSyntacticDiagnostics(sf), ...tsProgram.getSemanticDiagnostics(sf)];
    }),
  ];
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const file = d.file ? relative(ROOT, d.file.fileName) : '';
    return `${file}${where ? `:${where.line + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

// The report registers itself when the package root loads (a user's root import does the same); entry-point
// imports below then find it attached.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../src');

/** Runs a program as a user's main.ts, with synthesis into `outdir`. */
function run(code: string, outdir: string): void {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const load = (id: string) => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    if (id === 'cloud-kms-constructs') return require('../src');
    const entry = /^cloud-kms-constructs\/(\w+)$/.exec(id);
    if (entry && SUBPATHS.includes(entry[1])) return require(`../src/${entry[1]}`);
    return require(id);
    /* eslint-enable @typescript-eslint/no-require-imports */
  };
  const saved = { CDK_OUTDIR: process.env.CDK_OUTDIR, CDKTF_OUTDIR: process.env.CDKTF_OUTDIR };
  process.env.CDK_OUTDIR = outdir;
  process.env.CDKTF_OUTDIR = outdir;
  try {
    const exports = {};
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', js)(load, { exports }, exports);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A synthesized app: CloudFormation templates (cdk.out) or Terraform JSON (cdktf.out's stacks/). */
function synthesized(outdir: string): boolean {
  return existsSync(join(outdir, 'stacks')) || readdirSync(outdir).some((f) => f.endsWith('.template.json'));
}

function report(outdir: string): any {
  return JSON.parse(readFileSync(join(outdir, 'compliance-report.json'), 'utf8'));
}

const ALL = snippets();
const PROGRAMS = ALL.map((s) => ({ ...s, ...program(s) }));

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), 'docs-snippet-'));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

test('README and docs hold TypeScript blocks, and every one has a known info string', () => {
  expect(ALL.filter((s) => s.file === 'README.md').length).toBe(3);
  expect(ALL.length).toBeGreaterThan(8);
  // A block tagged in another way (```typescript, ```tsx …) would be skipped by a reader; refuse it.
  for (const file of markdownFiles()) {
    const stray = readFileSync(file, 'utf8').match(/^```(tsx|js|javascript)\b/gm);
    expect({ file, stray }).toEqual({ file, stray: null });
  }
});

test('every block type-checks against the source, in one program', () => {
  expect(typeCheck(new Map(PROGRAMS.map((p) => [`${p.file}:${p.line}`, p.source])))).toEqual([]);
});

describe.each(PROGRAMS.filter((p) => p.run).map((p) => [`${p.file}:${p.line}`, p] as const))('the block at %s', (_, p) => {
  test('runs, and if it synthesizes, writes its app and a report with every required control met', () => {
    run(p.source, outdir);
    if (/app\.synth\(\)/.test(p.source)) {
      expect(synthesized(outdir)).toBe(true);
      const r = report(outdir);
      expect(r.summary.keys).toBeGreaterThan(0);
      expect(r.summary.unmet).toEqual([]);
    }
  });
});

/*
 * The quick starts, run under the profile they name and under HIPAA and SOC 2 (which requires alerting, CC7.2): every
 * required control met, and none acknowledged.
 */
const QUICK_STARTS = ['AWS', 'Azure', 'Google Cloud'].map((cloud) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n## Quick start: ${cloud}\n`);
  const next = readme.indexOf('\n## ', at + 1);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at, next));
  return [cloud, at < 0 || !block ? '' : block[1]] as const;
});

describe.each(QUICK_STARTS)('the README quick start for %s', (_, code) => {
  test('is a whole program: it synthesizes the app it builds, under PCI DSS, and acknowledges nothing', () => {
    expect(code).toMatch(/\napp\.synth\(\);/);
    expect(code).not.toMatch(/acknowledgeControl/);
    expect(code).toMatch(/ComplianceProfile\.PCI_DSS/);
    expect(code).toMatch(/from 'cloud-kms-constructs\/(aws|azure|gcp)'/);
  });

  test.each(['PCI_DSS', 'HIPAA', 'SOC2'])('synthesizes under %s with every required control met', (profile) => {
    run(code.replace(/ComplianceProfile\.PCI_DSS/g, `ComplianceProfile.${profile}`), outdir);
    const r = report(outdir);
    expect(r.summary.unmet).toEqual([]);
    expect(r.summary.acknowledged).toBe(0);
    expect(r.summary.keys).toBeGreaterThan(0);
    expect(synthesized(outdir)).toBe(true);
  });
});
