/*
 * Robustness of the `cloud-kms` CLI's argument parsing: mutated argv from valid invocations, run in-process through
 * `run(argv, io)` (src/cli/main.ts), with an io whose cloud clients throw a sentinel instead of reaching a network.
 *
 * The oracle per case:
 * - never: `run` rejecting, a stack trace (`    at file:line:col`) or a JavaScript error name (TypeError, "Cannot read
 *   properties") on stdout or stderr;
 * - a usage mutation (a required flag left out, a flag without its value, an empty value, an unknown flag, a number
 *   flag given a non-number): exit code 2 and stderr names the flag (`--key-id`, or the unknown flag as typed) or
 *   another mutated flag (with several edits the first one parsed wins), or exit 1 for a file of another mutated
 *   flag that cannot be read (checked first);
 * - any other mutation (odd but well-formed values, a flag repeated): exit 2 naming a mutated flag, exit 1 naming a
 *   mutated flag (a file that cannot be read), exit 1 with the sentinel (the input was accepted and the command went
 *   on to the cloud), or the unmutated invocation's own exit code.
 * FUZZ_SEED / FUZZ_PATH / FUZZ_RUNS as in support/harness.ts.
 */
import { generateKeyPairSync, randomBytes } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { COLLECT, REPLAY_PATH, runsFor, SEED } from './support/harness';
import { CliIo, run } from '../../src/cli/main';

const SENTINEL = 'fuzz: the cloud was reached';
const dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
const file = (name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const publicKey = file('wrapping.der', generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
const material = file('material.bin', randomBytes(32));
const component = file('component.bin', randomBytes(32));
const token = file('token.bin', randomBytes(64));
const byok = file('key.byok', JSON.stringify({ schema_version: '1.0.0', header: { kid: 'https://kv.vault.azure.net/keys/kek/0', alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: 'AAAA', generator: 'cloud-kms' }));
const template = file('template.json', JSON.stringify({ Resources: {} }));
// A synthesis output as `report` reads it: the compliance report synthesis writes (an app with no keys).
const synthOut = mkdtempSync(join(dir, 'cdk.out-'));
writeFileSync(join(synthOut, 'compliance-report.json'), JSON.stringify({ stacks: [], summary: { unmet: [] } }));

/** A valid invocation: the command words, its flags in order (value undefined for a boolean), which are required. */
interface Invocation {
  readonly words: string[];
  readonly flags: Array<[string, string | undefined]>;
  readonly required: string[];
  readonly numeric?: string[];
  readonly positional?: string;
}

let outN = 0;
const out = () => join(dir, `out-${outN++}`);

const INVOCATIONS: Record<string, () => Invocation> = {
  'byok aws params': () => ({ words: ['byok', 'aws', 'params'], flags: [['--key-id', 'alias/orders'], ['--out-dir', out()], ['--region', 'us-east-1']], required: ['--key-id', '--out-dir'] }),
  'byok aws import': () => ({
    words: ['byok', 'aws', 'import'],
    flags: [['--key-id', '1234abcd-12ab-34cd-56ef-1234567890ab'], ['--import-token', token], ['--encrypted-key-material', material], ['--expires-at', '2030-01-01T00:00:00Z']],
    required: ['--key-id', '--import-token', '--encrypted-key-material'],
  }),
  'byok aws multi-region': () => ({
    words: ['byok', 'aws', 'multi-region'],
    flags: [['--key-id', 'mrk-0123456789abcdef0123456789abcdef'], ['--component', material], ['--component', component], ['--replica-region', 'eu-west-1']],
    required: ['--key-id'],
  }),
  'byok wrap': () => ({
    words: ['byok', 'wrap'],
    flags: [['--public-key', publicKey], ['--algorithm', 'RSAES_OAEP_SHA_256'], ['--key-material', material], ['--out', out()]],
    required: ['--public-key', '--algorithm', '--key-material', '--out'],
  }),
  'byok azure kek': () => ({ words: ['byok', 'azure', 'kek'], flags: [['--kek-id', 'https://kv.vault.azure.net/keys/kek/0123456789abcdef'], ['--out', out()]], required: ['--kek-id', '--out'] }),
  'byok azure import': () => ({
    words: ['byok', 'azure', 'import'],
    flags: [['--vault-url', 'https://kv.vault.azure.net'], ['--key-name', 'orders'], ['--byok', byok], ['--expires-in-days', '365']],
    required: ['--vault-url', '--key-name', '--byok'],
    numeric: ['--expires-in-days'],
  }),
  'byok gcp job': () => ({ words: ['byok', 'gcp', 'job'], flags: [['--import-job', 'projects/p/locations/l/keyRings/r/importJobs/j'], ['--out', out()]], required: ['--import-job', '--out'] }),
  'byok gcp import': () => ({
    words: ['byok', 'gcp', 'import'],
    flags: [['--key', 'projects/p/locations/l/keyRings/r/cryptoKeys/k'], ['--import-job', 'projects/p/locations/l/keyRings/r/importJobs/j'], ['--wrapped-key', material]],
    required: ['--key', '--import-job', '--wrapped-key'],
  }),
  'check': () => ({ words: ['check'], flags: [['--profile', 'COMMERCIAL']], required: [], positional: template }),
  'report': () => ({ words: ['report'], flags: [], required: [], positional: synthOut }),
};

/** Mutations of one flag; `usage` ones must end in exit 2 naming the flag. */
const VARIANTS: Record<string, { usage: boolean | 'if-required' | 'if-numeric' }> = {
  'omit-flag': { usage: 'if-required' },
  'omit-value': { usage: true },
  'empty-value': { usage: 'if-required' },
  'blank-value': { usage: false },
  'unknown-flag': { usage: true },
  'upper-case-flag': { usage: true },
  'repeat-flag': { usage: false },
  'dash-value': { usage: false },
  'unicode-value': { usage: false },
  'long-value': { usage: false },
  'newline-value': { usage: false },
  'not-a-number': { usage: 'if-numeric' },
  'negative-number': { usage: 'if-numeric' },
  'fraction-number': { usage: 'if-numeric' },
  'equals-form': { usage: false },
  'extra-positional': { usage: true },
};

interface CliMutation {
  readonly command: string;
  readonly edits: Array<{ flag: number; variant: string }>;
}

/** The argv of an invocation with edits applied, and the flags a usage error must name. */
function argvOf(inv: Invocation, edits: CliMutation['edits']): { argv: string[]; usageFlags: string[]; mutatedFlags: string[] } {
  const flags = inv.flags.map(([f, v]) => [f, v] as [string, string | undefined]);
  const extra: string[] = [];
  // Right after the command words, so that no flag left without its value takes it as its value.
  const stray: string[] = [];
  const usageFlags: string[] = [];
  const mutatedFlags: string[] = [];
  const removed = new Set<number>();
  const edited = new Set<number>();
  for (const { flag, variant } of edits) {
    const free = variant === 'unknown-flag' || variant === 'extra-positional';
    const i = free || flags.length === 0 ? -1 : flag % flags.length;
    // One edit per flag: a second edit of the same flag would undo or garble the first.
    if (!free && (i < 0 || edited.has(i))) continue;
    edited.add(i);
    const name = i >= 0 ? flags[i][0] : '';
    const usage = VARIANTS[variant].usage;
    const isUsage = usage === true || (usage === 'if-required' && inv.required.includes(name)) || (usage === 'if-numeric' && (inv.numeric ?? []).includes(name));
    switch (variant) {
      case 'omit-flag': removed.add(i); break;
      case 'omit-value': flags[i] = [name, undefined]; break;
      case 'empty-value': flags[i] = [name, '']; break;
      case 'blank-value': flags[i] = [name, ' ']; break;
      case 'unknown-flag': extra.push('--bogus-flag'); usageFlags.push('--bogus-flag'); break;
      case 'upper-case-flag': flags[i] = [name.toUpperCase(), flags[i][1]]; usageFlags.push(name.toUpperCase()); break;
      case 'repeat-flag': extra.push(name, flags[i][1] ?? ''); break;
      case 'dash-value': flags[i] = [name, '-x']; break;
      case 'unicode-value': flags[i] = [name, `${flags[i][1] ?? ''}ключ🔑`]; break;
      case 'long-value': flags[i] = [name, 'a'.repeat(5000)]; break;
      case 'newline-value': flags[i] = [name, `${flags[i][1] ?? ''}\nsecond line`]; break;
      case 'not-a-number': flags[i] = [name, 'abc']; break;
      case 'negative-number': flags[i] = [name, '-5']; break;
      case 'fraction-number': flags[i] = [name, '1.5']; break;
      case 'equals-form': flags[i] = [`${name}=${flags[i][1] ?? ''}`, undefined]; break;
      case 'extra-positional': stray.push('stray-argument'); usageFlags.push('stray-argument', 'argument'); break;
    }
    if (name) mutatedFlags.push(name);
    if (isUsage && name && variant !== 'unknown-flag' && variant !== 'extra-positional' && variant !== 'upper-case-flag') usageFlags.push(name);
  }
  const argv = [...inv.words, ...stray, ...flags.flatMap(([f, v], i) => (removed.has(i) ? [] : v === undefined ? [f] : [f, v])), ...extra];
  if (inv.positional) argv.push(inv.positional);
  return { argv, usageFlags, mutatedFlags };
}

function io(): { io: CliIo; out: string[]; err: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  const reach = () => { throw new Error(SENTINEL); };
  return {
    out: outText,
    err: errText,
    io: { stdout: (t) => outText.push(t), stderr: (t) => errText.push(t), kms: reach, azureKeys: reach, gcpKms: reach, now: () => new Date('2026-11-30T00:00:00Z') },
  };
}

const CRASH = /^\s+at .+:\d+:\d+\)?$|\b(TypeError|ReferenceError|RangeError|SyntaxError)\b|Cannot read propert|is not a function|undefined is not/m;

// Mutated values make relative output paths (`--out abc`, `--out stray-argument`): the commands that write offline
// (byok wrap) must write them into the scratch directory, never into the repository.
const cwd = process.cwd();
beforeAll(() => process.chdir(dir));
afterAll(() => process.chdir(cwd));

const baseline = new Map<string, number>();
const tally = { cases: 0, accepted: 0, usageError: 0, runtimeError: 0, failure: 0 };
/** FUZZ_COLLECT: distinct failures (command, variants, first words of the reason) with one example. */
const collected = new Map<string, string>();

async function judge(m: CliMutation): Promise<string | undefined> {
  const inv = INVOCATIONS[m.command]();
  const { argv, usageFlags, mutatedFlags } = argvOf(inv, m.edits);
  const c = io();
  let code: number;
  try {
    code = await run(argv, c.io);
  } catch (e) {
    return `run rejected: ${(e as Error)?.stack ?? String(e)}`;
  }
  const all = `${c.out.join('\n')}\n${c.err.join('\n')}`;
  const err = c.err.join('\n');
  const show = `argv ${JSON.stringify(argv)} -> exit ${code}: ${err.split('\n')[0].slice(0, 300)}`;
  if (CRASH.test(all)) return `a crash or stack trace: ${show}`;
  const names = (flags: string[]) => flags.some((f) => err.includes(f));
  if (usageFlags.length > 0) {
    // With several edits the first one parsed wins: naming any mutated flag is naming the problem.
    if (code === 2 && names([...usageFlags, ...mutatedFlags])) {
      tally.usageError++;
      return undefined;
    }
    // Another mutated flag's file could not be read before the usage problem was reached: an I/O error, fair to report first.
    if (code === 1 && /cannot (read|write)/.test(err) && names(mutatedFlags)) {
      tally.runtimeError++;
      return undefined;
    }
    return `wanted exit 2 naming ${usageFlags.join(' or ')}: ${show}`;
  }
  if (code === 2 && names(mutatedFlags)) tally.usageError++;
  else if (code === 1 && (names(mutatedFlags) || err.includes(SENTINEL))) tally.runtimeError++;
  else if (code === baseline.get(m.command) || (code === 1 && err.includes(SENTINEL))) tally.accepted++;
  else return `wanted exit 2 naming ${mutatedFlags.join(' or ') || 'the flag'}, or the command going on: ${show}`;
  return undefined;
}

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`fuzz cli (seed ${SEED}): ${tally.cases} cases, ${tally.accepted} accepted (went on as the valid invocation did), `
    + `${tally.usageError} exit 2 naming the flag, ${tally.runtimeError} exit 1 naming the flag (e.g. an unreadable file), ${tally.failure} failing`
    + (COLLECT ? `\n${[...collected.entries()].map(([k, v]) => `- ${k}\n    ${v}`).join('\n')}` : ''));
});

describe('cloud-kms argument parsing', () => {
  test.each(Object.keys(INVOCATIONS))('the valid invocation `%s` parses and goes on (exit 0, or 1 at the cloud)', async (command) => {
    const inv = INVOCATIONS[command]();
    const c = io();
    const code = await run(argvOf(inv, []).argv, c.io);
    baseline.set(command, code);
    expect(c.err.join('\n')).not.toMatch(CRASH);
    expect([0, 1]).toContain(code);
    if (code === 1) expect(c.err.join('\n')).toMatch(new RegExp(`${SENTINEL}|finding|unmet`));
  });

  test('mutated argv gives exit 2 naming the flag, never a crash or stack trace', async () => {
    const edit = fc.record({ flag: fc.nat({ max: 7 }), variant: fc.constantFrom(...Object.keys(VARIANTS)) });
    const mutation = fc.record({ command: fc.constantFrom(...Object.keys(INVOCATIONS)), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) });
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      tally.cases++;
      const problem = await judge(m);
      if (problem) {
        tally.failure++;
        if (!COLLECT) throw new Error(problem);
        const key = `${m.command} ${m.edits.map((e) => e.variant).join('+')} :: ${problem.split(':')[0]}`;
        if (!collected.has(key)) collected.set(key, problem.slice(0, 400));
      }
    }), { seed: SEED, numRuns: runsFor(300), ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}) });
  });
});
