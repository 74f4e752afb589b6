import { randomBytes } from 'crypto';
import { join } from 'path';
import { AwsKmsMrkAwareSymmetricKeyringNode, buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { createHandler, ENV, keyringFor } from '../../../src/aws/handlers/envelope-handler';
import { AwsKmsKeyring, AwsKmsMrkAwareKeyring, Envelope, Keyring } from '../../../src/envelope';
import { ACCOUNT, AwsKmsStandIn, STANDIN_CREDENTIALS } from '../../support/aws-kms-standin';

/*
 * The envelope function deployed in region B with a multi-Region key: it decrypts messages whose data keys name the
 * primary in region A by calling KMS in its own region with its replica's ARN, the only key its role is granted. The
 * caller writes the event by hand: no EDK it invents makes the function call KMS in another region, with another
 * account's key or with another key at all. KMS is the loopback stand-in whose replicas share the primary's material
 * (moto 5.2.1's replicas cannot decrypt the primary's ciphertexts).
 */
const A = 'us-east-1';
const B = 'eu-central-1';
const OTHER_ACCOUNT = '444455556666';
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const saved = { ...process.env };
let kms: AwsKmsStandIn;
let primary: string;
let replica: string;

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const inB = (keyArn: string) => createHandler({
  ...process.env, AWS_REGION: B, [ENV.KEY_ARN]: keyArn, [ENV.REQUIRED_CONTEXT_KEYS]: 'tenant', [ENV.CACHE_MAX_AGE_MS]: '0',
}, () => undefined);

beforeAll(async () => {
  kms = await new AwsKmsStandIn().start();
  primary = kms.createKey(A, { multiRegion: true });
  replica = kms.replicate(primary, B);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    AWS_ACCESS_KEY_ID: STANDIN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STANDIN_CREDENTIALS.secretAccessKey,
  });
});
afterAll(async () => {
  process.env = saved;
  await kms?.stop();
});
beforeEach(() => { kms.calls.length = 0; });

/** A message encrypted in region A under the primary, by our keyring or the SDK's. */
async function fromRegionA(by: 'ours' | 'sdk', plaintext: string): Promise<string> {
  if (by === 'ours') {
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: primary, clients: { [A]: kms.client(A) } });
    return b64(await new Envelope({ keyring }).encrypt(Buffer.from(plaintext), { tenant: 'acme' }));
  }
  const keyring = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: primary, client: kms.sdkClient(A) as any });
  return b64((await sdk.encrypt(keyring, Buffer.from(plaintext), { encryptionContext: { tenant: 'acme' } })).result);
}

describe('a function in region B configured (by the construct) with the replica in B', () => {
  test.each(['ours', 'sdk'] as const)('decrypts a message encrypted under the primary in A (by %s) with one Decrypt, in B, under the replica', async (by) => {
    const ciphertext = await fromRegionA(by, 'paid in full');
    kms.calls.length = 0;
    const res = await inB(replica)({ operation: 'decrypt', ciphertext, context: { tenant: 'acme' } });
    expect(res).toEqual({ ok: true, plaintext: b64('paid in full'), context: { tenant: 'acme' } });
    expect(kms.calls).toEqual([{ operation: 'Decrypt', region: B, keyId: replica }]);
  });

  test('encrypts under the replica in B, and the SDK decrypts that with the primary in A', async () => {
    const enc = await inB(replica)({ operation: 'encrypt', plaintext: b64('from B'), context: { tenant: 'acme' } });
    expect(kms.calls).toEqual([{ operation: 'GenerateDataKey', region: B, keyId: replica }]);
    const sdkPrimary = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: primary, client: kms.sdkClient(A) as any });
    const bySdk = await sdk.decrypt(sdkPrimary, Buffer.from(enc.ciphertext, 'base64'));
    expect(bySdk.plaintext.toString()).toBe('from B');
    expect(bySdk.messageHeader.encryptedDataKeys.map((e) => e.providerInfo)).toEqual([replica]);
  });
});

test('the handler never changes the configured ARN: what it calls is what the construct granted', async () => {
  const ciphertext = await fromRegionA('ours', 'x');
  kms.calls.length = 0;
  // Configured with the primary (which the construct never does for a function in B), it calls the primary, in A.
  expect(await inB(primary)({ operation: 'decrypt', ciphertext, context: { tenant: 'acme' } })).toMatchObject({ ok: true });
  expect(kms.calls).toEqual([{ operation: 'Decrypt', region: A, keyId: primary }]);
});

/** A well-formed message whose only data keys name the given KMS keys (a caller can write any EDK it likes). */
async function messageNaming(arns: string[]): Promise<string> {
  const keyring: Keyring = {
    id: 'hostile',
    generateDataKey: async () => ({ dataKey: randomBytes(32), edks: arns.map((a) => ({ providerId: 'aws-kms', providerInfo: Buffer.from(a), ciphertext: randomBytes(64) })) }),
    wrapDataKey: async () => [],
    unwrapDataKey: async () => undefined,
  };
  return b64(await new Envelope({ keyring }).encrypt(Buffer.from('x'), { tenant: 'acme' }));
}

test.each([
  ['the same mrk- id in another account', () => primary.replace(ACCOUNT, OTHER_ACCOUNT)],
  ['the same mrk- id in another account, in B', () => replica.replace(ACCOUNT, OTHER_ACCOUNT)],
  ['the same mrk- id in another partition', () => primary.replace('arn:aws:', 'arn:aws-cn:')],
  ['a single-Region key in A', () => kms.createKey(A)],
  ['a single-Region key in B', () => kms.createKey(B)],
  ['another multi-Region key of the account', () => kms.createKey(A, { multiRegion: true })],
  ['an alias ARN with the same mrk- id', () => primary.replace(':key/', ':alias/')],
])('a hand-made message whose data key names %s: refused, and KMS is never called', async (_what, foreign) => {
  const ciphertext = await messageNaming([foreign()]);
  kms.calls.length = 0;
  const res = await inB(replica)({ operation: 'decrypt', ciphertext, context: { tenant: 'acme' } });
  expect(res).toMatchObject({ ok: false, error: { code: 'AUTHENTICATION' } });
  expect(kms.calls).toEqual([]);
});

test('a message naming foreign keys beside a matching one: only the matching one is tried, in B, under the replica', async () => {
  const ciphertext = await messageNaming([primary.replace(ACCOUNT, OTHER_ACCOUNT), kms.createKey(A), primary.replace(A, 'ap-south-1')]);
  kms.calls.length = 0;
  const res = await inB(replica)({ operation: 'decrypt', ciphertext, context: { tenant: 'acme' } });
  // The invented data key does not decrypt, but the one call made was to the function's own key in its own region.
  expect(res).toMatchObject({ ok: false, error: { code: 'AUTHENTICATION' } });
  expect(kms.calls).toEqual([{ operation: 'Decrypt', region: B, keyId: replica }]);
});

test('a single-Region key or an alias keeps the plain keyring (exact ARN match), and a multi-Region key ARN gets the MRK-aware one', () => {
  const single = kms.createKey(B);
  expect(keyringFor(single)).toBeInstanceOf(AwsKmsKeyring);
  expect(keyringFor('alias/payments')).toBeInstanceOf(AwsKmsKeyring);
  expect(keyringFor(primary.replace(':key/', ':alias/'))).toBeInstanceOf(AwsKmsKeyring);
  expect(keyringFor(replica)).toBeInstanceOf(AwsKmsMrkAwareKeyring);
  expect(keyringFor(replica).id).toBe(`aws-kms-mrk:${replica}`);
});

test('the bundled asset (what is deployed) does the same: a message from A decrypts in B under the replica', async () => {
  const ciphertext = await fromRegionA('sdk', 'bundled');
  Object.assign(process.env, { AWS_REGION: B, [ENV.KEY_ARN]: replica, [ENV.REQUIRED_CONTEXT_KEYS]: 'tenant' });
  let handler: (event: any) => Promise<any> = async () => undefined;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(join(__dirname, '..', '..', '..', 'assets', 'aws', 'handlers', 'envelope.lambda', 'index.js')).handler;
  });
  kms.calls.length = 0;
  expect(await handler({ operation: 'decrypt', ciphertext, context: { tenant: 'acme' } })).toEqual({ ok: true, plaintext: b64('bundled'), context: { tenant: 'acme' } });
  expect(kms.calls).toEqual([{ operation: 'Decrypt', region: B, keyId: replica }]);
  jest.restoreAllMocks();
});
