/*
 * The main job: synthesize every example app, check it, and print what was built.
 *   npm run examples
 */
import { rmSync } from 'fs';
import { join, relative } from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { EvidenceLedger, EvidenceStatus } from '../src';
import { buildAwsApp } from './aws/app';
import { cfnLint } from '../test/support/cfn-lint';

const ROOT = join(__dirname, '..');
const OUT = join(__dirname, 'out');
const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function runAws(): boolean {
  const outdir = join(OUT, 'aws');
  rmSync(outdir, { recursive: true, force: true });
  const app: App = buildAwsApp(outdir);
  // cdk-nag v3 runs as CDK policy-validation plugins: synthesis fails on any unacknowledged finding.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app));
  const assembly = app.synth();

  const ledger = EvidenceLedger.of(app);
  console.log(`AWS: cloud assembly in ${relative(ROOT, outdir)}`);
  for (const stack of assembly.stacks) {
    const keys = ledger.keys.filter((k) => k.stack === stack.stackName);
    const sinks = ledger.auditSinks.filter((s) => s.stack === stack.stackName);
    const profiles = [...new Set(keys.map((k) => k.profile.name))].join(', ');
    console.log(`  stack ${stack.stackName} (${relative(ROOT, join(outdir, stack.templateFile))}): ${keys.length} keys, ${sinks.length} audit sink, profile ${profiles}`);
    for (const k of keys) {
      const ev = ledger.evidence(k.path);
      const unmet = ev.filter((e) => e.status === EvidenceStatus.NOT_SATISFIED && k.profile.requiredControls.some((c) => c.id === e.control.id));
      const rotation = ev.find((e) => e.setting === 'RotationPeriodInDays')?.value ?? 'manual';
      console.log(`    ${pad(k.constructName, 19)} ${pad(k.path, 38)} ${pad(k.model.id, 17)} ${pad(k.profile.name, 18)} ` +
        `rotation ${rotation}d  custodians ${ledger.custodiansOf(k.path).length}  audit ${k.auditSink ?? 'none'}  ` +
        `${unmet.length === 0 ? 'profile controls met' : `UNMET: ${unmet.map((e) => e.control.id).join(', ')}`}`);
    }
    for (const s of sinks) {
      console.log(`    ${pad('KeyAuditSink', 19)} ${pad(s.path, 38)} ${s.immutable ? 'write-once' : 'governance'} ${s.retentionDays} days`);
    }
  }

  const templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template]));
  const lint = cfnLint(templates);
  const errors = lint.filter((m) => m.Level === 'Error');
  const acks = app.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.keys(m.data as object)));
  console.log('  checks:');
  console.log(`    cdk-nag ${NAG_PACKS.join(', ')}: passed, 0 unacknowledged findings (${acks.length} acknowledged, each with a reason)`);
  console.log(`    cfn-lint: ${assembly.stacks.length} templates, ${errors.length} errors, ${lint.length - errors.length} warnings`);
  for (const m of lint) console.log(`      ${m.Level} ${m.Rule.Id} ${m.Filename}: ${m.Message}`);
  console.log('    separation of duties: every key policy checked at synthesis, no conflicts');
  return errors.length === 0;
}

function main(): void {
  const started = Date.now();
  console.log('cloud-kms-constructs examples');
  const ok = runAws();
  console.log(`${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!ok) process.exitCode = 1;
}

main();
