import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Runs the real entry point (src/cli/main.ts as the main module, with its own clients) in a child process, and returns
 * which cloud SDKs it had loaded when it exited: each subcommand must load only the SDK it needs.
 */
function sdksLoadedBy(args: string[]): { status: number | null; sdks: string[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-load-'));
  const report = join(dir, 'modules.json');
  const probe = join(dir, 'probe.js');
  writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)},
    JSON.stringify(Object.keys(require.cache))));`);
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', probe, join(__dirname, '../../src/cli/main.ts'), ...args], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      TS_NODE_PROJECT: join(__dirname, '../tsconfig.json'),
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  const modules: string[] = JSON.parse(readFileSync(report, 'utf8'));
  const sdks = [...new Set(modules.map((m) => /node_modules\/(@aws-sdk|@azure|@google-cloud)\//.exec(m)?.[1]).filter((m): m is string => !!m))];
  return { status: child.status, sdks: sdks.sort(), stderr: child.stderr };
}

describe('each subcommand loads only the SDK it needs', () => {
  test.each([
    [['--help']],
    [['byok']],
    [['byok', 'wrap', '--help']],
    [['check', '--help']],
  ])('cloud-kms %j loads no cloud SDK', (args) => {
    const r = sdksLoadedBy(args);
    expect(r.status).toBe(0);
    expect(r.sdks).toEqual([]);
  });

  test('byok aws params loads the AWS SDK and nothing of Azure or Google Cloud', () => {
    // Nothing listens on port 9: the command fails after it has created its KMS client and sent a request.
    const r = sdksLoadedBy(['byok', 'aws', 'params', '--key-id', '1234abcd-12ab-34cd-56ef-1234567890ab', '--out-dir', mkdtempSync(join(tmpdir(), 'cli-p-')), '--endpoint', 'http://127.0.0.1:9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*ECONNREFUSED/m);
    expect(r.sdks).toEqual(['@aws-sdk']);
  });

  test('byok aws multi-region loads the AWS SDK and nothing of Azure or Google Cloud', () => {
    const d = mkdtempSync(join(tmpdir(), 'cli-m-'));
    writeFileSync(join(d, 'a'), Buffer.alloc(32, 1));
    writeFileSync(join(d, 'b'), Buffer.alloc(32, 2));
    const r = sdksLoadedBy(['byok', 'aws', 'multi-region', '--key-id', 'mrk-0123456789abcdef0123456789abcdef', '--component', join(d, 'a'),
      '--component', join(d, 'b'), '--endpoint', 'http://127.0.0.1:9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*ECONNREFUSED/m);
    expect(r.sdks).toEqual(['@aws-sdk']);
  });
});
