import * as crypto from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyPolicyCommand, GetParametersForImportCommand,
  ImportKeyMaterialCommand, KMSClient, ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { verifyReplicas } from '../../src/cli/aws-multi-region';
import { replicationRefusal } from '../../src/cli/aws-replication-policy';
import { CliIo, run } from '../../src/cli/main';
import { WrapAlgorithm, wrapKeyMaterial } from '../../src/cli/wrap';
import { CREDENTIALS } from '../support/moto';
import { MotoKmsImport, startMotoKmsImport } from '../support/moto-kms-import';

// moto 5.2.1 has no GetParametersForImport/ImportKeyMaterial and its replicas cannot decrypt a primary's ciphertext;
// moto_kms_import.py (the test's own server) adds them with AWS KMS's rules: each Region's key holds what was imported
// into it, and a replica decrypts only when it holds the primary's material.
jest.setTimeout(120_000);

/** A 2048-bit wrapping key: the stand-in makes one per GetParametersForImport (the happy path keeps the RSA_4096 default). */
const FAST = ['--wrapping-key-spec', 'RSA_2048'];

const PRIMARY = 'us-east-1';
const EXPIRY = new Date(Date.now() + 180 * 86_400_000);
EXPIRY.setUTCMilliseconds(0);
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'KeyAdministrators', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/KeyAdmin' }, Action: 'kms:*', Resource: '*' }],
});

let moto: MotoKmsImport;
beforeAll(async () => { moto = await startMotoKmsImport(); });
afterAll(() => moto?.stop());

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    kms: (o) => new KMSClient({ region: o.region ?? PRIMARY, endpoint: o.endpoint, credentials: CREDENTIALS, maxAttempts: 1 }),
    azureKeys: () => { throw new Error('never Azure'); },
    gcpKms: () => { throw new Error('never Google Cloud'); },
    now: () => new Date(),
  };
  return { io, out, err, all: () => [...out, ...err].join('\n'), run: (...argv: string[]) => run([...argv, '--endpoint', moto.endpoint], io) };
}

/** A multi-Region BYOK primary (as aws.ByokImport tags it) with replicas in the given Regions. */
async function primaryWithReplicas(regions: string[], policy = POLICY): Promise<{ keyId: string; arn: string }> {
  const { KeyMetadata: m } = await moto.kms(PRIMARY).send(new CreateKeyCommand({
    MultiRegion: true,
    Origin: 'EXTERNAL',
    Policy: policy,
    Tags: [{ TagKey: 'cloud-kms:key-material-expiry', TagValue: EXPIRY.toISOString() }],
  }));
  for (const region of regions) await moto.kms(PRIMARY).send(new ReplicateKeyCommand({ KeyId: m!.KeyId, ReplicaRegion: region }));
  return { keyId: m!.KeyId!, arn: m!.Arn! };
}

/** Two custodians' components on disk and the key they combine to (which only the test knows). */
function components(): { files: string[]; combined: Buffer; raw: Buffer[] } {
  const d = mkdtempSync(join(tmpdir(), 'cli-mrk-'));
  const raw = [crypto.randomBytes(32), crypto.randomBytes(32)];
  const files = raw.map((c, i) => { const f = join(d, `custodian-${i + 1}.bin`); writeFileSync(f, c); return f; });
  const combined = Buffer.alloc(32);
  // eslint-disable-next-line no-bitwise
  for (let i = 0; i < 32; i++) combined[i] = raw[0][i] ^ raw[1][i];
  return { files, combined, raw };
}

const componentArgs = (files: string[]) => files.flatMap((f) => ['--component', f]);

function expectNoSecret(text: string, secrets: Buffer[]): void {
  for (const s of secrets) {
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      expect(text).not.toContain(s.toString(encoding));
      expect(text.toLowerCase()).not.toContain(s.toString(encoding).toLowerCase().slice(0, 24));
    }
  }
}

/** Decrypts, in `region`, a ciphertext made under the primary: the interoperability the ceremony promises. */
async function replicaDecrypts(keyId: string, region: string): Promise<boolean> {
  const plaintext = crypto.randomBytes(16);
  const { CiphertextBlob } = await moto.kms(PRIMARY).send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
  try {
    const res = await moto.kms(region).send(new DecryptCommand({ CiphertextBlob, KeyId: keyId }));
    return Buffer.from(res.Plaintext!).equals(plaintext);
  } catch {
    return false;
  }
}

/** A custodian acting alone imports material of their own into one replica, with the SDK and no ceremony. */
async function rogueImport(keyId: string, region: string, material: Buffer): Promise<void> {
  const client = moto.kms(region);
  const p = await client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const publicKey = crypto.createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
  await client.send(new ImportKeyMaterialCommand({
    KeyId: keyId,
    ImportToken: p.ImportToken,
    ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    EncryptedKeyMaterial: wrapKeyMaterial({ algorithm: WrapAlgorithm.RSAES_OAEP_SHA_256, publicKey, material }),
  }));
}

const stateIn = async (keyId: string, region: string) => (await moto.kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

describe('cloud-kms byok aws multi-region', () => {
  test('happy path: the same material into the primary and 2 replicas, each verified, with the primary\'s expiry', async () => {
    const key = await primaryWithReplicas(['eu-west-1', 'ap-southeast-2']);
    const { files, combined, raw } = components();
    const c = cli();
    const code = await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files),
      '--replica-region', 'eu-west-1', '--replica-region', 'ap-southeast-2', '--json');
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const r = JSON.parse(c.out[0]);
    expect(r).toMatchObject({ keyId: key.keyId, material: 'AES-256', components: 2, verified: true, validTo: EXPIRY.toISOString() });
    expect(r.regions.map((x: any) => [x.region, x.role, x.imported, x.verified])).toEqual([
      ['us-east-1', 'primary', true, undefined], ['eu-west-1', 'replica', true, true], ['ap-southeast-2', 'replica', true, true],
    ]);
    for (const region of [PRIMARY, 'eu-west-1', 'ap-southeast-2']) {
      const m = await stateIn(key.keyId, region);
      expect([m.KeyState, m.ExpirationModel, m.ValidTo?.toISOString()]).toEqual(['Enabled', 'KEY_MATERIAL_EXPIRES', EXPIRY.toISOString()]);
    }
    expect(await replicaDecrypts(key.keyId, 'eu-west-1')).toBe(true);
    expect(await replicaDecrypts(key.keyId, 'ap-southeast-2')).toBe(true);
    expectNoSecret(c.all(), [combined, ...raw]);
  });

  test('a replica KMS lists but --replica-region does not name is imported all the same (and said so)', async () => {
    const key = await primaryWithReplicas(['eu-west-1', 'ap-southeast-2']);
    const { files } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files), '--replica-region', 'eu-west-1', ...FAST)).toBe(0);
    expect(c.err).toEqual(['note: imported into the replica in ap-southeast-2 too, which --replica-region did not name']);
    expect(c.out[0]).toMatch(/ap-southeast-2 +replica +imported, verified/);
    expect((await stateIn(key.keyId, 'ap-southeast-2')).KeyState).toBe('Enabled');
    expect(await replicaDecrypts(key.keyId, 'ap-southeast-2')).toBe(true);
  });

  test('a custodian who imported other material into one replica is caught: exit 1 naming the Region, the other replica still verified', async () => {
    const key = await primaryWithReplicas(['eu-west-1', 'ap-southeast-2']);
    const rogue = crypto.randomBytes(32);
    await rogueImport(key.keyId, 'ap-southeast-2', rogue);
    const { files, combined, raw } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.keyId, ...componentArgs(files), '--json', ...FAST)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^error: the replica in ap-southeast-2 \(arn:aws:kms:ap-southeast-2:\d{12}:key\/mrk-[0-9a-f-]+\) does not hold the primary's key material: /);
    // KMS refused the import, and, independently, the test ciphertext did not decrypt there.
    expect(c.err[0]).toContain('import failed (IncorrectKeyMaterialException');
    expect(c.err[0]).toContain('the replica could not decrypt the primary\'s test ciphertext (InvalidCiphertextException)');
    const r = JSON.parse(c.out[0]);
    expect(r.verified).toBe(false);
    expect(r.regions.find((x: any) => x.region === 'eu-west-1')).toMatchObject({ imported: true, verified: true });
    expect(r.regions.find((x: any) => x.region === 'ap-southeast-2')).toMatchObject({ imported: false, verified: false });
    expectNoSecret(c.all(), [combined, rogue, ...raw]);
  });

  test('material the primary does not hold is refused at the primary, before any replica is touched', async () => {
    const key = await primaryWithReplicas(['eu-west-1']);
    await rogueImport(key.keyId, PRIMARY, crypto.randomBytes(32));
    const { files, combined } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files))).toBe(1);
    expect(c.err).toEqual(['error: importing into the primary in us-east-1 failed, so no replica was created or imported into: ' +
      'IncorrectKeyMaterialException: the wrapped material does not match the key (wrong material, wrapping key or algorithm)']);
    expect((await stateIn(key.keyId, 'eu-west-1')).KeyState).toBe('PendingImport');
    expectNoSecret(c.all(), [combined]);
  });

  test('--create-replicas creates a missing replica with the primary\'s key policy, then imports and verifies it', async () => {
    const key = await primaryWithReplicas(['eu-west-1']);
    const { files } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files),
      '--replica-region', 'eu-west-1', '--replica-region', 'eu-central-1', '--create-replicas', '--no-expiry', '--json', ...FAST)).toBe(0);
    const r = JSON.parse(c.out[0]);
    expect(r.regions.find((x: any) => x.region === 'eu-central-1')).toMatchObject({ created: true, imported: true, verified: true });
    const policy = await moto.kms('eu-central-1').send(new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'default' }));
    expect(JSON.parse(policy.Policy!)).toEqual(JSON.parse(POLICY));
    expect((await stateIn(key.keyId, 'eu-central-1')).ExpirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
    expect(await replicaDecrypts(key.keyId, 'eu-central-1')).toBe(true);
  });

  test('--create-replicas on a key whose policy lets only the deployment principal replicate is refused before anything is imported', async () => {
    // The library's key policy (SID DenyReplicationExceptDeployment): KMS runs ReplicateKey as the importer, and denies it.
    const deployer = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-us-east-1';
    const guarded = JSON.stringify({
      Version: '2012-10-17',
      Statement: [...JSON.parse(POLICY).Statement, {
        Sid: 'DenyReplicationExceptDeployment',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['kms:ReplicateKey', 'kms:UpdatePrimaryRegion'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [deployer] } },
      }],
    });
    const key = await primaryWithReplicas(['eu-west-1'], guarded);
    const { files, combined } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files),
      '--replica-region', 'eu-west-1', '--replica-region', 'eu-central-1', '--create-replicas', '--no-expiry', ...FAST)).toBe(1);
    expect(c.err).toEqual([`error: --create-replicas (nothing imported): only ${deployer} may replicate this key ` +
      '(statement DenyReplicationExceptDeployment), not you: create replicas with aws.ReplicaKey or the gate (see --help)']);
    expect((await stateIn(key.keyId, PRIMARY)).KeyState).toBe('PendingImport');
    expect((await stateIn(key.keyId, 'eu-west-1')).KeyState).toBe('PendingImport');
    await expect(stateIn(key.keyId, 'eu-central-1')).rejects.toThrow();
    expectNoSecret(c.all(), [combined]);
  });

  test('a dual-control key is refused before anything is imported: only the gate\'s executor imports its material', async () => {
    const executor = 'arn:aws:iam::123456789012:role/GateExecutor';
    const gated = JSON.stringify({
      Version: '2012-10-17',
      Statement: [...JSON.parse(POLICY).Statement, {
        Sid: 'DenyDualControlOperationsExceptExecutor',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['kms:PutKeyPolicy', 'kms:ImportKeyMaterial', 'kms:ReplicateKey'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [executor] } },
      }],
    });
    const key = await primaryWithReplicas(['eu-west-1'], gated);
    const { files, combined } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files), '--no-expiry', ...FAST)).toBe(1);
    expect(c.err).toEqual([`error: key ${key.arn} is under dual control: only the dual-control gate's executor imports its material ` +
      '(nothing imported); propose a gated ImportKeyMaterial per Region (docs/ceremonies.md)']);
    expect((await stateIn(key.keyId, PRIMARY)).KeyState).toBe('PendingImport');
    expect((await stateIn(key.keyId, 'eu-west-1')).KeyState).toBe('PendingImport');
    expectNoSecret(c.all(), [combined]);
  });

  test('a Region that holds no replica is refused before anything is imported', async () => {
    const key = await primaryWithReplicas(['eu-west-1']);
    const { files } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files), '--replica-region', 'eu-central-1')).toBe(2);
    expect(c.err).toEqual([`error: --replica-region eu-central-1: key ${key.keyId} has no replica there (its replicas: eu-west-1); ` +
      'give --create-replicas to create one with the primary\'s key policy']);
    expect((await stateIn(key.keyId, PRIMARY)).KeyState).toBe('PendingImport');
  });

  test.each<[string, string[], number, RegExp]>([
    ['a malformed Region', ['--replica-region', 'EU-WEST-1'], 2, /^error: --replica-region must be an AWS region such as us-east-1, got EU-WEST-1$/],
    ['the primary\'s own Region', ['--replica-region', 'us-east-1'], 2, /^error: --replica-region us-east-1 is the primary's Region/],
    ['a Region twice', ['--replica-region', 'eu-west-1', '--replica-region', 'eu-west-1'], 2, /^error: --replica-region lists eu-west-1 twice$/],
    ['--create-replicas without a Region', ['--create-replicas'], 2, /^error: --create-replicas needs a --replica-region/],
    ['a --region that contradicts the ARN', ['--region', 'eu-west-1'], 2, /^error: --key-id .* is in us-east-1, but --region is eu-west-1/],
  ])('%s is a clear usage error', async (_name, extra, exitCode, message) => {
    const key = await primaryWithReplicas(['eu-west-1']);
    const { files } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files), ...extra)).toBe(exitCode);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(message);
    expect((await stateIn(key.keyId, PRIMARY)).KeyState).toBe('PendingImport');
  });

  test('a replica, a single-Region key and a key with no replicas are refused with what to do instead', async () => {
    const key = await primaryWithReplicas(['eu-west-1']);
    const { files } = components();
    const replicaArn = key.arn.replace(':us-east-1:', ':eu-west-1:');
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', replicaArn, ...componentArgs(files))).toBe(1);
    expect(c.err.pop()).toBe(`error: key ${replicaArn} is a replica; give its primary key ${key.arn}: material goes into the primary first`);
    const single = (await moto.kms(PRIMARY).send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', single, ...componentArgs(files))).toBe(1);
    expect(c.err.pop()).toMatch(/is a single-Region key: .*use `cloud-kms byok aws import`$/);
    const lonely = await primaryWithReplicas([]);
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', lonely.keyId, ...componentArgs(files))).toBe(1);
    expect(c.err.pop()).toMatch(/has no replicas: create them/);
  });

  test('--help names the flags, and the byok group lists the command', async () => {
    const c = cli();
    expect(await run(['byok', 'aws', 'multi-region', '--help'], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/--replica-region <region>[\s\S]*--create-replicas/);
    expect(await run(['byok', 'aws'], c.io)).toBe(0);
    expect(c.out[1]).toContain('cloud-kms byok aws multi-region');
  });
});

describe('--verify-only: a second person checks, with no material', () => {
  test('a custodian acting alone who imported other material into a replica created later is caught, by Region', async () => {
    const key = await primaryWithReplicas(['eu-west-1']);
    const { files, combined, raw } = components();
    expect(await cli().run('byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files), '--wrapping-key-spec', 'RSA_2048')).toBe(0);
    // Later, one custodian replicates the key and imports material of their own into the new replica.
    await moto.kms(PRIMARY).send(new ReplicateKeyCommand({ KeyId: key.keyId, ReplicaRegion: 'sa-east-1' }));
    const rogue = crypto.randomBytes(32);
    await rogueImport(key.keyId, 'sa-east-1', rogue);
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', key.arn, '--verify-only')).toBe(1);
    expect(c.err).toEqual([`error: the replica in sa-east-1 (${key.arn.replace(':us-east-1:', ':sa-east-1:')}) does not hold the primary's key material: ` +
      'the replica could not decrypt the primary\'s test ciphertext (InvalidCiphertextException); do not use the key there']);
    expect(c.out[0]).toMatch(/^Checked multi-Region key mrk-[0-9a-f]{32}\n {2}us-east-1 +primary +\n {2}eu-west-1 +replica +verified\n {2}sa-east-1 +replica +NOT VERIFIED\nFAILED/);
    expectNoSecret(c.all(), [combined, rogue, ...raw]);
    const ok = cli();
    expect(await ok.run('byok', 'aws', 'multi-region', '--key-id', key.arn, '--verify-only', '--replica-region', 'eu-west-1')).toBe(1);
    expect(ok.err.join('\n')).toContain('the replica in sa-east-1');
  });

  test('--verify-only takes no material and no import option', async () => {
    const { files } = components();
    const c = cli();
    expect(await c.run('byok', 'aws', 'multi-region', '--key-id', 'mrk-0123456789abcdef0123456789abcdef', '--verify-only', ...componentArgs(files), '--no-expiry')).toBe(2);
    expect(c.err).toEqual(['error: --verify-only imports nothing: leave out --component, --no-expiry']);
  });

  test('an importer who may not Encrypt gets the material imported everywhere, exit 1, and who must verify', async () => {
    const key = await primaryWithReplicas(['eu-west-1']);
    const { files } = components();
    const c = cli();
    const io: CliIo = {
      ...c.io,
      kms: (o) => {
        const client = c.io.kms(o);
        client.middlewareStack.add((next, context) => async (args) => {
          if (context.commandName === 'EncryptCommand') throw Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: {} });
          return next(args);
        }, { step: 'initialize' });
        return client;
      },
    };
    expect(await run(['byok', 'aws', 'multi-region', '--key-id', key.arn, ...componentArgs(files), '--wrapping-key-spec', 'RSA_2048',
      '--endpoint', moto.endpoint, '--json'], io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^error: the test encryption under the primary .* failed \(AccessDeniedException\), so no replica is verified: .*--verify-only`$/);
    expect(JSON.parse(c.out[0]).regions.map((r: any) => [r.region, r.imported, r.verified])).toEqual([['us-east-1', true, undefined], ['eu-west-1', true, false]]);
    expect(await replicaDecrypts(key.keyId, 'eu-west-1')).toBe(true);
  });
});

describe('the verification cannot be satisfied by another key, another plaintext, or a reply it did not ask for', () => {
  const primary = { region: 'us-east-1', arn: 'arn:aws:kms:us-east-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef' };
  const replica = { region: 'eu-west-1', arn: primary.arn.replace(':us-east-1:', ':eu-west-1:') };

  /** A KMS whose Decrypt answers as `decrypt` says, recording the plaintext the verification encrypted. */
  function fakeKms(decrypt: (plaintext: Uint8Array) => { KeyId?: string; Plaintext?: Uint8Array }) {
    const sent: { plaintext?: Uint8Array; regions: string[] } = { regions: [] };
    const clientFor = (region: string) => ({
      send: async (command: any) => {
        sent.regions.push(`${region} ${command.constructor.name}`);
        if (command instanceof EncryptCommand) {
          sent.plaintext = command.input.Plaintext;
          return { CiphertextBlob: Buffer.from('ciphertext'), KeyId: primary.arn };
        }
        return decrypt(Buffer.from(sent.plaintext!));
      },
    }) as unknown as KMSClient;
    return { sent, clientFor };
  }

  test('the replica\'s own answer with the same plaintext passes; the random plaintext is zeroed afterwards', async () => {
    const { sent, clientFor } = fakeKms((p) => ({ KeyId: replica.arn, Plaintext: p }));
    expect(await verifyReplicas(clientFor, primary, [replica])).toEqual({});
    expect(sent.regions).toEqual(['us-east-1 EncryptCommand', 'eu-west-1 DecryptCommand']);
    expect(sent.plaintext).toHaveLength(32);
    expect(Buffer.from(sent.plaintext!).equals(Buffer.alloc(32))).toBe(true);
  });

  test.each<[string, (p: Uint8Array) => { KeyId?: string; Plaintext?: Uint8Array }, string]>([
    ['a reply from the primary (an endpoint that routes every Region to one key)', (p) => ({ KeyId: primary.arn, Plaintext: p }),
      `the test decryption was answered by ${primary.arn}, not the replica`],
    ['another plaintext', () => ({ KeyId: replica.arn, Plaintext: crypto.randomBytes(32) }),
      'the replica decrypted the primary\'s test ciphertext to a different plaintext'],
    ['a shorter plaintext', (p) => ({ KeyId: replica.arn, Plaintext: p.subarray(0, 16) }),
      'the replica decrypted the primary\'s test ciphertext to a different plaintext'],
  ])('%s fails, by Region, without the plaintext in the reason', async (_name, decrypt, reason) => {
    const { sent, clientFor } = fakeKms(decrypt);
    const failures = await verifyReplicas(clientFor, primary, [replica]);
    expect(failures).toEqual({ 'eu-west-1': reason });
    expect(Buffer.from(sent.plaintext!).equals(Buffer.alloc(32))).toBe(true);
  });
});

describe('replicationRefusal reads what a key policy refuses to a caller it cannot name', () => {
  const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const deny = (extra: object) => ({ Sid: 'S', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ReplicateKey', Resource: '*', ...extra });

  test('a deny for everyone, a Region list, and nothing to refuse', () => {
    expect(replicationRefusal(policy(deny({})), ['eu-west-1'])).toBe('the key policy denies kms:ReplicateKey to everyone (statement S)');
    const regional = policy(deny({ Condition: { StringNotEquals: { 'kms:ReplicaRegion': ['eu-west-1'] } } }));
    expect(replicationRefusal(regional, ['eu-central-1'])).toBe('the key policy allows replicas only in eu-west-1 (statement S), not eu-central-1');
    expect(replicationRefusal(regional, ['eu-west-1'])).toBeUndefined();
    expect(replicationRefusal(POLICY, ['eu-west-1'])).toBeUndefined();
    // A deny of other actions, or for a named principal only, is not a refusal for everyone.
    expect(replicationRefusal(policy({ ...deny({}), Action: 'kms:ScheduleKeyDeletion' }), ['eu-west-1'])).toBeUndefined();
    expect(replicationRefusal(policy({ ...deny({}), Action: 'kms:*' }), ['eu-west-1'])).toMatch(/denies kms:ReplicateKey to everyone/);
  });
});
