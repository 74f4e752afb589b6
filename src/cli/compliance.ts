/*
 * cloud-kms report and cloud-kms check: the compliance report of an existing synthesis output, and the KMS rule pack
 * on one template file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join } from 'path';
import { CliError } from './errors';
import { detectCloud, KmsRulePack } from '../compliance/pack';
import type { ComplianceReportData } from '../compliance/report';
import { RuleFinding, RuleResult } from '../compliance/rules/result';
import { ComplianceProfile } from '../core/profile';

/** Reads `compliance-report.json` from a cloud assembly, a cdktf.out directory, or the file itself. */
export function readReport(path: string): ComplianceReportData {
  if (!existsSync(path)) throw new CliError(`${path} does not exist`, 2);
  const file = statSync(path).isDirectory() ? join(path, 'compliance-report.json') : path;
  if (!existsSync(file)) {
    throw new CliError(`no compliance-report.json in ${path}: synthesize the app with cloud-kms-constructs (cdk synth or cdktf synth) first`, 2);
  }
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as ComplianceReportData;
    if (!Array.isArray(data.stacks) || !data.summary) throw new Error('not a report');
    return data;
  } catch {
    throw new CliError(`${file} is not a cloud-kms-constructs compliance report`, 2);
  }
}

/** The control table, a line per key and an indented line per required control. */
export function reportTable(data: ComplianceReportData): string {
  const lines: string[] = [];
  const s = data.summary;
  lines.push(`${s.keys} keys, ${s.requiredControls} required controls: ${s.satisfied} satisfied, ` +
    `${s.partiallySatisfied ?? 0} partially satisfied, ${s.notApplicable} not applicable, ${s.acknowledged} acknowledged, ${s.unmet.length} unmet`);
  if (s.accessMatrix && !s.accessMatrix.computed && s.accessMatrix.note !== 'no AWS keys') lines.push(`access matrix: ${s.accessMatrix.note}`);
  for (const stack of data.stacks) {
    lines.push('', `${stack.name} (${stack.cloud})`);
    for (const key of stack.keys) {
      lines.push(`  ${key.path}  ${key.construct}  ${key.model}  ${key.profile}`);
      for (const c of key.controls) {
        const status = (c.status === 'not satisfied' || c.status === 'partially satisfied') && c.acknowledged ? 'acknowledged' : c.status;
        const evidence = c.evidence[0] ? `${c.evidence[0].setting} = ${c.evidence[0].value}` : c.acknowledged ?? 'no evidence';
        lines.push(`    ${status.padEnd(14)} ${c.id.padEnd(34)} ${evidence}`);
      }
    }
  }
  return lines.join('\n');
}

/** The profile named on the command line. */
export function profileNamed(name: string | undefined): ComplianceProfile {
  if (name === undefined) return ComplianceProfile.COMMERCIAL;
  const found = ComplianceProfile.builtIns().find((p) => p.name === name.toUpperCase().replace(/-/g, '_'));
  if (!found) throw new CliError(`--profile must be one of ${ComplianceProfile.builtIns().map((p) => p.name).join(', ')}, got ${name}`, 2);
  return found;
}

/** Runs the rule pack on one template; CloudFormation siblings in the same assembly count for cross-stack evidence. */
export function checkFile(path: string, profile: ComplianceProfile): { cloud: string; findings: RuleFinding[] } {
  if (!existsSync(path) || statSync(path).isDirectory()) throw new CliError(`${path} is not a template file`, 2);
  let template: any;
  try {
    template = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError(`${path} is not JSON`, 2);
  }
  let cloud: string;
  try {
    cloud = detectCloud(template);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`, 2);
  }
  const siblings = cloud === 'aws'
    ? readdirSync(dirname(path)).filter((f) => f.endsWith('.template.json') && f !== basename(path))
      .map((f) => JSON.parse(readFileSync(join(dirname(path), f), 'utf8')))
    : [];
  return { cloud, findings: new KmsRulePack(profile).check(template, cloud, siblings) };
}

export function findingsTable(findings: RuleFinding[]): string {
  const shown = findings.filter((f) => f.result !== RuleResult.NOT_APPLICABLE);
  const bad = shown.filter((f) => f.result === RuleResult.NON_COMPLIANT);
  return [
    ...shown.map((f) => `${f.result === RuleResult.COMPLIANT ? 'PASS' : 'FAIL'}  ${f.rule.padEnd(38)} ${f.resource}: ${f.message}`),
    `${shown.length - bad.length} compliant, ${bad.length} non-compliant, ${findings.length - shown.length} not applicable`,
  ].join('\n');
}
