import * as crypto from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { KeyClient } from '@azure/keyvault-keys';
import { CliIo, run } from '../../src/cli/main';
import { aesKeyUnwrapPad } from '../../src/cli/wrap';

const NOW = new Date('2026-11-28T12:00:00Z');
const VAULT = 'https://kv-orders.vault.azure.net';
const KEK_ID = `${VAULT}/keys/kek-orders/0123456789abcdef0123456789abcdef`;

/** A vault we play: it holds the KEK's private key, and records what is imported. */
class FakeVault {
  public readonly kek = crypto.generateKeyPairSync('rsa', { modulusLength: 4096 });
  public readonly imports: { name: string; key: any; options: any }[] = [];
  public readonly urls: string[] = [];
  public kekOps = ['import'];
  public failWith?: Error;

  public client(url: string): KeyClient {
    this.urls.push(url);
    const vault = this;
    return {
      async getKey(name: string, options: { version?: string } = {}) {
        if (vault.failWith) throw vault.failWith;
        const jwk = vault.kek.publicKey.export({ format: 'jwk' });
        return {
          id: `${url}/keys/${name}/${options.version ?? 'latest0000000000000000000000000000'}`,
          name,
          keyType: 'RSA-HSM',
          keyOperations: vault.kekOps,
          key: { kty: 'RSA-HSM', n: Buffer.from(jwk.n!, 'base64url'), e: Buffer.from(jwk.e!, 'base64url') },
          properties: { name, vaultUrl: url },
        };
      },
      async importKey(name: string, key: any, options: any) {
        if (vault.failWith) throw vault.failWith;
        vault.imports.push({ name, key, options });
        return {
          id: `${url}/keys/${name}/fedcba9876543210fedcba9876543210`,
          name,
          keyType: key.kty,
          keyOperations: key.keyOps,
          properties: { name, vaultUrl: url, version: 'fedcba9876543210fedcba9876543210', expiresOn: options.expiresOn },
        };
      },
    } as unknown as KeyClient;
  }

  /** What the HSM does with a .byok blob: unwrap the transfer key with the KEK, then the target key. */
  public unwrap(blob: Uint8Array): Buffer {
    const ciphertext = Buffer.from(JSON.parse(Buffer.from(blob).toString('utf8')).ciphertext, 'base64url');
    const aesKey = crypto.privateDecrypt({ key: this.kek.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      ciphertext.subarray(0, 512));
    return aesKeyUnwrapPad(aesKey, ciphertext.subarray(512));
  }
}

function cli(vault = new FakeVault()) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: () => { throw new Error('the Azure commands never reach AWS'); },
    gcpKms: () => { throw new Error('the Azure commands never reach Google Cloud'); },
    azureKeys: (url) => vault.client(url),
    now: () => NOW,
  };
  return { io, out, err, vault, run: (...argv: string[]) => run(argv, io) };
}

const dir = () => mkdtempSync(join(tmpdir(), 'cloud-kms-azure-'));

test('the whole ceremony: kek, wrap, import — the vault recovers exactly our key, and no output shows it', async () => {
  const c = cli();
  const d = dir();
  const material = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs8', format: 'der' });
  writeFileSync(join(d, 'key.der'), material);

  expect(await c.run('byok', 'azure', 'kek', '--kek-id', KEK_ID, '--out', join(d, 'kek.pem'))).toBe(0);
  expect(readFileSync(join(d, 'kek.pem'), 'utf8')).toBe(c.vault.kek.publicKey.export({ type: 'spki', format: 'pem' }));
  expect(c.out[0]).toContain(`--kek-id ${KEK_ID}`);

  expect(await c.run('byok', 'wrap', '--public-key', join(d, 'kek.pem'), '--algorithm', 'AZURE_BYOK', '--kek-id', KEK_ID,
    '--key-material', join(d, 'key.der'), '--out', join(d, 'key.byok'))).toBe(0);

  expect(await c.run('byok', 'azure', 'import', '--vault-url', `${VAULT}/`, '--key-name', 'orders-byok', '--byok', join(d, 'key.byok'),
    '--expires-in-days', '395', '--json')).toBe(0);
  const [imported] = c.vault.imports;
  expect(imported.name).toBe('orders-byok');
  expect(imported.key).toMatchObject({ kty: 'RSA-HSM', keyOps: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] });
  // The blob goes up byte for byte, as the `key_hsm` of the JSON web key.
  expect(Buffer.from(imported.key.t).equals(readFileSync(join(d, 'key.byok')))).toBe(true);
  expect(c.vault.unwrap(imported.key.t).equals(Buffer.from(material))).toBe(true);
  expect(imported.options).toMatchObject({
    hardwareProtected: true,
    exportable: false,
    enabled: true,
    expiresOn: new Date('2027-12-28T12:00:00Z'),
    tags: { 'cloud-kms:imported-by': 'cloud-kms byok azure import', 'cloud-kms:kek-id': KEK_ID },
  });
  expect(JSON.parse(c.out[2])).toMatchObject({
    keyId: `${VAULT}/keys/orders-byok/fedcba9876543210fedcba9876543210`, keyType: 'RSA-HSM', expiresOn: '2027-12-28T12:00:00.000Z', kekId: KEK_ID,
  });
  expect(c.vault.urls.every((u) => u === VAULT)).toBe(true);
  const printed = [...c.out, ...c.err].join('\n');
  for (const encoding of ['hex', 'base64', 'base64url'] as const) {
    expect(printed).not.toContain(Buffer.from(material).subarray(40, 72).toString(encoding));
  }
  expect(c.err).toEqual([]);
});

test('an EC key into a Managed HSM, with a curve, chosen operations and a fixed expiry', async () => {
  const c = cli();
  const d = dir();
  const hsm = 'https://hsm-custody.managedhsm.azure.net';
  writeFileSync(join(d, 'k.byok'), JSON.stringify({ schema_version: '1.0.0', header: { kid: `${hsm}/keys/kek/1`, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: 'AAAA' }));
  expect(await c.run('byok', 'azure', 'import', '--vault-url', hsm, '--key-name', 'signing', '--byok', join(d, 'k.byok'),
    '--key-type', 'EC-HSM', '--curve', 'P-384', '--key-ops', 'sign, verify', '--expires-at', '2028-01-01T00:00:00Z')).toBe(0);
  expect(c.vault.imports[0].key).toMatchObject({ kty: 'EC-HSM', crv: 'P-384', keyOps: ['sign', 'verify'] });
  expect(c.out[0]).toMatch(/Imported EC-HSM https:\/\/hsm-custody\.managedhsm\.azure\.net\/keys\/signing\/\w+\n {2}operations {2}sign, verify\n {2}expiration {2}expires at 2028-01-01/);
  expect(c.out[0]).toContain('set keyImported: true');
});

describe('bad input is refused before anything reaches Azure', () => {
  const blobFor = (kid: string) => JSON.stringify({ schema_version: '1.0.0', header: { kid, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: 'AAAA' });
  test.each<[string, string[], string | RegExp]>([
    ['no expiry choice', [], 'give exactly one of --expires-in-days, --expires-at or --no-expiry, got none'],
    ['two expiry choices', ['--no-expiry', '--expires-in-days', '30'], 'give exactly one of --expires-in-days, --expires-at or --no-expiry, got --expires-in-days, --no-expiry'],
    ['an expiry in the past', ['--expires-at', '2020-01-01T00:00:00Z'], 'the key expiry 2020-01-01T00:00:00.000Z is in the past; choose a later one'],
    ['a day count that is not one', ['--expires-in-days', '1.5'], '--expires-in-days must be a whole number of days between 1 and 36500, got 1.5'],
    ['a date that is not one', ['--expires-at', 'next tuesday'], '--expires-at must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got next tuesday'],
    ['EC without a curve', ['--no-expiry', '--key-type', 'EC-HSM'], '--curve is required for EC-HSM: one of P-256, P-384, P-521, P-256K'],
    ['a curve on an RSA key', ['--no-expiry', '--curve', 'P-256'], '--curve applies to EC-HSM keys and must be one of P-256, P-384, P-521, P-256K, got P-256 for RSA-HSM'],
    ['a software key type', ['--no-expiry', '--key-type', 'RSA'], '--key-type must be one of RSA-HSM, EC-HSM, oct-HSM, got RSA'],
    ['AES into a vault', ['--no-expiry', '--key-type', 'oct-HSM'], '--key-type oct-HSM (AES) keys can be imported only into a Managed HSM'],
    ['an unknown operation', ['--no-expiry', '--key-ops', 'encrypt,export'], '--key-ops must list operations from encrypt, decrypt, wrapKey, unwrapKey, sign, verify, got encrypt,export'],
    ['a key name Azure rejects', ['--no-expiry', '--key-name', 'orders_key'], '--key-name must be 1 to 127 letters, digits and hyphens, got orders_key'],
    ['a blob wrapped for another vault', ['--no-expiry', '--byok', 'other.byok'],
      '--byok was wrapped for the key-exchange key of https://kv-other.vault.azure.net, not https://kv-orders.vault.azure.net: it can be imported only there'],
    ['a file that is not a .byok blob', ['--no-expiry', '--byok', 'junk.byok'], '--byok is not a .byok transfer blob (JSON with schema_version, header and ciphertext)'],
    ['a vault URL that is not one', ['--no-expiry', '--vault-url', 'https://example.com'], '--vault-url must be a vault or Managed HSM URL such as https://my-vault.vault.azure.net, got https://example.com'],
  ])('%s', async (_what, args, message) => {
    const c = cli();
    const d = dir();
    writeFileSync(join(d, 'key.byok'), blobFor(KEK_ID));
    writeFileSync(join(d, 'other.byok'), blobFor('https://kv-other.vault.azure.net/keys/kek/1'));
    writeFileSync(join(d, 'junk.byok'), 'not json');
    const flags: Record<string, string> = { '--vault-url': VAULT, '--key-name': 'orders-byok', '--byok': join(d, 'key.byok') };
    for (let i = 0; i < args.length; i++) {
      if (args[i] in flags && args[i + 1] !== undefined) {
        flags[args[i]] = args[i] === '--byok' ? join(d, args[i + 1]) : args[i + 1];
        args = [...args.slice(0, i), ...args.slice(i + 2)];
        i--;
      }
    }
    // Each is the command line's fault: a usage error (exit 2), nothing sent to Azure.
    expect(await c.run('byok', 'azure', 'import', ...Object.entries(flags).flat(), ...args)).toBe(2);
    expect(c.err.join()).toBe(`error: ${message}`);
    expect(c.vault.imports).toEqual([]);
  });
});

describe('the key-exchange key is checked', () => {
  test('a key whose operations are not [import] is refused', async () => {
    const c = cli();
    c.vault.kekOps = ['encrypt', 'decrypt', 'import'];
    expect(await c.run('byok', 'azure', 'kek', '--kek-id', KEK_ID, '--out', join(dir(), 'k.pem'))).toBe(1);
    expect(c.err.join()).toBe(`error: ${KEK_ID} is not a key-exchange key: its operations are [encrypt, decrypt, import], a key-exchange key has only [import]`);
  });

  test('an id that is not a key id', async () => {
    const c = cli();
    expect(await c.run('byok', 'azure', 'kek', '--kek-id', 'kek-orders', '--out', join(dir(), 'k.pem'))).toBe(2);
    expect(c.err.join()).toBe('error: --kek-id must be a key identifier such as https://my-vault.vault.azure.net/keys/<name>/<version>, got kek-orders');
  });
});

describe('Azure errors become messages a custodian can act on, with no stack trace', () => {
  test.each<[number, string, RegExp]>([
    [403, 'Forbidden', /^error: Forbidden \(HTTP 403\): access denied: only the ByokImport's importers \(role "cloud-kms key importer"\) may import/],
    [409, 'Conflict', /^error: Conflict \(HTTP 409\): conflict: a deleted key with this name is in soft delete/],
    [400, 'BadParameter', /^error: BadParameter \(HTTP 400\): The key-exchange key is invalid$/],
  ])('HTTP %i', async (status, code, message) => {
    const c = cli();
    // The shape of @azure/core-rest-pipeline's RestError, which the SDK throws.
    c.vault.failWith = Object.assign(new Error('The key-exchange key is invalid\nmore detail'), { name: 'RestError', statusCode: status, code });
    const d = dir();
    writeFileSync(join(d, 'k.byok'), JSON.stringify({ schema_version: '1.0.0', header: { kid: KEK_ID, enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: 'QUJD' }));
    expect(await c.run('byok', 'azure', 'import', '--vault-url', VAULT, '--key-name', 'k', '--byok', join(d, 'k.byok'), '--no-expiry')).toBe(1);
    expect(c.err.join()).toMatch(message);
    expect(c.err.join()).not.toMatch(/\n\s+at /);
    expect(c.err.join()).not.toContain('QUJD');
  });

  test('no credentials', async () => {
    const c = cli();
    c.vault.failWith = Object.assign(new Error('EnvironmentCredential is unavailable'), { name: 'CredentialUnavailableError' });
    expect(await c.run('byok', 'azure', 'kek', '--kek-id', KEK_ID, '--out', join(dir(), 'k.pem'))).toBe(1);
    expect(c.err.join()).toBe('error: no Azure credentials: sign in with `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or certificate');
  });
});

test('help lists the Azure commands', async () => {
  const c = cli();
  expect(await c.run('--help')).toBe(0);
  expect(c.out[0]).toMatch(/byok azure kek[\s\S]*byok azure import/);
  expect(await c.run('byok', 'azure', 'import', '--help')).toBe(0);
  expect(c.out[1]).toContain('--expires-in-days');
});
