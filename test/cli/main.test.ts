import * as crypto from 'crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  DescribeKeyCommand, ExpiredImportTokenException, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient,
  ListResourceTagsCommand, MultiRegionConfiguration, RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { CliIo, run } from '../../src/cli/main';
import { aesKeyUnwrapPad, KcvMethod, keyCheckValue } from '../../src/cli/wrap';
import { ComplianceProfile } from '../../src/core/profile';

const kms = mockClient(KMSClient);
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111111111111:key/${KEY_ID}`;
const NOW = new Date('2026-11-28T12:00:00Z');

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: (o) => new KMSClient({ region: o.region ?? 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    azureKeys: () => { throw new Error('the AWS commands never reach Azure'); },
    gcpKms: () => { throw new Error('the AWS commands never reach Google Cloud'); },
    now: () => NOW,
  };
  return { io, out, err, run: (...argv: string[]) => run(argv, io) };
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'cloud-kms-cli-'));
}

function externalKey(tags: Record<string, string> = {}) {
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN, Origin: 'EXTERNAL', KeyState: 'PendingImport' } });
  kms.on(ListResourceTagsCommand).resolves({ Tags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })), Truncated: false });
}

function multiRegionKey(config: MultiRegionConfiguration) {
  const metadata = { KeyId: KEY_ID, Arn: KEY_ARN, Origin: 'EXTERNAL', KeyState: 'PendingImport', KeySpec: 'SYMMETRIC_DEFAULT', MultiRegion: true } as const;
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { ...metadata, MultiRegionConfiguration: config } });
}

beforeEach(() => kms.reset());

describe('help and usage', () => {
  test('top-level help lists every command', async () => {
    const c = cli();
    expect(await c.run('--help')).toBe(0);
    expect(c.out.join()).toMatch(/byok aws params[\s\S]*byok wrap[\s\S]*byok aws import/);
  });

  test.each(['byok aws params', 'byok wrap', 'byok aws import'])('%s --help', async (command) => {
    const c = cli();
    expect(await c.run(...command.split(' '), '--help')).toBe(0);
    expect(c.out.join()).toContain(`cloud-kms ${command}`);
    expect(c.out.join()).toContain('--json');
  });

  test.each([['byok'], ['byok', 'aws'], ['byok', '--help']])('`cloud-kms %s` prints the group\'s commands, exit 0 (as a bare `cloud-kms` does)', async (...words) => {
    const c = cli();
    expect(await c.run(...words)).toBe(0);
    expect(c.out.join()).toContain('cloud-kms byok aws params');
    expect(c.out.join()).toContain('cloud-kms byok aws import');
    expect(c.err).toEqual([]);
  });

  test('check --help and a bad --profile name the built-in profiles, in ComplianceProfile.builtIns() order', async () => {
    const names = 'COMMERCIAL, SOC2, HIPAA, PCI_DSS, FEDRAMP_MODERATE, FEDRAMP_HIGH, SOVEREIGN';
    expect(ComplianceProfile.builtIns().map((p) => p.name).join(', ')).toBe(names);
    const c = cli();
    expect(await c.run('check', '--help')).toBe(0);
    expect(c.out.join()).toContain(`\n  --profile <name>   judge every key by this profile instead: ${names}\n`);
    expect(await c.run('check', 'template.json', '--profile', 'nope')).toBe(2);
    expect(c.err).toEqual([`error: --profile must be one of ${names}, got nope`]);
  });

  test('a profile added to ComplianceProfile.builtIns() is in the check help with no change to the CLI', () => {
    let usage = '';
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ComplianceProfile: Profile } = require('../../src/core/profile') as typeof import('../../src/core/profile');
      const acme = Profile.custom({ name: 'ACME_REGIME' });
      const builtIns = jest.spyOn(Profile, 'builtIns').mockReturnValue([...Profile.builtIns(), acme]);
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        usage = (require('../../src/cli/commands/check') as typeof import('../../src/cli/commands/check')).COMMAND.usage;
      } finally {
        builtIns.mockRestore();
      }
    });
    expect(usage).toContain('judge every key by this profile instead: COMMERCIAL, SOC2, HIPAA, PCI_DSS, FEDRAMP_MODERATE, FEDRAMP_HIGH, SOVEREIGN, ACME_REGIME\n');
  });

  test('`cloud-kms byok frobnicate` is a usage error that lists the byok commands', async () => {
    const c = cli();
    expect(await c.run('byok', 'frobnicate')).toBe(2);
    expect(c.err.join()).toMatch(/unknown command 'byok frobnicate'[\s\S]*cloud-kms byok wrap/);
  });

  test('an unknown command or flag is a usage error (exit 2), not a stack trace', async () => {
    const c = cli();
    expect(await c.run('byok', 'gcp', 'frobnicate')).toBe(2);
    expect(c.err.join()).toContain("unknown command 'byok gcp frobnicate'");
    const d = cli();
    expect(await d.run('byok', 'wrap', '--colour', 'red')).toBe(2);
    expect(d.err).toEqual(['error: unknown option --colour (see cloud-kms byok wrap --help)']);
    expect(d.err.join()).not.toMatch(/\n\s+at /);
  });
});

describe('byok wrap', () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 });

  test('split knowledge: components combined in memory, check values printed, combined key never written', async () => {
    const d = dir();
    const pub = join(d, 'pub.der');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'der' }));
    const a = crypto.randomBytes(32);
    const b = crypto.randomBytes(32);
    writeFileSync(join(d, 'a.bin'), a);
    writeFileSync(join(d, 'b.bin'), b);
    const combined = Buffer.alloc(32);
    // eslint-disable-next-line no-bitwise
    for (let i = 0; i < 32; i++) combined[i] = a[i] ^ b[i];

    const c = cli();
    const code = await c.run('byok', 'wrap', '--public-key', pub, '--algorithm', 'RSA_AES_KEY_WRAP_SHA_256',
      '--component', join(d, 'a.bin'), '--component', join(d, 'b.bin'), '--out', join(d, 'out', 'wrapped.bin'), '--json');
    expect(code).toBe(0);
    const result = JSON.parse(c.out[0]);
    expect(result).toMatchObject({ algorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingKeyBits: 3072, material: 'AES-256', components: 2 });
    expect(Object.keys(result.keyCheckValues)).toEqual([join(d, 'a.bin'), join(d, 'b.bin'), 'combined']);
    expect(result.keyCheckValueMethod).toBe('AES-CMAC, ANSI X9.24-1:2017 A.3');
    expect(result.keyCheckValues.combined).toBe(keyCheckValue(combined));
    expect(result.keyCheckValues[join(d, 'a.bin')]).toBe(keyCheckValue(a));

    const wrapped = readFileSync(join(d, 'out', 'wrapped.bin'));
    const aesKey = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped.subarray(0, 384));
    expect(aesKeyUnwrapPad(aesKey, wrapped.subarray(384)).equals(combined)).toBe(true);
    // The combined key appears in no file and no output line.
    for (const f of readdirSync(d)) {
      if (f.endsWith('.bin') || f.endsWith('.der')) expect(readFileSync(join(d, f)).includes(combined)).toBe(false);
    }
    expect([...c.out, ...c.err].join()).not.toContain(combined.toString('hex'));
    expect([...c.out, ...c.err].join()).not.toContain(combined.toString('base64'));
  });

  test('human output names the format and the check values', async () => {
    const d = dir();
    writeFileSync(join(d, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(d, 'a'), crypto.randomBytes(32));
    writeFileSync(join(d, 'b'), crypto.randomBytes(32));
    const c = cli();
    expect(await c.run('byok', 'wrap', '--public-key', join(d, 'pub.pem'), '--algorithm', 'RSA_OAEP_3072_SHA256_AES_256',
      '--component', join(d, 'a'), '--component', join(d, 'b'), '--out', join(d, 'w'))).toBe(0);
    expect(c.out[0]).toMatch(/Wrapped AES-256 with RSA_OAEP_3072_SHA256_AES_256 \(RSA-3072\)/);
    expect(c.out[0]).toMatch(/combined key {17}KCV \(AES-CMAC, ANSI X9\.24-1:2017 A\.3\): [0-9A-F]{10}\nThe combined key was not written anywhere\./);
  });

  test('--kcv ecb: the legacy check value, labelled as such; a single AES key gets its check value too', async () => {
    const d = dir();
    writeFileSync(join(d, 'pub.der'), publicKey.export({ type: 'spki', format: 'der' }));
    const key = crypto.randomBytes(32);
    writeFileSync(join(d, 'k'), key);
    const c = cli();
    expect(await c.run('byok', 'wrap', '--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256',
      '--key-material', join(d, 'k'), '--out', join(d, 'w'), '--kcv', 'ecb')).toBe(0);
    expect(c.out[0]).toContain(`${join(d, 'k')}  KCV (AES-ECB of a zero block, legacy): ${keyCheckValue(key, KcvMethod.ECB)}`);
    expect(await c.run('byok', 'wrap', '--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256',
      '--key-material', join(d, 'k'), '--out', join(d, 'w2'), '--kcv', 'sha1')).toBe(2);
    expect(c.err.join()).toContain('--kcv must be one of cmac, ecb, got sha1');
  });

  test('--out never replaces an existing file without --force', async () => {
    const d = dir();
    writeFileSync(join(d, 'pub.der'), publicKey.export({ type: 'spki', format: 'der' }));
    writeFileSync(join(d, 'k'), crypto.randomBytes(32));
    writeFileSync(join(d, 'w'), 'earlier ceremony');
    const args = ['byok', 'wrap', '--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'k'), '--out', join(d, 'w')];
    const c = cli();
    expect(await c.run(...args)).toBe(2);
    expect(c.err.join()).toContain(`--out: ${join(d, 'w')} already exists; give --force to overwrite`);
    expect(readFileSync(join(d, 'w'), 'utf8')).toBe('earlier ceremony');
    expect(await c.run(...args, '--force')).toBe(0);
    expect(readFileSync(join(d, 'w')).length).toBe(384);
  });

  test('a public key as the AWS CLI prints it (base64 text) is accepted', async () => {
    const d = dir();
    writeFileSync(join(d, 'pub.b64'), `${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}\n`);
    writeFileSync(join(d, 'k'), crypto.randomBytes(32));
    const c = cli();
    expect(await c.run('byok', 'wrap', '--public-key', join(d, 'pub.b64'), '--algorithm', 'RSAES_OAEP_SHA_256',
      '--key-material', join(d, 'k'), '--out', join(d, 'w'))).toBe(0);
  });

  test.each<[string, (d: string) => string[], RegExp]>([
    ['an unreadable key file', (d) => ['--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'nope'), '--out', join(d, 'o')],
      /error: --key-material .*nope does not exist/],
    ['a wrong key length', (d) => ['--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'short'), '--out', join(d, 'o')],
      /error: --key-material must hold 16, 24 or 32 bytes .* got 5 bytes/],
    ['an unknown algorithm', (d) => ['--public-key', join(d, 'pub.der'), '--algorithm', 'ROT13', '--key-material', join(d, 'short'), '--out', join(d, 'o')],
      /error: --algorithm must be one of RSAES_OAEP_SHA_256, .* got ROT13/],
    ['both material and components', (d) => ['--public-key', join(d, 'pub.der'), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'short'), '--component', join(d, 'short'), '--out', join(d, 'o')],
      /error: give either --key-material or --component files, not both/],
    ['a public key of the wrong type', (d) => ['--public-key', join(d, 'ec.der'), '--algorithm', 'RSAES_OAEP_SHA_256', '--key-material', join(d, 'short'), '--out', join(d, 'o')],
      /error: --public-key must be an RSA public key, got ec/],
  ])('%s: clear message, exit 2 (the input is refused)', async (_what, args, message) => {
    const d = dir();
    writeFileSync(join(d, 'pub.der'), publicKey.export({ type: 'spki', format: 'der' }));
    writeFileSync(join(d, 'ec.der'), crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }));
    writeFileSync(join(d, 'short'), Buffer.from('12345'));
    const c = cli();
    expect(await c.run('byok', 'wrap', ...args(d))).toBe(2);
    expect(c.err.join()).toMatch(message);
    expect(c.err.join()).not.toMatch(/\n\s+at /);
  });
});

describe('byok aws params', () => {
  test('writes the public key, token and parameters, with the algorithm from the key tag', async () => {
    externalKey({ 'cloud-kms:wrapping-algorithm': 'RSA_AES_KEY_WRAP_SHA_256' });
    kms.on(GetParametersForImportCommand).resolves({
      KeyId: KEY_ARN, PublicKey: Buffer.from('public'), ImportToken: Buffer.from('token'), ParametersValidTo: new Date('2026-11-29T12:00:00Z'),
    });
    const d = dir();
    const c = cli();
    expect(await c.run('byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', d, '--json')).toBe(0);
    expect(kms.commandCalls(GetParametersForImportCommand)[0].args[0].input).toEqual({
      KeyId: KEY_ID, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_4096',
    });
    expect(readFileSync(join(d, 'WrappingPublicKey.der'), 'utf8')).toBe('public');
    expect(readFileSync(join(d, 'ImportToken.bin'), 'utf8')).toBe('token');
    expect(JSON.parse(readFileSync(join(d, 'import-parameters.json'), 'utf8'))).toEqual({
      keyId: KEY_ID,
      keyArn: KEY_ARN,
      wrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      wrappingKeySpec: 'RSA_4096',
      parametersValidTo: '2026-11-29T12:00:00.000Z',
    });
  });

  test('a key that was not made for import is refused', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ID, Arn: KEY_ARN, Origin: 'AWS_KMS', KeyState: 'Enabled' } });
    const c = cli();
    expect(await c.run('byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', dir())).toBe(1);
    expect(c.err.join()).toContain(`key ${KEY_ID} has origin AWS_KMS; only keys created for import (Origin EXTERNAL, aws.ByokImport) take key material`);
  });

  test('a bad wrapping key spec is refused before calling KMS for parameters', async () => {
    externalKey();
    const c = cli();
    expect(await c.run('byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', dir(), '--wrapping-key-spec', 'RSA_1024')).toBe(2);
    expect(c.err.join()).toContain('--wrapping-key-spec must be one of RSA_2048, RSA_3072, RSA_4096, got RSA_1024');
    expect(kms.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
  });
});

describe('byok aws import', () => {
  function files(validTo = '2026-11-29T00:00:00Z') {
    const d = dir();
    writeFileSync(join(d, 'ImportToken.bin'), 'token');
    writeFileSync(join(d, 'wrapped.bin'), 'wrapped');
    writeFileSync(join(d, 'import-parameters.json'), JSON.stringify({ keyId: KEY_ID, keyArn: KEY_ARN, parametersValidTo: validTo }));
    return ['--import-token', join(d, 'ImportToken.bin'), '--encrypted-key-material', join(d, 'wrapped.bin')];
  }

  test('imports with the expiry from the key tag', async () => {
    externalKey({ 'cloud-kms:key-material-expiry': '2027-06-01T00:00:00.000Z' });
    kms.on(ImportKeyMaterialCommand).resolves({ KeyId: KEY_ARN, KeyMaterialId: 'abc' });
    const c = cli();
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, ...files())).toBe(0);
    const input = kms.commandCalls(ImportKeyMaterialCommand)[0].args[0].input;
    expect(input).toMatchObject({ KeyId: KEY_ID, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date('2027-06-01T00:00:00Z') });
    expect(Buffer.from(input.ImportToken!).toString()).toBe('token');
    expect(c.out[0]).toContain('expires at 2027-06-01T00:00:00.000Z');
  });

  test('a multi-Region primary: imported, with a note that its replicas still need the same material', async () => {
    multiRegionKey({ MultiRegionKeyType: 'PRIMARY', ReplicaKeys: [{ Region: 'eu-west-1' }, { Region: 'ap-southeast-2' }] });
    kms.on(ImportKeyMaterialCommand).resolves({ KeyId: KEY_ARN });
    const c = cli();
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, ...files(), '--no-expiry')).toBe(0);
    expect(kms.commandCalls(ImportKeyMaterialCommand)[0].args[0].input.ImportType).toBeUndefined();
    expect(c.err).toEqual([`note: ${KEY_ARN} is a multi-Region primary; its replicas in eu-west-1, ap-southeast-2 hold no material until the same ` +
      `material is imported into them: \`cloud-kms byok aws multi-region --key-id ${KEY_ID} ...\``]);
  });

  test('a multi-Region replica takes the material as EXISTING_KEY_MATERIAL, and never --new-material', async () => {
    multiRegionKey({ MultiRegionKeyType: 'REPLICA' });
    kms.on(ImportKeyMaterialCommand).resolves({ KeyId: KEY_ARN });
    const c = cli();
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, ...files(), '--no-expiry')).toBe(0);
    expect(kms.commandCalls(ImportKeyMaterialCommand)[0].args[0].input.ImportType).toBe('EXISTING_KEY_MATERIAL');
    expect(c.err).toEqual([]);
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, ...files(), '--no-expiry', '--new-material')).toBe(2);
    expect(c.err).toEqual([`error: key ${KEY_ID} is a multi-Region replica: new material goes into its primary first, then into the replicas ` +
      'as existing material (leave out --new-material)']);
    expect(kms.commandCalls(ImportKeyMaterialCommand)).toHaveLength(1);
  });

  test('--no-expiry, --new-material and --rotate', async () => {
    externalKey();
    kms.on(ImportKeyMaterialCommand).resolves({ KeyId: KEY_ARN, KeyMaterialId: 'new' });
    kms.on(RotateKeyOnDemandCommand).resolves({ KeyId: KEY_ARN });
    const c = cli();
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, ...files(), '--no-expiry', '--new-material', '--rotate', '--json')).toBe(0);
    expect(kms.commandCalls(ImportKeyMaterialCommand)[0].args[0].input).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ImportType: 'NEW_KEY_MATERIAL' });
    expect(kms.commandCalls(RotateKeyOnDemandCommand)).toHaveLength(1);
    expect(JSON.parse(c.out[0])).toMatchObject({ rotated: true, keyMaterialId: 'new', expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  });

  test.each<[string, string[], () => void, RegExp, number]>([
    ['an expired import token', ['--no-expiry'], () => externalKey(), /the import token expired at 2026-11-01T00:00:00.000Z: run `cloud-kms byok aws params` again/, 1],
    ['no expiry decided anywhere', [], () => externalKey(), /has no cloud-kms:key-material-expiry tag: pass --expires-at <ISO date> or --no-expiry/, 1],
    ['an expiry in the past', ['--expires-at', '2025-01-01T00:00:00Z'], () => externalKey(), /the key material expiry 2025-01-01T00:00:00.000Z is in the past/, 2],
    ['a malformed expiry', ['--expires-at', 'next tuesday'], () => externalKey(), /--expires-at must be an ISO 8601 date .* got next tuesday/, 2],
    ['--rotate alone', ['--no-expiry', '--rotate'], () => externalKey(), /--rotate needs --new-material/, 2],
    ['KMS says the token expired', ['--no-expiry'], () => {
      externalKey();
      kms.on(ImportKeyMaterialCommand).rejects(new ExpiredImportTokenException({ message: 'Import token expired', $metadata: {} }));
    }, /ExpiredImportTokenException: the import token has expired: run `cloud-kms byok aws params` again and re-wrap/, 1],
  ])('%s: clear message, exit %d', async (what, extra, setup, message, code) => {
    setup();
    const c = cli();
    const args = what === 'an expired import token' ? files('2026-11-01T00:00:00Z') : files();
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, ...args, ...extra)).toBe(code);
    expect(c.err.join()).toMatch(message);
    expect(c.err.join()).not.toMatch(/\n\s+at /);
  });

  test('params never replaces earlier parameters without --force', async () => {
    externalKey({ 'cloud-kms:wrapping-algorithm': 'RSAES_OAEP_SHA_256' });
    kms.on(GetParametersForImportCommand).resolves({
      KeyId: KEY_ARN, PublicKey: Buffer.from('pub'), ImportToken: Buffer.from('token'), ParametersValidTo: new Date('2026-11-29T12:00:00Z'),
    });
    const d = dir();
    writeFileSync(join(d, 'ImportToken.bin'), 'the token the material was wrapped for');
    const c = cli();
    expect(await c.run('byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', d)).toBe(2);
    expect(c.err.join()).toContain(`--out-dir: ${join(d, 'ImportToken.bin')} already exists; give --force to overwrite`);
    expect(readFileSync(join(d, 'ImportToken.bin'), 'utf8')).toBe('the token the material was wrapped for');
    expect(readdirSync(d)).toEqual(['ImportToken.bin']);
    expect(await c.run('byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', d, '--force')).toBe(0);
    expect(readFileSync(join(d, 'ImportToken.bin'), 'utf8')).toBe('token');
  });

  test('a missing token file', async () => {
    const c = cli();
    expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, '--import-token', '/nonexistent/t', '--encrypted-key-material', 'x')).toBe(2);
    expect(c.err).toEqual(['error: --import-token /nonexistent/t does not exist']);
  });
});

test('the whole ceremony: params, wrap, import, with KMS played by a key pair we hold', async () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 4096 });
  externalKey({ 'cloud-kms:wrapping-algorithm': 'RSAES_OAEP_SHA_256', 'cloud-kms:key-material-expiry': 'none' });
  kms.on(GetParametersForImportCommand).resolves({
    KeyId: KEY_ARN,
    PublicKey: publicKey.export({ type: 'spki', format: 'der' }),
    ImportToken: Buffer.from('token'),
    ParametersValidTo: new Date('2026-11-29T12:00:00Z'),
  });
  let imported: Buffer | undefined;
  kms.on(ImportKeyMaterialCommand).callsFake((input) => {
    imported = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from(input.EncryptedKeyMaterial));
    return { KeyId: KEY_ARN };
  });
  const d = dir();
  const material = crypto.randomBytes(32);
  writeFileSync(join(d, 'material.bin'), material);
  const c = cli();
  expect(await c.run('byok', 'aws', 'params', '--key-id', KEY_ID, '--out-dir', d)).toBe(0);
  expect(await c.run('byok', 'wrap', '--public-key', join(d, 'WrappingPublicKey.der'), '--algorithm', 'RSAES_OAEP_SHA_256',
    '--key-material', join(d, 'material.bin'), '--out', join(d, 'EncryptedKeyMaterial.bin'))).toBe(0);
  expect(await c.run('byok', 'aws', 'import', '--key-id', KEY_ID, '--import-token', join(d, 'ImportToken.bin'),
    '--encrypted-key-material', join(d, 'EncryptedKeyMaterial.bin'))).toBe(0);
  expect(imported!.equals(material)).toBe(true);
  expect(c.err).toEqual([]);
});
