import * as crypto from 'crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GcpKmsClient } from '../../src/cli/gcp';
import { CliIo, run } from '../../src/cli/main';
import { aesKeyUnwrapPad } from '../../src/cli/wrap';

const NOW = new Date('2026-11-28T12:00:00Z');
const RING = 'projects/payments-prod/locations/europe-west1/keyRings/ledger';
const KEY = `${RING}/cryptoKeys/ledger-byok`;
const JOB = `${RING}/importJobs/import-1`;

/** Cloud KMS as we play it: it holds the import job's private key and records every import. */
class FakeKms {
  public readonly job = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 });
  public readonly imports: any[] = [];
  public readonly primaries: any[] = [];
  public jobState = 'ACTIVE';
  public jobExpires = new Date('2026-11-30T12:00:00Z');
  public keyTemplate = { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'HSM' };
  public purpose = 'ENCRYPT_DECRYPT';
  public failWith?: Error;

  public client(): GcpKmsClient {
    const kms = this;
    return {
      async getImportJob({ name }: any) {
        if (kms.failWith) throw kms.failWith;
        return [{
          name,
          state: kms.jobState,
          importMethod: 'RSA_OAEP_3072_SHA256_AES_256',
          protectionLevel: 'HSM',
          expireTime: { seconds: String(kms.jobExpires.getTime() / 1000), nanos: 0 },
          publicKey: { pem: kms.job.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
        }];
      },
      async getCryptoKey({ name }: any) {
        return [{ name, purpose: kms.purpose, versionTemplate: kms.keyTemplate }];
      },
      async importCryptoKeyVersion(request: any) {
        kms.imports.push(request);
        return [{ name: `${request.parent}/cryptoKeyVersions/1`, state: 'PENDING_IMPORT', algorithm: request.algorithm, protectionLevel: 'HSM' }];
      },
      async updateCryptoKeyPrimaryVersion(request: any) {
        kms.primaries.push(request);
        return [{}];
      },
    } as unknown as GcpKmsClient;
  }

  /** What Cloud KMS does with the wrapped key: RSA-OAEP-SHA256 for the ephemeral AES key, then AES-KWP. */
  public unwrap(wrapped: Buffer): Buffer {
    const aesKey = crypto.privateDecrypt({ key: this.job.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      wrapped.subarray(0, 384));
    return aesKeyUnwrapPad(aesKey, wrapped.subarray(384));
  }
}

function cli(kms = new FakeKms()) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: () => { throw new Error('the Google Cloud commands never reach AWS'); },
    azureKeys: () => { throw new Error('the Google Cloud commands never reach Azure'); },
    gcpKms: () => kms.client(),
    now: () => NOW,
  };
  return { out, err, kms, run: (...argv: string[]) => run(argv, io) };
}

const dir = () => mkdtempSync(join(tmpdir(), 'cloud-kms-gcp-'));

test('the whole ceremony: job, wrap, import — Cloud KMS recovers exactly our key, and no output shows it', async () => {
  const c = cli();
  const d = dir();
  const material = crypto.randomBytes(32);
  writeFileSync(join(d, 'key.bin'), material);

  expect(await c.run('byok', 'gcp', 'job', '--import-job', JOB, '--out', join(d, 'job.pem'))).toBe(0);
  expect(readFileSync(join(d, 'job.pem'), 'utf8')).toBe(c.kms.job.publicKey.export({ type: 'spki', format: 'pem' }));
  expect(c.out[0]).toContain('--algorithm RSA_OAEP_3072_SHA256_AES_256');
  expect(c.out[0]).toContain('usable until 2026-11-30T12:00:00.000Z');

  expect(await c.run('byok', 'wrap', '--public-key', join(d, 'job.pem'), '--algorithm', 'RSA_OAEP_3072_SHA256_AES_256',
    '--key-material', join(d, 'key.bin'), '--out', join(d, 'wrapped.bin'))).toBe(0);
  expect(await c.run('byok', 'gcp', 'import', '--key', KEY, '--import-job', JOB, '--wrapped-key', join(d, 'wrapped.bin'), '--make-primary', '--json')).toBe(0);

  const [request] = c.kms.imports;
  expect(request).toMatchObject({ parent: KEY, importJob: JOB, algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' });
  expect(c.kms.unwrap(request.wrappedKey).equals(material)).toBe(true);
  expect(c.kms.primaries).toEqual([{ name: KEY, cryptoKeyVersionId: '1' }]);
  expect(JSON.parse(c.out[2])).toEqual({
    version: `${KEY}/cryptoKeyVersions/1`, state: 'PENDING_IMPORT', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'HSM', primary: true,
  });
  const printed = [...c.out, ...c.err].join('\n');
  for (const encoding of ['hex', 'base64'] as const) expect(printed).not.toContain(material.toString(encoding));
  expect(c.err).toEqual([]);
});

describe('refused before anything is imported', () => {
  test.each<[string, (k: FakeKms) => void, string[], string | RegExp]>([
    ['an expired job', (k) => { k.jobExpires = new Date('2026-11-27T00:00:00Z'); }, [],
      `import job ${JOB} expired at 2026-11-27T00:00:00.000Z: change the ByokImport's importJobId and deploy to get a new one`],
    ['a job still generating', (k) => { k.jobState = 'PENDING_GENERATION'; }, [], `import job ${JOB} is still generating its key; try again in a minute`],
    ['a job in another key ring', () => undefined, ['--import-job', 'projects/payments-prod/locations/europe-west1/keyRings/other/importJobs/j'],
      `the import job must be in the key's key ring (${RING}), got one in projects/payments-prod/locations/europe-west1/keyRings/other`],
    ['a key name that is not one', () => undefined, ['--key', 'ledger-byok'],
      '--key must be a full resource name such as projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>, got ledger-byok'],
    ['a software key', (k) => { k.keyTemplate = { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'SOFTWARE' }; }, [],
      `key ${KEY} has protection level SOFTWARE; the import job makes HSM versions`],
    ['--make-primary on a signing key', (k) => { k.purpose = 'ASYMMETRIC_SIGN'; }, ['--make-primary'],
      `--make-primary applies to symmetric (ENCRYPT_DECRYPT) keys; ${KEY} is ASYMMETRIC_SIGN`],
    ['material wrapped for nothing', () => undefined, ['--wrapped-key', 'short.bin'],
      /--wrapped-key holds 32 bytes, too few for RSA_OAEP_3072_SHA256_AES_256 \(at least 408\)/],
  ])('%s', async (what, setup, args, message) => {
    const c = cli();
    setup(c.kms);
    const d = dir();
    writeFileSync(join(d, 'wrapped.bin'), crypto.randomBytes(424));
    writeFileSync(join(d, 'short.bin'), crypto.randomBytes(32));
    const flags: Record<string, string> = { '--key': KEY, '--import-job': JOB, '--wrapped-key': join(d, 'wrapped.bin') };
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] in flags) flags[args[i]] = args[i] === '--wrapped-key' ? join(d, args[++i]) : args[++i];
      else rest.push(args[i]);
    }
    // The command line's own faults are usage errors (exit 2); the rest are what Cloud KMS reports of the key or job.
    const usage = ['a job in another key ring', 'a key name that is not one', 'material wrapped for nothing'].includes(what);
    expect(await c.run('byok', 'gcp', 'import', ...Object.entries(flags).flat(), ...rest)).toBe(usage ? 2 : 1);
    if (typeof message === 'string') expect(c.err.join()).toBe(`error: ${message}`);
    else expect(c.err.join()).toMatch(message);
    expect(c.kms.imports).toEqual([]);
  });
});

describe('Google Cloud errors become messages a custodian can act on', () => {
  test.each<[number, RegExp]>([
    [7, /^error: PERMISSION_DENIED: permission denied: only the ByokImport's importers \(Cloud KMS Importer on the key ring\) may import$/],
    [3, /^error: INVALID_ARGUMENT: Cloud KMS rejected the request/],
    [16, /^error: UNAUTHENTICATED: not authenticated/],
  ])('gRPC %i', async (code, message) => {
    const c = cli();
    c.kms.failWith = Object.assign(new Error('boom'), { code, details: 'detail from the service' });
    expect(await c.run('byok', 'gcp', 'job', '--import-job', JOB, '--out', join(dir(), 'j.pem'))).toBe(1);
    expect(c.err.join()).toMatch(message);
    expect(c.err.join()).not.toMatch(/\n\s+at /);
  });

  test('no credentials', async () => {
    const c = cli();
    c.kms.failWith = new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication');
    expect(await c.run('byok', 'gcp', 'job', '--import-job', JOB, '--out', join(dir(), 'j.pem'))).toBe(1);
    expect(c.err.join()).toBe('error: no Google credentials: run `gcloud auth application-default login` as one of the importers, or set GOOGLE_APPLICATION_CREDENTIALS');
  });
});

test('help lists the Google Cloud commands', async () => {
  const c = cli();
  expect(await c.run('--help')).toBe(0);
  expect(c.out[0]).toMatch(/byok gcp job[\s\S]*byok gcp import/);
});
