import { randomBytes } from 'crypto';
import { Readable } from 'stream';
import { buffer as collect } from 'stream/consumers';
import { buildClient, CommitmentPolicy, getClient, KmsKeyringNode } from '@aws-crypto/client-node';
import { KMS, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { AlgorithmSuite, AwsKmsKeyring, Envelope } from '../../src/envelope';
import { CREDENTIALS, Moto, REGION, startMoto } from '../support/moto';
import { chunked } from '../support/streams';

// The contract: our messages decrypt with the AWS Encryption SDK's KMS keyring and the SDK's decrypt with ours,
// against the same moto key. The SDK runs with its strictest commitment policy.
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
let moto: Moto;
let arn: string;
let sdkKeyring: KmsKeyringNode;
let keyring: AwsKmsKeyring;

beforeAll(async () => {
  moto = await startMoto();
  arn = await moto.createKey('interop');
  sdkKeyring = new KmsKeyringNode({
    generatorKeyId: arn,
    clientProvider: getClient(KMS, { endpoint: moto.endpoint, credentials: CREDENTIALS, region: REGION } as any),
  });
  keyring = new AwsKmsKeyring({ generatorKeyId: arn, client: moto.kms() });
});
afterAll(() => moto?.stop());

const SUITES = [
  ['0x0478', AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY],
  ['0x0578', AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384],
] as const;

const LARGE_CONTEXT = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key-${i}-é`, `value ${i} ${'x'.repeat(i * 5)} ✓`]));
const CONTEXTS: [string, Record<string, string>][] = [['empty context', {}], ['one entry', { tenant: 'acme' }], ['large UTF-8 context', LARGE_CONTEXT]];
const SIZES: [string, number, number][] = [
  ['0 bytes', 0, 4096], ['1 byte', 1, 4096], ['4095 bytes: one byte under a frame', 4095, 4096], ['4096 bytes: exactly one frame', 4096, 4096],
  ['4097 bytes: one byte over a frame', 4097, 4096], ['12288 bytes: exactly three frames', 3 * 4096, 4096], ['200003 bytes: many frames', 200_003, 4096],
  ['300 bytes in 1-byte frames', 300, 1], ['10000 bytes in 7-byte frames', 10_000, 7], ['1 MB in 64 KiB frames', 1_000_000, 65_536],
];

describe.each(SUITES)('suite %s', (_name, suite) => {
  test.each(CONTEXTS)('the SDK decrypts ours, and we decrypt the SDK\'s: %s', async (_c, context) => {
    const env = new Envelope({ keyring, suite });
    const plaintext = randomBytes(5000);
    const ours = await env.encrypt(plaintext, context);
    const bySdk = await sdk.decrypt(sdkKeyring, ours);
    expect(bySdk.plaintext.equals(plaintext)).toBe(true);
    expect(bySdk.messageHeader.suiteId).toBe(suite);
    expect(bySdk.messageHeader.encryptionContext).toMatchObject(context);

    const theirs = await sdk.encrypt(sdkKeyring, plaintext, { encryptionContext: context, suiteId: suite as any });
    const byUs = await env.decrypt(theirs.result);
    expect(byUs.plaintext.equals(plaintext)).toBe(true);
    expect(byUs.context).toEqual(context);
    expect(byUs.suite).toBe(suite);
  });

  test.each(SIZES)('%s', async (_s, size, frameLength) => {
    const env = new Envelope({ keyring, suite, frameLength });
    const plaintext = randomBytes(size);
    const ours = await env.encrypt(plaintext, { size: String(size) });
    expect((await sdk.decrypt(sdkKeyring, ours)).plaintext.equals(plaintext)).toBe(true);
    const theirs = await sdk.encrypt(sdkKeyring, plaintext, { encryptionContext: { size: String(size) }, suiteId: suite as any, frameLength });
    const byUs = await env.decrypt(theirs.result);
    expect(byUs.plaintext.equals(plaintext)).toBe(true);
    expect(byUs.frameLength).toBe(frameLength);
  });

  test('streams: our stream decrypts with the SDK; the SDK\'s stream decrypts with our stream', async () => {
    const env = new Envelope({ keyring, suite });
    const plaintext = randomBytes(3 * 1024 * 1024 + 123);
    const chunks = () => chunked(plaintext, 50_000);
    const ours = await collect(chunks().pipe(env.encryptStream({ stream: 'yes' }, { frameLength: 65_536 })));
    expect((await sdk.decrypt(sdkKeyring, ours)).plaintext.equals(plaintext)).toBe(true);

    const theirs = await collect(chunks().pipe(sdk.encryptStream(sdkKeyring, { encryptionContext: { stream: 'yes' }, suiteId: suite as any })));
    const decrypt = env.decryptStream({ expectedContext: { stream: 'yes' } });
    let header: any;
    decrypt.on('header', (h) => { header = h; });
    const byUs = await collect(Readable.from([theirs.subarray(0, 1000), theirs.subarray(1000, 77_777), theirs.subarray(77_777)]).pipe(decrypt));
    expect(byUs.equals(plaintext)).toBe(true);
    expect(header).toEqual({ context: { stream: 'yes' }, suite, frameLength: 4096 });
  });
});

test('ours carries the context to KMS: the SDK reads the same context the key policy saw', async () => {
  const env = new Envelope({ keyring });
  const msg = await env.encrypt(Buffer.from('x'), { 'department': 'payments', 'data-class': 'pci' });
  expect((await sdk.decrypt(sdkKeyring, msg)).messageHeader.encryptionContext).toEqual({ 'department': 'payments', 'data-class': 'pci' });
});

test('a key rotated in KMS still decrypts data encrypted before the rotation', async () => {
  const env = new Envelope({ keyring });
  const before = await env.encrypt(Buffer.from('before rotation'), { t: '1' });
  const sdkBefore = (await sdk.encrypt(sdkKeyring, Buffer.from('sdk before'), { encryptionContext: { t: '1' } })).result;
  await moto.kms().send(new RotateKeyOnDemandCommand({ KeyId: arn }));
  expect((await env.decrypt(before)).plaintext.toString()).toBe('before rotation');
  expect((await env.decrypt(sdkBefore)).plaintext.toString()).toBe('sdk before');
  expect((await sdk.decrypt(sdkKeyring, await env.encrypt(Buffer.from('after'), { t: '2' }))).plaintext.toString()).toBe('after');
});
