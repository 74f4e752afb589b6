import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CFN_GUARD } from './control-tower';

/** What cfn-guard decided for one data file: AWS Config reports PASS as COMPLIANT, FAIL as NON_COMPLIANT, SKIP as NOT_APPLICABLE. */
export interface GuardVerdict {
  readonly status: 'PASS' | 'FAIL' | 'SKIP';
  /** The custom messages (`<<...>>`) of the failing clauses. */
  readonly messages: string[];
}

function messagesOf(value: unknown, out: string[]): string[] {
  if (Array.isArray(value)) {value.forEach((v) => messagesOf(v, out));} else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'custom_message' && typeof v === 'string' && !out.includes(v)) out.push(v);
      else messagesOf(v, out);
    }
  }
  return out;
}

/**
 * Runs the cfn-guard binary `@cdklabs/cdk-validator-cfnguard` ships over one rules text and a set of data documents
 * (name -> JSON, e.g. AWS Config configuration items), in one process, and returns each document's verdict.
 * `cfn-guard validate` exits 0 when every file passes or skips, 19 when one fails, 5 on a rules parse error; anything
 * but 0 or 19 is an error here, never a pass.
 */
export function runGuard(rules: string, data: Record<string, unknown>): Record<string, GuardVerdict> {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-guard-'));
  try {
    const rulesFile = join(dir, 'rules.guard');
    writeFileSync(rulesFile, rules);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const files = new Map<string, string>();
    for (const [name, doc] of Object.entries(data)) {
      const file = join(dataDir, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
      if ([...files.values()].includes(file)) throw new Error(`two data documents map to the file name ${file}`);
      files.set(name, file);
      writeFileSync(file, JSON.stringify(doc));
    }
    const run = spawnSync(CFN_GUARD, ['validate', '--rules', rulesFile, '--data', dataDir, '--output-format', 'json', '--structured', '--show-summary', 'none'],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw run.error;
    if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard failed (status ${run.status}): ${run.stderr}${run.stdout}`);
    const reports = JSON.parse(run.stdout) as Array<{ name: string; status: GuardVerdict['status']; not_compliant?: unknown }>;
    const anyFailed = reports.some((r) => r.status === 'FAIL');
    if (anyFailed !== (run.status === 19)) throw new Error(`cfn-guard's exit status ${run.status} disagrees with its report`);
    const out: Record<string, GuardVerdict> = {};
    for (const [name, file] of files) {
      const report = reports.find((r) => r.name === file);
      if (!report) throw new Error(`cfn-guard reported nothing for ${name}`);
      out[name] = { status: report.status, messages: messagesOf(report.not_compliant, []) };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
