/*
 * cloud-kms report and cloud-kms check: the compliance report of an existing synthesis output, and the KMS rule pack
 * on a template or on every template of a synthesis output.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join } from 'path';
import { CliError } from './errors';
import { checkByKeyProfile, ProfiledFinding, ReportedKey } from '../compliance/key-profiles';
import { detectCloud } from '../compliance/pack';
import { templateRegion } from '../compliance/private/manifest-region';
import type { ComplianceReportData } from '../compliance/report';
import { RuleResult } from '../compliance/rules/result';
import { ComplianceProfile } from '../core/profile';
import { builtInProfileNamed, PROFILE_METADATA_KEY } from '../core/profile-record';

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

/** The names --profile takes, as help and errors list them: the built-in profiles, in their order. */
export function builtInProfileNames(): string {
  return ComplianceProfile.builtIns().map((p) => p.name).join(', ');
}

/** The profile named by --profile; undefined when none was given (each key is judged by its own). */
export function profileNamed(name: string | undefined): ComplianceProfile | undefined {
  if (name === undefined) return undefined;
  const found = builtInProfileNamed(name);
  if (!found) throw new CliError(`--profile must be one of ${builtInProfileNames()}, got ${name}`, 2);
  return found;
}

/** One template checked: by which profiles, and where they came from. */
export interface CheckedTemplate {
  readonly file: string;
  readonly cloud: string;
  readonly profiles: string[];
  /** `key`: each key's own (metadata or report); `override`: --profile; `fallback`: nothing recorded and nothing to judge. */
  readonly profileSource: 'key' | 'override' | 'fallback';
  readonly findings: ProfiledFinding[];
}

const MAX_DEPTH = 6;

/** Templates under a directory: CloudFormation `*.template.json` and cdktf `cdk.tf.json`, not inside asset directories. */
function findTemplates(dir: string, depth = 0): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, e.name);
    if (e.isFile() && (e.name.endsWith('.template.json') || e.name === 'cdk.tf.json')) {out.push(full);} else if (e.isDirectory() && depth < MAX_DEPTH && !e.name.startsWith('asset.') && !e.name.startsWith('.') && e.name !== 'node_modules') {
      out.push(...findTemplates(full, depth + 1));
    }
  }
  return out;
}

/** The keys of the compliance report synthesis wrote beside a template (cdktf: beside `stacks/`), if any. */
function reportedKeys(file: string): ReportedKey[] {
  const dir = dirname(file);
  const candidates = [join(dir, 'compliance-report.json')];
  if (basename(file) === 'cdk.tf.json' && basename(dirname(dir)) === 'stacks') candidates.push(join(dirname(dirname(dir)), 'compliance-report.json'));
  const found = candidates.find((c) => existsSync(c));
  if (!found) return [];
  try {
    const data = JSON.parse(readFileSync(found, 'utf8')) as ComplianceReportData;
    return (data.stacks ?? []).flatMap((s) => (s.keys ?? []).map((k) => ({ path: k.path, profile: k.profile, record: k.profileRecord })))
      .filter((k) => typeof k.path === 'string' && typeof k.profile === 'string');
  } catch {
    return [];
  }
}

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new CliError(`${path} is not JSON`, 2);
  }
}

/** The other CloudFormation templates of the cloud assembly (parents of nested stacks, the stack holding the trail). */
function awsSiblings(path: string): any[] {
  return readdirSync(dirname(path)).filter((f) => f.endsWith('.template.json') && f !== basename(path))
    .map((f) => readJson(join(dirname(path), f)));
}

/** The other stacks of a cdktf out directory (`stacks/<name>/cdk.tf.json`: the stack holding the project's audit config). */
function terraformSiblings(path: string): any[] {
  const stacks = dirname(dirname(path));
  if (basename(path) !== 'cdk.tf.json' || basename(stacks) !== 'stacks') return [];
  return readdirSync(stacks).map((d) => join(stacks, d, 'cdk.tf.json')).filter((f) => f !== path && existsSync(f)).map(readJson);
}

function checkTemplate(path: string, override: ComplianceProfile | undefined): CheckedTemplate {
  const template = readJson(path);
  let cloud: string;
  try {
    cloud = detectCloud(template);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`, 2);
  }
  const siblings = cloud === 'aws' ? awsSiblings(path) : terraformSiblings(path);
  let checked: ReturnType<typeof checkByKeyProfile>;
  try {
    checked = checkByKeyProfile(template, {
      cloud, siblings, override, reported: override ? [] : reportedKeys(path), region: cloud === 'aws' ? templateRegion(path) : undefined,
    });
  } catch (e) {
    if (e instanceof CliError) throw e;
    // A template no synthesis wrote (hand-edited, truncated): named, without the parser's excerpt of its text.
    const why = e instanceof Error && /^a key policy/.test(e.message) ? e.message : 'a resource in it is malformed';
    throw new CliError(`${path} cannot be judged: ${why}`, 2);
  }
  // Judging by a default would let a template whose profile record was removed (or never written) pass as COMMERCIAL,
  // the weakest profile: a gate in a pipeline must not fall back silently. A template with nothing to judge is fine.
  if (checked.fellBack && checked.findings.some((f) => f.result !== RuleResult.NOT_APPLICABLE)) {
    throw new CliError(`no key in ${path} records its compliance profile (no ${PROFILE_METADATA_KEY} metadata, no ` +
      'compliance-report.json naming it beside the template): give --profile <name> to choose the profile to judge it by', 2);
  }
  return {
    file: path,
    cloud,
    profiles: checked.profiles,
    profileSource: override ? 'override' : checked.fellBack ? 'fallback' : 'key',
    findings: checked.findings,
  };
}

/**
 * Runs the rule pack on a template file, or on every template of a cloud assembly, a cdktf out directory, or a
 * directory of them, judging each key by its own profile (or all by `override`). CloudFormation templates beside a
 * template (the rest of its assembly) count as evidence for cross-stack rules.
 */
export function checkPath(path: string, override?: ComplianceProfile): CheckedTemplate[] {
  if (!existsSync(path)) throw new CliError(`${path} does not exist`, 2);
  if (!statSync(path).isDirectory()) return [checkTemplate(path, override)];
  const files = findTemplates(path);
  if (files.length === 0) {
    throw new CliError(`no templates in ${path}: give a template, a cloud assembly (cdk.out) or a cdktf out directory (cdktf.out)`, 2);
  }
  // In a directory, a cdk.tf.json of another provider (AWS via cdktf) is not ours to judge.
  return files.flatMap((f) => {
    if (f.endsWith('cdk.tf.json')) {
      try {
        detectCloud(readJson(f));
      } catch {
        return [];
      }
    }
    return [checkTemplate(f, override)];
  });
}

export function findingsTable(findings: ProfiledFinding[], showProfile = true): string {
  const shown = findings.filter((f) => f.result !== RuleResult.NOT_APPLICABLE);
  const bad = shown.filter((f) => f.result === RuleResult.NON_COMPLIANT);
  return [
    ...shown.map((f) => `${f.result === RuleResult.COMPLIANT ? 'PASS' : 'FAIL'}  ${f.rule.padEnd(38)} ${f.resource}` +
      `${showProfile ? ` [${f.profile}]` : ''}: ${f.message}`),
    `${shown.length - bad.length} compliant, ${bad.length} non-compliant, ${findings.length - shown.length} not applicable`,
  ].join('\n');
}
