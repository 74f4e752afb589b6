/*
 * The main job: synthesize every example app, check it, and print what was built.
 *   npm run examples
 *
 * It is run without type-checking (examples/register.js strips the types; the build type-checks), and on two cores:
 * the main thread synthesizes one app after another, while the checks that are separate processes run beside it as
 * soon as their input exists: cfn-lint (one process over every template that has accumulated since the last run
 * started), AWS Control Tower's cfn-guard rules over every AWS template, and moto_server's start-up for the envelope
 * round trip. Every check still runs on every template; the job waits for all of them before its verdict. It prints
 * its time from process start (so transpiling and loading the modules count) and where that time went.
 */
import { readdirSync, readFileSync, rmSync } from 'fs';
import { join, relative } from 'path';
import { performance } from 'perf_hooks';
import { App, IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import { UNKNOWN_REGION } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { App as TfApp } from 'cdktf';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../src';
import { byokApp } from './aws/byok';
import { customerManagedApp } from './aws/customer-managed';
import { hyokApp } from './aws/hyok';
import { multiRegionApp } from './aws/multi-region';
import { providerManagedApp } from './aws/provider-managed';
import { checkTerraform, TerraformJson, TerraformSummary } from './azure/check';
import { azureApp } from './azure/main';
import { envelopeRoundTrip, startMotoEarly } from './envelope-round-trip';
import { checkGcpTerraform } from './gcp/check';
import { gcpApp } from './gcp/main';
import { organizationAwsApp } from './organization/aws';
import { checkOrganizationTerraform } from './organization/azure';
import { saasAwsApp } from './saas/aws';
import { buildCbom, writeCbom } from '../src/compliance/cbom';
import { writeOscal } from '../src/compliance/oscal';
import { KmsRulePack } from '../src/compliance/pack';
import { buildReport, ComplianceReportData, controlEnforcement, mergePostQuantum, summaryLine, writeReport } from '../src/compliance/report';
import { RuleResult } from '../src/compliance/rules/rule';
import { ACCEPTED_WARNINGS, CfnLintMatch, cfnLintAsync } from '../test/support/cfn-lint';
import { CONTROL_TOWER_SERVICES, controlTowerAcknowledgements, controlTowerAsync } from '../test/support/control-tower';
import { templatesOf } from '../test/support/fixtures';
import { Moto } from '../test/support/moto';

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, 'out');
const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
/** The azurerm provider version @cdktf/provider-azurerm was generated from. */
const AZURERM_VERSION = '4.55.0';
/** The google provider version @cdktf/provider-google was generated from. */
const GOOGLE_VERSION = '6.50.0';

const AWS_APPS: Array<[string, (outdir: string) => App]> = [
  ['provider-managed', providerManagedApp],
  ['customer-managed', customerManagedApp],
  ['byok', byokApp],
  ['multi-region', multiRegionApp],
  ['hyok', hyokApp],
  ['saas', saasAwsApp],
  ['organization', organizationAwsApp],
];

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * Wall and CPU time per phase. Phases nest (cdk-nag runs inside synthesis): each phase's figures exclude the phases
 * measured inside it, so they add up. CPU is this process's (process.cpuUsage); child processes are summed at the end.
 */
class Timings {
  readonly phases = new Map<string, { wall: number; cpu: number }>();
  readonly background = new Map<string, { wall: number; runs: number }>();
  private readonly open: Array<{ wall: number; cpu: number }> = [];

  measure<T>(phase: string, fn: () => T): T {
    const inner = { wall: 0, cpu: 0 };
    this.open.push(inner);
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      return fn();
    } finally {
      const cpu = process.cpuUsage(cpu0);
      const total = { wall: performance.now() - wall0, cpu: (cpu.user + cpu.system) / 1000 };
      this.open.pop();
      const parent = this.open[this.open.length - 1];
      if (parent) {
        parent.wall += total.wall;
        parent.cpu += total.cpu;
      }
      const sum = this.phases.get(phase) ?? { wall: 0, cpu: 0 };
      sum.wall += total.wall - inner.wall;
      sum.cpu += total.cpu - inner.cpu;
      this.phases.set(phase, sum);
    }
  }

  /** A child process's wall time, from spawn to exit. */
  track<T>(what: string, promise: Promise<T>): Promise<T> {
    const wall0 = performance.now();
    const done = () => {
      const sum = this.background.get(what) ?? { wall: 0, runs: 0 };
      sum.wall += performance.now() - wall0;
      sum.runs += 1;
      this.background.set(what, sum);
    };
    promise.then(done, done);
    return promise;
  }
}

const timings = new Timings();

/** Times a cdk-nag pack's validation, which runs inside `app.synth()`. */
function timed<T extends IPolicyValidationPlugin>(plugin: T): T {
  const validate = plugin.validate.bind(plugin);
  plugin.validate = (context) => timings.measure('cdk-nag', () => validate(context));
  return plugin;
}

/**
 * cfn-lint beside the synthesis: at most one cfn-lint process at a time (the other core is the main thread's), each
 * over every template added since the previous one started, so the last app's templates do not wait for a full run.
 */
class LintLane {
  readonly matches: CfnLintMatch[] = [];
  templates = 0;
  private pending: Record<string, unknown> = {};
  private running: Promise<void> | undefined;
  private error: unknown;

  add(templates: Record<string, unknown>): void {
    Object.assign(this.pending, templates);
    this.templates += Object.keys(templates).length;
    this.next();
  }

  async drain(): Promise<CfnLintMatch[]> {
    while (this.running) await this.running;
    if (this.error) throw this.error;
    return this.matches;
  }

  private next(): void {
    if (this.running || Object.keys(this.pending).length === 0) return;
    const batch = this.pending;
    this.pending = {};
    this.running = timings.track('cfn-lint', cfnLintAsync(batch))
      .then((m) => { this.matches.push(...m); }, (err) => { this.error = err; })
      .then(() => { this.running = undefined; this.next(); });
  }
}

/** Lets finished child processes be noticed between two synchronous syntheses. */
const yieldToChildren = () => new Promise((resolve) => setImmediate(resolve));

/** CPU seconds of the child processes this process has waited for (Linux; undefined elsewhere). */
function childCpuSeconds(): number | undefined {
  try {
    // /proc/self/stat: fields 16 and 17 (cutime, cstime) in clock ticks of 1/100 s; the name field may hold spaces.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

interface Totals {
  reports: ComplianceReportData[];
  ruleChecks: number;
  ruleViolations: string[];
  stacks: number;
  keys: number;
  acknowledged: number;
  lintErrors: number;
  lintWarnings: number;
  unmet: number;
  tfStacks: number;
  tfFindings: number;
  roleAssignments: number;
  /** Every AWS template (nested shards included) for one Control Tower run, and the acknowledgements on them. */
  ctTemplates: Record<string, unknown>;
  ctAcks: Map<string, string>;
  /** Every app's evidence ledger: the cryptographic inventory lists the keys of all of them. */
  ledgers: EvidenceLedger[];
}

function runAws(name: string, build: (outdir: string) => App, totals: Totals, lint: LintLane): void {
  const outdir = join(OUT, 'aws', name);
  rmSync(outdir, { recursive: true, force: true });
  const app = timings.measure('synthesis', () => build(outdir));
  // cdk-nag v3 runs as CDK policy-validation plugins: synthesis fails on any unacknowledged finding.
  const packs = [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)];
  Validations.of(app).addPlugins(...packs.map(timed));
  const assembly = timings.measure('synthesis', () => app.synth());
  const ledger = EvidenceLedger.of(app);

  console.log(`AWS ${name}: cloud assembly in ${relative(ROOT, outdir)}`);
  for (const stack of assembly.stacks) {
    const keys = ledger.keys.filter((k) => k.stack === stack.stackName);
    const sinks = ledger.auditSinks.filter((s) => s.stack === stack.stackName);
    const containers = ledger.containers.filter((c) => c.stack === stack.stackName);
    console.log(`  stack ${stack.stackName}: ${keys.length} keys, ${containers.length} key stores or HSM clusters, ${sinks.length} audit sink`);
    printKeys(ledger, stack.stackName, totals);
  }
  const templates: Record<string, unknown> = Object.fromEntries(assembly.stacks.map((s) => [`${name}-${s.stackName}`, s.template]));
  // Nested stacks (tenant shards) are linted too.
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.nested.template.json'))) {
    templates[`${name}-${file.replace('.nested.template.json', '')}`] = JSON.parse(readFileSync(join(outdir, file), 'utf8'));
  }
  // Linted beside the next apps' synthesis; the verdict waits for it.
  lint.add(templates);
  const allTemplates = Object.values(templates);
  timings.measure('cloud-kms rule pack', () => {
    for (const stack of assembly.stacks) {
      const own = [stack.template, ...readdirSync(outdir).filter((f) => f.endsWith('.nested.template.json') && f.startsWith(stack.stackName))
        .map((f) => JSON.parse(readFileSync(join(outdir, f), 'utf8')))];
      runRulePack(`${name}/${stack.stackName}`, profileOf(ledger, stack.stackName), own, allTemplates, totals, stack.environment.region);
    }
  });
  for (const stack of app.node.findAll().filter((c): c is Stack => Stack.isStack(c) && !c.nestedStackParent)) {
    for (const [path, template] of Object.entries(templatesOf(stack))) totals.ctTemplates[`${name}/${path}`] = template;
    for (const [key, reason] of controlTowerAcknowledgements(stack)) totals.ctAcks.set(`${name}/${key}`, reason);
  }
  totals.reports.push(timings.measure('report', () => buildReport(ledger)));
  totals.stacks += assembly.stacks.length;
  totals.keys += ledger.keys.length;
  totals.ledgers.push(ledger);
  totals.acknowledged += app.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.keys(m.data as object))).length;
}

/** The strictest profile of the keys in a stack: what our rule pack judges the stack's templates against. */
function profileOf(ledger: EvidenceLedger, stack: string): ComplianceProfile {
  const profiles = ledger.keys.filter((k) => k.stack === stack || k.stack.startsWith(`${stack}/`)).map((k) => k.profile);
  return profiles.sort((a, b) => b.requiredControls.length - a.requiredControls.length)[0] ?? ComplianceProfile.COMMERCIAL;
}

/**
 * Runs our KMS rule pack on a stack's templates (siblings: the rest of the app, where a trail may live), in the stack's
 * region as the cloud assembly's manifest gives it to `cloud-kms check` (undefined for an environment-agnostic stack).
 */
function runRulePack(label: string, profile: ComplianceProfile, templates: any[], siblings: any[], totals: Totals, region?: string): void {
  const pack = new KmsRulePack(profile);
  const shown = region === UNKNOWN_REGION ? undefined : region;
  for (const t of templates) {
    const findings = pack.check(t, undefined, siblings.filter((x) => x !== t), shown);
    totals.ruleChecks += findings.filter((f) => f.result !== RuleResult.NOT_APPLICABLE).length;
    for (const f of findings.filter((x) => x.result === RuleResult.NON_COMPLIANT)) {
      totals.ruleViolations.push(`${label}: ${f.rule} ${f.resource}: ${f.message}`);
      console.log(`    RULE ${f.rule} ${f.resource}: ${f.message}`);
    }
  }
}

function printKeys(ledger: EvidenceLedger, stack: string, totals: Totals): void {
  const containers = ledger.containers.filter((c) => c.stack === stack);
  for (const c of containers) {
    console.log(`    ${pad(c.kind, 38)} ${pad(c.path, 40)} ${c.custody}  FIPS 140 ${c.fipsLevel.replace('LEVEL_', 'Level ')}`);
  }
  // Keys in nested stacks (tenant shards) are listed under their parent stack.
  for (const k of ledger.keys.filter((key) => key.stack === stack || key.stack.startsWith(`${stack}/`))) {
    const ev = ledger.evidence(k.path);
    const unmet = ev.filter((e) => e.status === EvidenceStatus.NOT_SATISFIED && k.profile.requiredControls.some((c) => c.id === e.control.id));
    totals.unmet += unmet.length;
    const rotation = ev.find((e) => e.control.id === Control.NIST_SC_12.id);
    console.log(`    ${pad(k.constructName, 26)} ${pad(k.path, 40)} ${pad(k.model.id, 17)} ${pad(k.profile.name, 18)} ` +
      `rotation ${rotation ? rotation.value : 'n/a'}  custodians ${ledger.custodiansOf(k.path).length}  ` +
      `${unmet.length === 0 ? 'no required control unmet' : `UNMET: ${unmet.map((e) => e.control.id).join(', ')}`}`);
  }
  for (const s of ledger.auditSinks.filter((sink) => sink.stack === stack)) {
    console.log(`    ${pad('KeyAuditSink', 26)} ${pad(s.path, 40)} ${s.immutable ? 'write-once' : 'governance'}, ${s.retentionDays} days`);
  }
}

interface TerraformCloud {
  readonly label: string;
  readonly outdir: string;
  readonly app: (outdir: string) => TfApp;
  readonly check: (stack: string, json: TerraformJson) => TerraformSummary;
  readonly describe: (s: TerraformSummary) => string;
}

const TERRAFORM_CLOUDS: TerraformCloud[] = [
  {
    label: `Azure (cdktf, azurerm ${AZURERM_VERSION})`,
    outdir: 'azure',
    app: azureApp,
    // The organisation guardrails stack holds no vault: its own checks (policy assignment, identity, remediation).
    check: (stack, json) => stack.startsWith('azure-organization')
      ? organizationSummary(json, checkOrganizationTerraform(stack, json, AZURERM_VERSION))
      : checkTerraform(stack, json, AZURERM_VERSION),
    describe: (s) => `${s.resources} resources, ${s.vaults} vaults, ${s.hsms} Managed HSMs, ${s.keys} keys, ` +
      `${s.audited} of ${s.vaults + s.hsms} vaults and HSMs audited, ${s.roleAssignments} role assignments`,
  },
  {
    label: `Google Cloud (cdktf, google ${GOOGLE_VERSION})`,
    outdir: 'gcp',
    app: gcpApp,
    check: (stack, json) => checkGcpTerraform(stack, json, GOOGLE_VERSION),
    describe: (s) => `${s.resources} resources, ${s.vaults} key rings, ${s.hsms} EKM connections, ${s.keys} keys, ` +
      `Data Access logs ${s.audited > 0 ? 'managed here' : 'not managed here'}, ${s.roleAssignments} additive IAM bindings`,
  },
];

/** A stack without keys, summarized by its resource count and role assignments. */
function organizationSummary(json: TerraformJson, findings: string[]): TerraformSummary {
  const resources = Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName as object).length, 0);
  const roleAssignments = Object.keys((json.resource as any)?.azurerm_role_assignment ?? {}).length;
  return { resources, vaults: 0, hsms: 0, keys: 0, audited: 0, roleAssignments, findings };
}

/** A cdktf app: synthesized into examples/out/<cloud> (manifest.json, stacks/<name>/cdk.tf.json), then checked as JSON. */
function runTerraform(cloud: TerraformCloud, totals: Totals): void {
  const outdir = join(OUT, cloud.outdir);
  rmSync(outdir, { recursive: true, force: true });
  const app = timings.measure('synthesis', () => {
    const tf = cloud.app(outdir);
    tf.synth();
    return tf;
  });
  const ledger = EvidenceLedger.of(app);
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string; annotations: { level: string; message: string }[] }>;
  };
  console.log(`${cloud.label}: ${relative(ROOT, outdir)}`);
  // Every stack's JSON first: a rule may find its evidence in a sibling stack (the one managing a project's audit config).
  const jsons = new Map(Object.entries(manifest.stacks).map(([name, stack]) =>
    [name, JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), 'utf8')) as TerraformJson]));
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const json = jsons.get(name)!;
    const summary = timings.measure('Terraform checks', () => cloud.check(name, json));
    const problems = [...summary.findings, ...stack.annotations.filter((a) => a.level !== 'info').map((a) => `${name}: ${a.level} ${a.message}`)];
    console.log(`  stack ${name}: ${cloud.describe(summary)}`);
    printKeys(ledger, name, totals);
    timings.measure('cloud-kms rule pack', () =>
      runRulePack(`${cloud.outdir}/${name}`, profileOf(ledger, name), [json], [...jsons.values()].filter((j) => j !== json), totals));
    for (const p of problems) console.log(`    FINDING ${p}`);
    totals.tfStacks += 1;
    totals.tfFindings += problems.length;
    totals.roleAssignments += summary.roleAssignments;
    totals.keys += ledger.keys.filter((k) => k.stack === name).length;
  }
  totals.reports.push(timings.measure('report', () => buildReport(ledger)));
  totals.ledgers.push(ledger);
}

/** The organisation guardrails and, per cloud, how many controls each level of enforcement reaches in full. */
function guardrailLine(report: ComplianceReportData): string {
  const guardrails = report.guardrails ?? [];
  const count = (pred: (g: (typeof guardrails)[number]) => boolean) => guardrails.filter(pred).length;
  const clouds = [...new Set((report.enforcement ?? []).map((e) => e.cloud))].map((cloud) => {
    const rows = (report.enforcement ?? []).filter((e) => e.cloud === cloud);
    const n = (level: string) => rows.filter((e) => e.enforcement === level).length;
    return `${cloud} ${n('preventive')} preventive, ${n('detective')} detective, ${n('synthesis')} synthesis only ` +
      `(${rows.filter((e) => e.partially).length} reached further in part)`;
  });
  return `guardrails: ${guardrails.length} (${count((g) => g.enforcement === 'preventive')} preventive, ` +
    `${count((g) => g.enforcement === 'detective')} detective, ${count((g) => g.partial !== undefined)} declaring what they leave out); ` +
    `controls enforced in full beyond the template: ${clouds.join('; ')}`;
}

/** Per cloud, the keys of the inventory by their standing against a quantum computer. */
function postQuantumLine(report: ComplianceReportData): string {
  const clouds = report.postQuantum?.clouds ?? [];
  const keys = clouds.reduce((n, c) => n + c.keys, 0);
  return `${keys} keys (${clouds.map((c) => `${c.cloud} ${c.keys}: ${c.quantumVulnerable} quantum-vulnerable, ${c.postQuantum} post-quantum, ` +
    `${c.symmetric} symmetric, ${c.noCryptoRecord.length} with no crypto record`).join('; ')})`;
}

/** One report for every example app together: examples/out/compliance-report.{json,md}. */
function combinedReport(reports: ComplianceReportData[]): ComplianceReportData {
  const unmet = reports.flatMap((r) => r.summary.unmet);
  const sum = (k: 'keys' | 'requiredControls' | 'satisfied' | 'partiallySatisfied' | 'notApplicable' | 'acknowledged') =>
    reports.reduce((n, r) => n + r.summary[k], 0);
  const notComputed = reports.find((r) => !r.summary.accessMatrix.computed && r.summary.accessMatrix.note !== 'no AWS keys');
  const stacks = reports.flatMap((r) => r.stacks);
  const guardrails = reports.flatMap((r) => r.guardrails ?? []);
  const rules = new Map(reports.flatMap((r) => r.rules ?? []).map((rule) => [`${rule.cloud}\u0000${rule.id}`, rule]));
  return {
    generator: 'cloud-kms-constructs examples',
    stacks,
    summary: {
      keys: sum('keys'),
      requiredControls: sum('requiredControls'),
      satisfied: sum('satisfied'),
      partiallySatisfied: sum('partiallySatisfied'),
      notApplicable: sum('notApplicable'),
      acknowledged: sum('acknowledged'),
      unmet,
      accessMatrix: notComputed ? notComputed.summary.accessMatrix : { computed: true },
    },
    rules: [...rules.values()],
    guardrails,
    // Enforcement is per cloud over every app's keys and guardrails, so it is computed again on the merged data.
    enforcement: controlEnforcement(stacks, guardrails),
    postQuantum: mergePostQuantum(reports),
  };
}

async function main(): Promise<void> {
  // Module loading and transpiling, from process start: part of the job's time like everything else.
  const startup = process.uptime();
  // moto_server (Python) starts in the background now and is ready by the envelope round trip.
  const moto = startMotoEarly();
  try {
    await job(startup, moto);
  } finally {
    // The round trip stops it; this is for a job that failed before (a running moto_server would keep us waiting).
    if (moto) await moto.then((m) => m.stop(), () => undefined);
  }
}

async function job(startup: number, moto: Promise<Moto> | undefined): Promise<void> {
  console.log('cloud-kms-constructs examples');
  const totals: Totals = {
    reports: [],
    ruleChecks: 0,
    ruleViolations: [],
    stacks: 0,
    keys: 0,
    acknowledged: 0,
    lintErrors: 0,
    lintWarnings: 0,
    unmet: 0,
    tfStacks: 0,
    tfFindings: 0,
    roleAssignments: 0,
    ctTemplates: {},
    ctAcks: new Map(),
    ledgers: [],
  };
  const lint = new LintLane();
  const steps = AWS_APPS.length + TERRAFORM_CLOUDS.length + 1;
  let step = 0;
  const progress = (what: string, t0: number) => console.log(`[${++step}/${steps}] ${what} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const [name, build] of AWS_APPS) {
    const t0 = performance.now();
    runAws(name, build, totals, lint);
    progress(`AWS ${name}`, t0);
    await yieldToChildren();
  }
  // AWS Control Tower's proactive controls, as its cfn-guard rules: one run over every AWS template, beside the
  // Terraform apps' synthesis.
  const controlTower = timings.track('cfn-guard (Control Tower)', controlTowerAsync(totals.ctTemplates));
  controlTower.catch(() => undefined);
  for (const cloud of TERRAFORM_CLOUDS) {
    const t0 = performance.now();
    runTerraform(cloud, totals);
    progress(cloud.label, t0);
    await yieldToChildren();
  }
  const t0 = performance.now();
  const envelope = await envelopeRoundTrip(moto);
  console.log(`envelope: ${envelope.description}`);
  progress('envelope round trip', t0);
  const report = timings.measure('report', () => combinedReport(totals.reports));
  const files = timings.measure('report', () => writeReport(report, OUT));
  const oscal = timings.measure('report', () => writeOscal(report, join(OUT, 'oscal')));
  const cbom = timings.measure('report', () => writeCbom(buildCbom(totals.ledgers), OUT));
  // What the main thread waits for at the end is the part of the background checks that did not overlap.
  const waited0 = performance.now();
  const [lintMatches, ct] = await Promise.all([lint.drain(), controlTower]);
  const waited = (performance.now() - waited0) / 1000;
  const errors = lintMatches.filter((m) => m.Level === 'Error');
  const unexpected = lintMatches.filter((m) => m.Level !== 'Error' && !ACCEPTED_WARNINGS.includes(m.Rule.Id));
  for (const m of [...errors, ...unexpected]) console.log(`    cfn-lint ${m.Level} ${m.Rule.Id} ${m.Filename}: ${m.Message}`);
  totals.lintErrors = errors.length;
  totals.lintWarnings = unexpected.length;
  const ctOpen = ct.filter((f) => !totals.ctAcks.has(`${f.template}|${f.resource}|${f.rule}`));
  for (const f of ctOpen) console.log(`    CONTROL TOWER ${f.control} ${f.template} ${f.resource}`);
  console.log(`compliance report: ${relative(ROOT, files.json)}, ${relative(ROOT, files.markdown)}, ${relative(ROOT, files.html)} ` +
    `(${report.stacks.length} stacks; ${summaryLine(report.summary)})`);
  console.log(`OSCAL 1.0.6: ${relative(ROOT, oscal.componentDefinition)}, ${relative(ROOT, oscal.assessmentResults)}`);
  console.log(`cryptographic inventory (CycloneDX 1.6 CBOM): ${relative(ROOT, cbom)}; ${postQuantumLine(report)}`);
  console.log(guardrailLine(report));
  const matrices = report.stacks.flatMap((s) => [...s.keys.map((k) => k.accessMatrix), ...(s.supportingKeys ?? []).map((k) => k.accessMatrix)])
    .filter((m): m is NonNullable<typeof m> => m !== undefined);
  // Each cloud's matrices name their own evaluator (the IAM policy evaluator for AWS key policies, the Azure RBAC
  // evaluation of role assignments).
  const byEvaluator = new Map<string, number>();
  for (const m of matrices) if (m.evaluator) byEvaluator.set(m.evaluator, (byEvaluator.get(m.evaluator) ?? 0) + 1);
  console.log(report.summary.accessMatrix.computed
    ? `access matrix: ${[...byEvaluator].map(([evaluator, n]) => `${n} keys evaluated with ${evaluator}`).join('; ')}`
    : `access matrix: ${report.summary.accessMatrix.note}`);
  console.log('checks:');
  console.log(`  cdk-nag ${NAG_PACKS.join(', ')}: passed on ${totals.stacks} stacks, 0 unacknowledged findings ` +
    `(${totals.acknowledged} acknowledged, each with a reason)`);
  console.log(`  cfn-lint: ${lint.templates} templates, ${totals.lintErrors} errors, ${totals.lintWarnings} unexpected warnings ` +
    `(accepted: ${ACCEPTED_WARNINGS.join(', ')})`);
  console.log(`  AWS Control Tower proactive controls (${CONTROL_TOWER_SERVICES.length} services, cfn-guard): ` +
    `${Object.keys(totals.ctTemplates).length} templates, ${ctOpen.length} unacknowledged failures (${ct.length - ctOpen.length} acknowledged, each with a reason)`);
  console.log(`  Terraform JSON (Azure azurerm ${AZURERM_VERSION}, Google google ${GOOGLE_VERSION}): ${totals.tfStacks} stacks, ${totals.tfFindings} findings ` +
    `(${totals.roleAssignments} role assignments and IAM bindings, none wider than one vault, key ring, key or log store; ` +
    'no administrator with cryptographic use; vault, HSM, key and log settings; CIS Google Cloud 1.9-1.11)');
  console.log(`  separation of duties: ${totals.keys} keys, every key policy and role assignment checked at synthesis, no conflicts`);
  console.log(`  cloud-kms rule pack: ${totals.ruleChecks} checks on ${totals.stacks + totals.tfStacks} stacks (nested shards included), ` +
    `${totals.ruleViolations.length} violations`);
  console.log(`  evidence: ${totals.unmet === 0 ? 'no key records a required control as unmet' : `${totals.unmet} required controls unmet`}; ` +
    `report: ${report.summary.unmet.length} required controls unmet`);
  console.log(`  envelope: ${envelope.ok ? 'encrypt, decrypt, tamper and reject as expected' : 'FAILED'}`);
  const ok = ctOpen.length === 0 && totals.lintErrors === 0 && totals.lintWarnings === 0 && totals.tfFindings === 0 && totals.unmet === 0
    && totals.ruleViolations.length === 0 && report.summary.unmet.length === 0 && envelope.ok;
  printTimings(startup, waited);
  console.log(`${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${process.uptime().toFixed(1)} s from process start`);
  if (!ok) process.exitCode = 1;
}

/** Where the time went: start-up, each phase of the main thread, the child processes beside it, and the checks' share. */
function printTimings(startup: number, waited: number): void {
  const total = process.uptime();
  const self = process.cpuUsage();
  const selfCpu = (self.user + self.system) / 1e6;
  const children = childCpuSeconds();
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const phases = [...timings.phases].map(([name, t]) => `${name} ${s(t.wall)} (CPU ${s(t.cpu)})`);
  const background = [...timings.background].map(([name, t]) => `${name} ${s(t.wall)}${t.runs > 1 ? ` in ${t.runs} runs` : ''}`);
  // The checks: cdk-nag, our rule pack, the Terraform JSON checks and the envelope round trip on the main thread
  // (cfn-lint, cfn-guard and the round trip's moto_server run beside it, and only their wait at the end counts here).
  const checkPhases = ['cdk-nag', 'cloud-kms rule pack', 'Terraform checks'];
  const checksWall = checkPhases.reduce((n, p) => n + (timings.phases.get(p)?.wall ?? 0), 0) / 1000 + waited;
  const taskStarted = Number(process.env.EXAMPLES_TASK_STARTED_MS);
  const sinceTask = Number.isFinite(taskStarted) && taskStarted > 0 ? (Date.now() - taskStarted) / 1000 : undefined;
  console.log(`time: ${total.toFixed(1)} s from process start` +
    (sinceTask !== undefined ? ` (${sinceTask.toFixed(1)} s from the start of the examples task, bundling the handlers included)` : '') +
    `; CPU ${selfCpu.toFixed(1)} s in this process` + (children !== undefined ? ` and ${children.toFixed(1)} s in child processes (cfn-lint, cfn-guard, moto_server)` : ''));
  console.log(`  start-up (transpiling and loading modules) ${startup.toFixed(1)} s; ${phases.join('; ')}; waiting at the end for the checks beside it ${waited.toFixed(1)} s`);
  console.log(`  beside the main thread: ${background.join('; ')}`);
  console.log(`  checks' share: ${checksWall.toFixed(1)} s of the main thread (${(100 * checksWall / total).toFixed(0)}%: cdk-nag, rule pack, ` +
    'Terraform checks, and the wait for cfn-lint and cfn-guard)');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
