/*
 * Synthesis benchmark (npm run bench:synth): a TenantKeyHierarchy of 100, 1,000 and 10,000 DEDICATED tenants on AWS,
 * Azure and Google Cloud, against a baseline in the same run that makes the same number of plain provider keys with
 * equivalent settings (AWS: kms.Key with the same key policy, tag and alias, in one unsharded template). Each contender
 * runs in a fresh process, bundled to plain JavaScript first, as a compiled app would run under `cdk synth` or
 * `cdktf synth` (TypeScript source maps would multiply the cost of the stack traces both CDKs capture). Medians of
 * BENCH_ROUNDS runs (default 3), alternating contenders so machine noise hits both.
 *
 * Prints a table, PASS/FAIL per target, and, as the last line, one JSON object per cloud and size.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,10000').split(',').map(Number);
const CLOUDS = ['aws', 'azure', 'gcp'] as const;
const ROOT = join(__dirname, '..');
// Inside node_modules so the bundle resolves aws-cdk-lib, cdktf and the providers from the project.
const WORKER = join(ROOT, 'node_modules', '.cache', 'cloud-kms-bench', 'synth-worker.js');
const CFN_MAX_RESOURCES = 500;
const CFN_MAX_BYTES = 1_000_000;
const MAX_RATIO = 1.3;
const MAX_RSS_MIB = 4096;

interface Run {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly templates: number;
  readonly maxResourcesPerTemplate: number;
  readonly maxTemplateBytes: number;
}

interface Row {
  readonly seconds: number;
  readonly baselineSeconds: number;
  readonly ratio: number;
  readonly peakRssMiB: number;
  readonly baselinePeakRssMiB: number;
  readonly templates: number;
  readonly maxResourcesPerTemplate: number;
  readonly maxTemplateBytes: number;
}

function bundleWorker(): void {
  mkdirSync(join(WORKER, '..'), { recursive: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [join(__dirname, 'synth-worker.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: WORKER,
    logLevel: 'warning',
  });
}

function run(cloud: string, mode: string, n: number): Run {
  const out = mkdtempSync(join(tmpdir(), `bench-synth-${cloud}-${mode}-`));
  try {
    const res = spawnSync(process.execPath, ['--max-old-space-size=8192', WORKER, cloud, mode, String(n), out], {
      encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    const last = res.stdout.trim().split('\n').pop() ?? '';
    if (res.status !== 0 || !last.startsWith('{')) {
      throw new Error(`${cloud} ${mode} ${n} failed (exit ${res.status}):\n${res.stderr.slice(-4000)}`);
    }
    return JSON.parse(last) as Run;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(cloud: string, n: number): Row {
  const ours: Run[] = [];
  const base: Run[] = [];
  // Small hierarchies synthesize in a tenth of a second, where scheduling noise is as large as the difference:
  // more rounds there.
  const rounds = ROUNDS * (n <= 100 ? 5 : n <= 1000 ? 2 : 1);
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so a slow spell of the machine does not always land on the same contender.
    if (r % 2 === 0) {
      base.push(run(cloud, 'baseline', n));
      ours.push(run(cloud, 'ours', n));
    } else {
      ours.push(run(cloud, 'ours', n));
      base.push(run(cloud, 'baseline', n));
    }
  }
  const seconds = median(ours.map((o) => o.seconds));
  const baselineSeconds = median(base.map((b) => b.seconds));
  return {
    seconds,
    baselineSeconds,
    ratio: seconds / baselineSeconds,
    peakRssMiB: Math.max(...ours.map((o) => o.peakRssMiB)),
    baselinePeakRssMiB: Math.max(...base.map((b) => b.peakRssMiB)),
    templates: ours[0].templates,
    maxResourcesPerTemplate: ours[0].maxResourcesPerTemplate,
    maxTemplateBytes: ours[0].maxTemplateBytes,
  };
}

function main(): void {
  bundleWorker();
  const results: Record<string, Record<number, Row>> = {};
  const targets: Array<[string, boolean]> = [];
  console.log(`Synthesis of DEDICATED tenant hierarchies vs plain provider keys (median of ${ROUNDS} fresh processes each; x5 at 100 tenants, x2 at 1,000)`);
  console.log('cloud  tenants   ours s  baseline s  ratio  peak RSS MiB (baseline)  files  max resources/file  max bytes/file');
  for (const cloud of CLOUDS) {
    results[cloud] = {};
    for (const n of SIZES) {
      const row = measure(cloud, n);
      results[cloud][n] = row;
      console.log(`${cloud.padEnd(6)} ${String(n).padStart(7)} ${row.seconds.toFixed(2).padStart(8)} ${row.baselineSeconds.toFixed(2).padStart(11)} ` +
        `${row.ratio.toFixed(2).padStart(6)} ${row.peakRssMiB.toFixed(0).padStart(13)} (${row.baselinePeakRssMiB.toFixed(0)})` +
        `${String(row.templates).padStart(12)} ${String(row.maxResourcesPerTemplate).padStart(19)} ${String(row.maxTemplateBytes).padStart(15)}`);
      targets.push([`${cloud} ${n} tenants: at most ${MAX_RATIO}x the baseline's time`, row.ratio <= MAX_RATIO]);
      if (cloud === 'aws') {
        targets.push([`aws ${n} tenants: every template within ${CFN_MAX_RESOURCES} resources and ${CFN_MAX_BYTES} bytes`,
          row.maxResourcesPerTemplate <= CFN_MAX_RESOURCES && row.maxTemplateBytes <= CFN_MAX_BYTES]);
      }
    }
    for (let i = 1; i < SIZES.length; i++) {
      const [a, b] = [results[cloud][SIZES[i - 1]], results[cloud][SIZES[i]]];
      // Linear growth: time per tenant at the larger size no more than at the smaller one (10% for noise).
      const perTenantGrowth = (b.seconds / SIZES[i]) / (a.seconds / SIZES[i - 1]);
      targets.push([`${cloud} ${SIZES[i - 1]} -> ${SIZES[i]} tenants: growth no worse than linear (per-tenant time x${perTenantGrowth.toFixed(2)})`, perTenantGrowth <= 1.1]);
    }
    const largest = results[cloud][SIZES[SIZES.length - 1]];
    targets.push([`${cloud} ${SIZES[SIZES.length - 1]} tenants: peak RSS under ${MAX_RSS_MIB} MiB`, largest.peakRssMiB < MAX_RSS_MIB]);
  }
  for (const [name, ok] of targets) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  const json: Record<string, Record<number, object>> = {};
  for (const cloud of CLOUDS) {
    json[cloud] = {};
    for (const n of SIZES) {
      const r = results[cloud][n];
      json[cloud][n] = {
        seconds: round(r.seconds),
        baselineSeconds: round(r.baselineSeconds),
        ratio: round(r.ratio),
        peakRssMiB: Math.round(r.peakRssMiB),
        maxResourcesPerTemplate: r.maxResourcesPerTemplate,
        maxTemplateBytes: r.maxTemplateBytes,
      };
    }
  }
  console.log(JSON.stringify(json));
  if (targets.some(([, ok]) => !ok)) process.exitCode = 1;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main();
