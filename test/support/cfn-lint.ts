import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
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

/**
 * Runs the preinstalled cfn-lint over templates (name -> template JSON) in one process and returns every match.
 * A missing cfn-lint is an error, never a silent pass.
 */
export function cfnLint(templates: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): CfnLintMatch[] {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  try {
    const files = Object.entries(templates).map(([name, template]) => {
      const file = join(dir, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.template.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(INSTALL_HINT);
    }
    if (result.status === 1 || (result.status === null)) {
      throw new Error(`cfn-lint failed to run (status ${result.status}): ${result.stderr}`);
    }
    return JSON.parse(result.stdout || '[]') as CfnLintMatch[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
