import * as crypto from 'crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as fc from 'fast-check';
import { CliIo, run } from '../../src/cli/main';

/*
 * Property: whatever is done to a valid command line of any subcommand (a flag dropped, given twice, its value replaced
 * by a hostile one or removed, an unknown flag added, a value given to a switch, the path argument replaced), `run`
 * resolves to exit 0, 1 or 2 and never throws; an error is one `error: ...` line on stderr with no stack trace, no
 * TypeError and nothing of the files it read (key material, a canary plaintext); exit 2 names a flag that was mutated;
 * exit 1 happens only once the command reached its cloud (a stub that refuses every call); and `--help` still prints
 * the command's usage. In process: every command runs through `run(argv, io)` with stubbed clients.
 *
 * Seeded: FUZZ_SEED=<n> replays a run (fast-check prints the seed and the shrunk command line on failure);
 * FUZZ_RUNS=<n> runs longer than the build's default.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 16;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 150;
const CLOUD = 'CLOUD-REACHED';
const CANARY = 'CANARY-PLAINTEXT-4f1c9e';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111111111111:key/${KEY_ID}`;
const VAULT = 'https://kv-orders.vault.azure.net';
const KEK_ID = `${VAULT}/keys/kek-orders/0123456789abcdef`;
const RING = 'projects/payments-prod/locations/europe-west1/keyRings/ledger';
const JOB = `${RING}/importJobs/job-1`;
const GKEY = `${RING}/cryptoKeys/ledger-byok`;

const sandbox = mkdtempSync(join(tmpdir(), 'cli-fuzz-'));
const material = crypto.randomBytes(32);
const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const F = {
  pub: join(sandbox, 'in', 'pub.der'),
  key: join(sandbox, 'in', 'key.bin'),
  key2: join(sandbox, 'in', 'key2.bin'),
  token: join(sandbox, 'in', 'ImportToken.bin'),
  wrapped: join(sandbox, 'in', 'wrapped.bin'),
  params: join(sandbox, 'in', 'params.json'),
  blob: join(sandbox, 'in', 'k.byok'),
  template: join(sandbox, 'in', 'app.template.json'),
  report: join(sandbox, 'in', 'compliance-report.json'),
  secret: join(sandbox, 'in', 'secret.txt'),
  nullJson: join(sandbox, 'in', 'null.json'),
  dir: join(sandbox, 'in'),
  missing: join(sandbox, 'in', 'missing', 'nothing.bin'),
  out: join(sandbox, 'out'),
};

/** Written before every case: a case may overwrite an input with --force. */
function fixtures(): void {
  mkdirSync(F.dir, { recursive: true });
  mkdirSync(F.out, { recursive: true });
  writeFileSync(F.pub, publicKey.export({ type: 'spki', format: 'der' }));
  writeFileSync(F.key, material);
  writeFileSync(F.key2, crypto.randomBytes(32));
  writeFileSync(F.token, 'token');
  writeFileSync(F.wrapped, crypto.randomBytes(424));
  writeFileSync(F.params, JSON.stringify({ keyId: KEY_ID, keyArn: KEY_ARN, parametersValidTo: '2026-11-29T00:00:00Z' }));
  writeFileSync(F.blob, JSON.stringify({ schema_version: '1.0.0', header: { kid: KEK_ID, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: 'QUJD' }));
  writeFileSync(F.template, JSON.stringify({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }));
  writeFileSync(F.report, JSON.stringify({ generator: 'x', stacks: [], summary: { keys: 0, requiredControls: 0, satisfied: 0, notApplicable: 0, acknowledged: 0, unmet: [] } }));
  writeFileSync(F.secret, `${CANARY}\n${material.toString('base64')}\n`);
  writeFileSync(F.nullJson, 'null');
}

/** A valid command line per subcommand: the command words, then flags (a value of undefined is a switch). */
interface Invocation {
  readonly words: string[];
  readonly flags: Array<[string, string | undefined]>;
  readonly positional?: string;
}
const VALID: Invocation[] = [
  { words: ['byok', 'aws', 'params'], flags: [['--key-id', KEY_ID], ['--out-dir', join(F.out, 'params')], ['--region', 'us-east-1'], ['--endpoint', 'https://kms.us-east-1.amazonaws.com'], ['--force', undefined]] },
  { words: ['byok', 'aws', 'import'], flags: [['--key-id', KEY_ARN], ['--import-token', F.token], ['--encrypted-key-material', F.wrapped], ['--parameters', F.params], ['--expires-at', '2027-06-30T00:00:00Z']] },
  { words: ['byok', 'wrap'], flags: [['--public-key', F.pub], ['--algorithm', 'RSAES_OAEP_SHA_256'], ['--key-material', F.key], ['--out', join(F.out, 'w.bin')], ['--kcv', 'cmac'], ['--force', undefined]] },
  { words: ['byok', 'azure', 'kek'], flags: [['--kek-id', KEK_ID], ['--out', join(F.out, 'kek.pem')], ['--force', undefined]] },
  { words: ['byok', 'azure', 'import'], flags: [['--vault-url', VAULT], ['--key-name', 'orders-byok'], ['--byok', F.blob], ['--expires-in-days', '30'], ['--key-ops', 'wrapKey,unwrapKey']] },
  { words: ['byok', 'gcp', 'job'], flags: [['--import-job', JOB], ['--out', join(F.out, 'job.pem')], ['--force', undefined]] },
  { words: ['byok', 'gcp', 'import'], flags: [['--key', GKEY], ['--import-job', JOB], ['--wrapped-key', F.wrapped], ['--algorithm', 'GOOGLE_SYMMETRIC_ENCRYPTION']] },
  { words: ['report'], flags: [['--json', undefined]], positional: F.report },
  { words: ['check'], flags: [['--profile', 'COMMERCIAL']], positional: F.template },
];

/** Values no flag should take, and paths to files that are no input of the kind asked for. */
const HOSTILE = [
  '', ' ', '\t', '  padded ', 'NaN', '-1', '0', '1.5', '1e3', '0x10', 'Infinity', '99999999999', 'null', 'undefined',
  'a\nb', '\u001b[31mred', '\u2028', 'US-EAST-1', 'us_east_1', 'moon-1', 'arn:aws:kms:us-east-1:1:key/x', 'alias/',
  'arn:aws:iam::111111111111:role/x', 'not-an-arn', 'http://', 'file:///etc/passwd', 'ftp://kms', '2027-02-30', '1',
  'next tuesday', 'projects/p', 'https://example.com', '-', '--', '=', 'é', '日本', F.secret, F.dir, F.missing, F.nullJson,
  F.template, F.pub,
];
const UNKNOWN = ['--colour', '--key_id', '--KEY-ID', '-x', '--out-dir-2', '--no-such=1', '--j'];

type Mutation =
  | { kind: 'drop'; index: number }
  | { kind: 'twice'; index: number; value: string }
  | { kind: 'value'; index: number; value: string }
  | { kind: 'no-value'; index: number }
  | { kind: 'unknown'; flag: string; at: number }
  | { kind: 'switch-value'; index: number; value: string }
  | { kind: 'inline'; index: number }
  | { kind: 'positional'; value: string | undefined };

const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  // Printable strings without a slash: relative names inside the sandbox, never a path elsewhere on the machine.
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).filter((s) => !s.includes('/') && !s.startsWith('-') && s !== '..') },
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('twice' as const), index: fc.nat(), value }),
  fc.record({ kind: fc.constant('value' as const), index: fc.nat(), value }),
  fc.record({ kind: fc.constant('no-value' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('unknown' as const), flag: fc.constantFrom(...UNKNOWN), at: fc.nat() }),
  fc.record({ kind: fc.constant('switch-value' as const), index: fc.nat(), value }),
  fc.record({ kind: fc.constant('inline' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('positional' as const), value: fc.option(value, { nil: undefined }) }),
);

interface Case {
  readonly argv: string[];
  /** The flags a refusal may name. */
  readonly named: string[];
  /** True when the command line is certainly wrong, so exit 2 is the only right answer. */
  readonly mustRefuse: boolean;
  readonly flagsOnly: string[];
}

function apply(inv: Invocation, mutations: Mutation[]): Case {
  // Each flag carries whether it alone makes the line wrong; whether the line must be refused is judged at the end,
  // as a later mutation may drop a flag an earlier one spoiled.
  // `isSwitch`: a flag that takes no value in the valid invocation (a flag whose value a mutation removed is no switch:
  // seed 33728149 gave such a flag `--out=<path>`, a valid line, and judged it as a value given to a switch).
  let flags = inv.flags.map(([f, v]) => ({ flag: f, value: v, bad: false, isSwitch: v === undefined }));
  let positional: string[] = inv.positional === undefined ? [] : [inv.positional];
  let positionalBad = false;
  const extra: string[] = [];
  const named: string[] = [];
  for (const m of mutations) {
    if (m.kind === 'positional') {
      if (inv.positional === undefined) {
        if (m.value !== undefined) positional = [...positional, m.value];
        positionalBad ||= m.value !== undefined;
      } else {
        positional = m.value === undefined ? [] : [m.value];
        positionalBad = m.value === undefined || m.value.trim() === '';
      }
      named.push('give', 'argument', ...(m.value ? [m.value] : []));
      continue;
    }
    if (m.kind === 'unknown') {
      extra.push(m.flag);
      named.push(m.flag.split('=')[0]);
      continue;
    }
    if (flags.length === 0) continue;
    const i = m.index % flags.length;
    const f = flags[i];
    named.push(f.flag.split('=')[0]);
    switch (m.kind) {
      case 'drop':
        flags = flags.filter((_, j) => j !== i);
        break;
      case 'twice':
        flags.push({ flag: f.flag, value: f.value === undefined ? undefined : m.value, bad: false, isSwitch: f.isSwitch });
        break;
      case 'value':
        if (f.value !== undefined) {
          flags[i] = { flag: f.flag, value: m.value, bad: m.value.trim() === '' || /[\u0000-\u001f\u2028]/.test(m.value) || (m.value === F.missing && !f.flag.startsWith('--out')), isSwitch: false };
        }
        break;
      case 'no-value':
        if (f.value !== undefined) flags = [...flags.filter((_, j) => j !== i), { flag: f.flag, value: undefined, bad: true, isSwitch: false }];
        break;
      case 'switch-value':
        if (f.isSwitch && !f.flag.includes('=')) flags[i] = { flag: `${f.flag}=${m.value}`, value: undefined, bad: true, isSwitch: true };
        break;
      case 'inline':
        if (f.value !== undefined) flags[i] = { flag: `${f.flag}=${f.value}`, value: undefined, bad: f.bad, isSwitch: false };
        break;
    }
  }
  const names = flags.map((f) => f.flag.split('=')[0]);
  const twice = names.some((n, i) => names.indexOf(n) !== i);
  const mustRefuse = positionalBad || extra.length > 0 || twice || flags.some((f) => f.bad);
  const flagsOnly = [...flags.flatMap((f) => (f.value === undefined ? [f.flag] : [f.flag, f.value])), ...extra];
  // The path argument goes first: after a flag left without its value it would be taken as that value.
  return { argv: [...inv.words, ...positional, ...flagsOnly], named, mustRefuse, flagsOnly };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const refuse = (): never => { throw new Error(CLOUD); };
  const stub: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), kms: refuse, azureKeys: refuse, gcpKms: refuse, now: () => new Date('2026-11-28T12:00:00Z') };
  return { stub, out, err };
}

const cwd = process.cwd();
beforeAll(() => process.chdir(sandbox));
afterAll(() => {
  process.chdir(cwd);
  rmSync(sandbox, { recursive: true, force: true });
});

test.each(VALID.map((v) => [v.words.join(' '), v] as const))('the fixture of %s is valid: it runs, or reaches its cloud', async (_name, inv) => {
  fixtures();
  const c = io();
  const code = await run(apply(inv, []).argv, c.stub);
  if (code === 0) expect(c.err).toEqual([]);
  else expect(c.err).toEqual([`error: unexpected error: ${CLOUD}`]);
});

test(`mutated command lines get exit 0, 1 (cloud reached) or 2 with one line naming the flag (seed ${SEED}, ${RUNS} runs)`, async () => {
  const outcomes: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (inv, mutations) => {
      fixtures();
      const k = apply(inv, mutations);
      const c = io();
      const code = await run(k.argv, c.stub);
      const printed = [...c.out, ...c.err].join('\n');
      expect([0, 1, 2]).toContain(code);
      expect(printed).not.toMatch(/\n\s+at |TypeError|ReferenceError|RangeError|\[object Object\]/);
      expect(printed).not.toContain(CANARY);
      expect(printed).not.toContain(material.toString('base64'));
      expect(printed).not.toContain(material.toString('hex'));
      if (code !== 0) {
        expect(c.err).toHaveLength(1);
        expect(c.err[0]).toMatch(/^error: [^\n\r\u2028]+$/);
      }
      if (code === 1 && inv.positional === undefined) expect(c.err[0]).toBe(`error: unexpected error: ${CLOUD}`);
      if (code === 1) expect(c.err[0] ?? '').not.toMatch(/unexpected error: (?!CLOUD-REACHED)/);
      if (k.mustRefuse) expect(code).toBe(2);
      if (code === 2 && inv.positional === undefined) {
        expect(k.named.some((n) => c.err[0].includes(n))).toBe(true);
      }
      outcomes[code === 2 ? 'refused (exit 2)' : code === 1 ? 'reached the cloud or a finding (exit 1)' : 'ran (exit 0)'] =
        (outcomes[code === 2 ? 'refused (exit 2)' : code === 1 ? 'reached the cloud or a finding (exit 1)' : 'ran (exit 0)'] ?? 0) + 1;

      // --help right after the command words wins over whatever follows.
      const h = io();
      expect(await run([...inv.words, '--help', ...k.argv.slice(inv.words.length)], h.stub)).toBe(0);
      expect(h.out.join('\n')).toContain(`cloud-kms ${inv.words.join(' ')}`);
    }),
    { seed: SEED, numRuns: RUNS, verbose: 1 },
  );
  // eslint-disable-next-line no-console
  console.log(`cli fuzz seed ${SEED}, ${RUNS} runs: ${JSON.stringify(outcomes)}`);
  expect(outcomes['refused (exit 2)']).toBeGreaterThan(0);
}, 60_000);
