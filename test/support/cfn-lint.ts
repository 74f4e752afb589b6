import { spawn, spawnSync } from 'child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Warnings we accept, with the reason. W3005: CDK adds an explicit DependsOn from each Lambda function to its role
 * (and the role's policy) so permissions exist before the function runs; cfn-lint calls that redundant with the GetAtt.
 * W3010: CDK writes the Availability Zones of an environment-specific stack into its subnets.
 */
export const ACCEPTED_WARNINGS = ['W3005', 'W3010'];

export const INSTALL_HINT = "cfn-lint is not installed or not on PATH: install it with pip install 'moto[server]' cfn-lint";

export interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Rule: { readonly Id: string };
  readonly Location?: { readonly Path?: unknown[] };
}

function writeTemplates(dir: string, templates: Record<string, unknown>): string[] {
  return Object.entries(templates).map(([name, template]) => {
    const file = join(dir, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.template.json`);
    writeFileSync(file, JSON.stringify(template));
    return file;
  });
}

function matchesOf(status: number | null, error: Error | undefined, stdout: string, stderr: string): CfnLintMatch[] {
  if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(INSTALL_HINT);
  }
  if (error) throw error;
  // cfn-lint exits with a bit mask of the levels it found (2 error, 4 warning, 8 informational); 1 is its own failure.
  if (status === 1 || status === null) {
    throw new Error(`cfn-lint failed to run (status ${status}): ${stderr}`);
  }
  return JSON.parse(stdout || '[]') as CfnLintMatch[];
}

const ARGS = ['--format', 'json', '--'];

/**
 * Runs the preinstalled cfn-lint over templates (name -> template JSON) in one process and returns every match.
 * A missing cfn-lint is an error, never a silent pass.
 */
export function cfnLint(templates: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): CfnLintMatch[] {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  try {
    const files = writeTemplates(dir, templates);
    const result = spawnSync('cfn-lint', [...ARGS, ...files], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    return matchesOf(result.status, result.error, result.stdout, result.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `cfnLint` without blocking: the main job lints on the second core while it synthesizes the next apps. The templates
 * are written before this returns, so the caller may change its objects afterwards.
 */
export function cfnLintAsync(templates: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Promise<CfnLintMatch[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  const files = writeTemplates(dir, templates);
  // Output to a file, not a pipe: the caller's thread may be busy synthesizing when cfn-lint writes its report.
  const outFile = join(dir, 'out.json');
  const errFile = join(dir, 'err.txt');
  const fds = [openSync(outFile, 'w'), openSync(errFile, 'w')];
  return new Promise<CfnLintMatch[]>((resolve, reject) => {
    let spawnError: Error | undefined;
    const child = spawn('cfn-lint', [...ARGS, ...files], { env, stdio: ['ignore', fds[0], fds[1]] });
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (status) => {
      try {
        resolve(matchesOf(spawnError ? null : status, spawnError, readFileSync(outFile, 'utf8'), readFileSync(errFile, 'utf8')));
      } catch (e) {
        reject(e);
      }
    });
  }).finally(() => {
    fds.forEach((fd) => closeSync(fd));
    rmSync(dir, { recursive: true, force: true });
  });
}
