import * as crypto from 'crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CliIo, run } from '../../src/cli/main';

/*
 * Named regressions for each class of bad command line the fuzz (args.fuzz.test.ts) covers: every one is a usage error
 * (exit 2), one `error:` line naming the flag and the value, and nothing reaches a cloud.
 */
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const VAULT = 'https://kv-orders.vault.azure.net';
const KEK_ID = `${VAULT}/keys/kek-orders/0123456789abcdef`;
const RING = 'projects/payments-prod/locations/europe-west1/keyRings/ledger';
const CANARY = 'CANARY-PLAINTEXT-77d0';

const d = mkdtempSync(join(tmpdir(), 'cli-args-'));
const material = crypto.randomBytes(32);
writeFileSync(join(d, 'pub.der'), crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }));
writeFileSync(join(d, 'key.bin'), material);
writeFileSync(join(d, 'token'), 'token');
writeFileSync(join(d, 'wrapped'), 'wrapped');
writeFileSync(join(d, 'secret.json'), `{"parametersValidTo": "${CANARY}`);
writeFileSync(join(d, 'null.json'), 'null');
writeFileSync(join(d, 'k.byok'), JSON.stringify({ schema_version: '1.0.0', header: { kid: KEK_ID, enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: 'QUJD' }));
mkdirSync(join(d, 'adir'));

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const reached: string[] = [];
  const refuse = (cloud: string) => (): never => {
    reached.push(cloud);
    throw new Error(`${cloud} reached`);
  };
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: refuse('aws'),
    azureKeys: refuse('azure'),
    gcpKms: refuse('gcp'),
    now: () => new Date('2026-11-28T12:00:00Z'),
  };
  return { out, err, reached, run: (...argv: string[]) => run(argv, io) };
}

const params = ['byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', join(d, 'p')];
const awsImport = ['byok', 'aws', 'import', '--key-id', KEY_ID, '--import-token', join(d, 'token'), '--encrypted-key-material', join(d, 'wrapped')];
const wrap = ['byok', 'wrap', '--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'key.bin'), '--out', join(d, 'w.bin')];
const azureImport = ['byok', 'azure', 'import', '--vault-url', VAULT, '--key-name', 'k', '--byok', join(d, 'k.byok')];

test.each<[string, string[], string]>([
  // a flag given twice: node's parser kept the last value silently
  ['a flag given twice', [...params, '--key-id', 'alias/other'], `--key-id given twice (${KEY_ID} and alias/other); give it once`],
  ['a switch given twice', [...params, '--force', '--force'], '--force given twice; give it once'],
  // empty, blank and control-character values
  ['an empty value', ['byok', 'aws', 'params', '--key-id', '', '--out-dir', join(d, 'p')], '--key-id needs a value, got ""'],
  ['an empty inline value', ['byok', 'aws', 'params', '--key-id=', '--out-dir', join(d, 'p')], '--key-id needs a value, got ""'],
  ['a blank value', [...azureImport.slice(0, 5), '--key-name', ' ', '--byok', join(d, 'k.byok'), '--no-expiry'], '--key-name needs a value, got " "'],
  ['a value with a newline', [...wrap.slice(0, 8), '--out', join(d, 'a\nb')], `--out must not contain control characters, got ${JSON.stringify(join(d, 'a\nb'))}`],
  ['a terminal escape', ['byok', 'gcp', 'job', '--import-job', '\u001b[31mred', '--out', join(d, 'j.pem')], '--import-job must not contain control characters, got "\\u001b[31mred"'],
  // missing values and values that look like options
  ['a value missing at the end', [...params, '--region'], '--region needs a value, got nothing'],
  ['a value that is another option', ['byok', 'aws', 'params', '--key-id', '--out-dir', join(d, 'p')], '--key-id needs a value, got another option; write --key-id=<value> for a value starting with -'],
  ['a value given to a switch', [...params, '--force=yes'], '--force takes no value'],
  ['an unknown option', [...params, '--colour', 'red'], 'unknown option --colour (see cloud-kms byok aws params --help)'],
  ['a stray argument', [...params, 'extra'], 'unexpected argument extra: cloud-kms byok aws params takes options only (see cloud-kms byok aws params --help)'],
  ['a required flag missing', ['byok', 'aws', 'params', '--out-dir', join(d, 'p')], '--key-id is required'],
  // numbers
  ...['NaN', '-1', '0', '1.5', '1e3', '0x10', ' 30', 'Infinity', '36501', '99999999999'].map((n): [string, string[], string] => [
    `--expires-in-days ${JSON.stringify(n)}`, [...azureImport, `--expires-in-days=${n}`],
    n === ' 30' ? '--expires-in-days must not start or end with blanks, got " 30"' : `--expires-in-days must be a whole number of days between 1 and 36500, got ${n}`,
  ]),
  // dates JavaScript would take
  ['a date that is a number', [...azureImport, '--expires-at', '1'], '--expires-at must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got 1'],
  ['30 February', [...awsImport, '--expires-at', '2027-02-30'], '--expires-at must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got 2027-02-30'],
  ['a not-before that is no date', [...azureImport, '--no-expiry', '--not-before', 'soon'], '--not-before must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got soon'],
  // key ids, ARNs, resource names, regions and endpoints of the wrong format
  // (fuzz seed 403647097: URL() turned this host into punycode and the check let it through)
  ['a vault URL with a non-ASCII host', ['byok', 'azure', 'import', '--vault-url', 'https://kv.vault.azure.netключ', '--key-name', 'k', '--byok', join(d, 'k.byok'), '--no-expiry'],
    '--vault-url must be a vault or Managed HSM URL such as https://my-vault.vault.azure.net, got https://kv.vault.azure.netключ'],
  ...['k', 'not-an-arn', 'arn:aws:iam::111111111111:role/x', 'arn:aws:kms:us-east-1:1:key/x', 'alias/', KEY_ID.toUpperCase()].map((id): [string, string[], string] => [
    `--key-id ${id}`, ['byok', 'aws', 'params', '--key-id', id, '--out-dir', join(d, 'p')],
    `--key-id must be a KMS key id, key ARN, alias name (alias/...) or alias ARN such as 1234abcd-12ab-34cd-56ef-1234567890ab, got ${id}`,
  ]),
  ...['US-EAST-1', 'us_east_1', 'moon', 'us-east-1a', 'eu-west'].map((r): [string, string[], string] => [
    `--region ${r}`, [...params, '--region', r], `--region must be an AWS region such as us-east-1, got ${r}`,
  ]),
  ...['kms.local', 'ftp://kms', 'file:///etc/passwd', 'http://', 'https://kms.example?x=1'].map((e): [string, string[], string] => [
    `--endpoint ${e}`, [...params, '--endpoint', e], `--endpoint must be an http(s) URL such as https://kms.us-east-1.amazonaws.com, got ${e}`,
  ]),
  ['a Google key name with spaces', ['byok', 'gcp', 'import', '--key', `${RING}/cryptoKeys/a b`, '--import-job', `${RING}/importJobs/j`, '--wrapped-key', join(d, 'wrapped')],
    `--key must be a full resource name such as projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>, got ${RING}/cryptoKeys/a b`],
  ['a kek id for another algorithm', [...wrap, '--kek-id', KEK_ID], '--kek-id applies to --algorithm AZURE_BYOK only, got --algorithm RSAES_OAEP_SHA_256'],
  // paths
  ['an input that does not exist', [...wrap.slice(0, 4), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'nope'), '--out', join(d, 'w.bin')],
    `--key-material ${join(d, 'nope')} does not exist`],
  ['an input that is a directory', [...wrap.slice(0, 2), '--public-key', join(d, 'adir'), ...wrap.slice(4)], `--public-key ${join(d, 'adir')} is not a file`],
  ['an output that is a directory', [...wrap.slice(0, 8), '--out', join(d, 'adir')], `--out ${join(d, 'adir')} is a directory; give a file name`],
  ['an output directory that is a file', ['byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', join(d, 'key.bin')], `--out-dir ${join(d, 'key.bin')} is a file; give a directory`],
  ['standard output as a file', [...wrap.slice(0, 8), '--out', '-'], '--out must be a path (cloud-kms reads and writes files, not standard input or output), got -'],
  // split knowledge
  ['one component', [...wrap.slice(0, 6), '--component', join(d, 'key.bin'), '--out', join(d, 'w.bin')],
    `split knowledge needs at least 2 --component files, got 1 (${join(d, 'key.bin')})`],
  ['the same component twice', [...wrap.slice(0, 6), '--component', join(d, 'key.bin'), '--component', join(d, 'key.bin'), '--out', join(d, 'w.bin')],
    `--component lists ${join(d, 'key.bin')} twice: each custodian gives their own component`],
  // files that are not what the flag takes
  ['import parameters that are JSON null', [...awsImport, '--parameters', join(d, 'null.json'), '--no-expiry'],
    `--parameters ${join(d, 'null.json')} is not the JSON written by \`cloud-kms byok aws params\``],
  ['import parameters that are not JSON', [...awsImport, '--parameters', join(d, 'secret.json'), '--no-expiry'],
    `--parameters ${join(d, 'secret.json')} is not the JSON written by \`cloud-kms byok aws params\``],
  ['--rotate without --new-material', [...awsImport, '--no-expiry', '--rotate'], '--rotate needs --new-material: on-demand rotation makes newly imported material current'],
])('%s: exit 2, one line, nothing sent', async (_what, argv, message) => {
  const c = cli();
  expect(await c.run(...argv)).toBe(2);
  expect(c.err).toEqual([`error: ${message}`]);
  expect(c.reached).toEqual([]);
  const printed = [...c.out, ...c.err].join('\n');
  expect(printed).not.toContain(CANARY);
  expect(printed).not.toContain(material.toString('hex'));
});

test('--json: a usage error is also a JSON object on stdout', async () => {
  const c = cli();
  expect(await c.run(...params, '--json', '--region', 'Mars')).toBe(2);
  expect(JSON.parse(c.out[0])).toEqual({ error: '--region must be an AWS region such as us-east-1, got Mars' });
});

test.each<[string, string[]]>([
  ['after an unknown option', [...params, '--colour', 'red', '--help']],
  ['after a flag missing its value', ['byok', 'aws', 'params', '--key-id', '--help']],
  ['with a flag given twice', [...params, '--force', '--force', '-h']],
  ['with an empty value', ['byok', 'wrap', '--out', '', '--help']],
])('--help still works %s', async (_what, argv) => {
  const c = cli();
  expect(await c.run(...argv)).toBe(0);
  expect(c.out.join('\n')).toContain(`cloud-kms ${argv.slice(0, argv[1] === 'wrap' ? 2 : 3).join(' ')} --`);
  expect(c.err).toEqual([]);
});

test('--help after `--` is an argument, not a request for help', async () => {
  const c = cli();
  expect(await c.run('check', '--', '--help')).toBe(2);
  expect(c.err).toEqual(['error: --help does not exist']);
});

test('valid lines still reach the cloud: an alias, a key ARN, a region and an endpoint of each accepted form', async () => {
  for (const [id, region, endpoint] of [
    ['alias/orders-byok', 'us-gov-west-1', 'http://127.0.0.1:4566'],
    [`arn:aws:kms:eu-central-1:111111111111:key/${KEY_ID}`, 'eu-central-1', 'https://kms-fips.us-east-1.amazonaws.com'],
    ['arn:aws-cn:kms:cn-north-1:111111111111:alias/orders', 'cn-north-1', 'https://kms.cn-north-1.amazonaws.com.cn/'],
    ['mrk-1234abcd12ab34cd56ef1234567890ab', 'ap-southeast-4', 'https://vpce-1.kms.ap-southeast-4.vpce.amazonaws.com'],
    // An alias name may hold ':' (CreateAlias's AliasName pattern; accepted before the issue-16 checks).
    ['alias/orders:prod', 'eu-west-1', 'https://kms.eu-west-1.amazonaws.com'],
    ['arn:aws:kms:eu-west-1:111111111111:alias/orders:prod', 'eu-west-1', 'https://kms.eu-west-1.amazonaws.com'],
  ]) {
    const c = cli();
    expect(await c.run('byok', 'aws', 'params', '--key-id', id, '--out-dir', join(d, 'ok'), '--region', region, '--endpoint', endpoint)).toBe(1);
    expect(c.reached).toEqual(['aws']);
  }
});

describe('check on a template no synthesis wrote', () => {
  test('a key policy that is a string but not JSON: exit 2, named, and the text is not quoted', async () => {
    const file = join(d, 'policy.template.json');
    writeFileSync(file, JSON.stringify({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: `${CANARY} {` } } } }));
    const c = cli();
    expect(await c.run('check', file, '--profile', 'HIPAA')).toBe(2);
    expect(c.err).toEqual([`error: ${file} cannot be judged: a key policy is a string that is not JSON`]);
  });

  test('a Terraform resource that is null is judged as a resource with no settings, not a TypeError', async () => {
    const file = join(d, 'cdk.tf.json');
    writeFileSync(file, JSON.stringify({ resource: { google_kms_crypto_key: { k: null } } }));
    const c = cli();
    expect(await c.run('check', file, '--profile', 'HIPAA', '--json')).toBe(1);
    const findings = JSON.parse(c.out[0]).templates[0].findings;
    expect(findings.some((f: any) => f.resource === 'google_kms_crypto_key.k' && f.result === 'NON_COMPLIANT')).toBe(true);
    expect(c.err).toEqual([]);
  });
});
