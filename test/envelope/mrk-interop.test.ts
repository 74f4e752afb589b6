import { randomBytes } from 'crypto';
import {
  AwsKmsMrkAwareSymmetricDiscoveryKeyringNode, AwsKmsMrkAwareSymmetricKeyringNode, buildAwsKmsMrkAwareDiscoveryMultiKeyringNode,
  buildAwsKmsMrkAwareStrictMultiKeyringNode, buildClient, CommitmentPolicy, getClient, KmsKeyringNode,
} from '@aws-crypto/client-node';
import { DecryptCommand, EncryptCommand, KMS } from '@aws-sdk/client-kms';
import { AlgorithmSuite, AuthenticationError, AwsKmsKeyring, AwsKmsMrkAwareKeyring, AwsKmsMrkDiscoveryKeyring, Envelope } from '../../src/envelope';
import { ACCOUNT, AwsKmsStandIn, STANDIN_CREDENTIALS } from '../support/aws-kms-standin';

// The contract of issue 19: a message encrypted under a multi-Region key's primary in one region decrypts with its
// replica in another, both ways between our keyrings and the AWS Encryption SDK's MRK-aware keyrings. moto 5.2.1's
// replicas cannot decrypt the primary's ciphertexts, so KMS is the loopback stand-in of test/support/aws-kms-standin.ts,
// whose replicas share the primary's key material and which serves each request from the region it was signed for.
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const A = 'us-east-1';
const B = 'eu-central-1';
let kms: AwsKmsStandIn;
let primary: string;
let replica: string;
let singleA: string;
let singleB: string;

beforeAll(async () => {
  kms = await new AwsKmsStandIn().start();
  primary = kms.createKey(A, { multiRegion: true });
  replica = kms.replicate(primary, B);
  singleA = kms.createKey(A);
  singleB = kms.createKey(B);
});
afterAll(() => kms?.stop());
beforeEach(() => { kms.calls.length = 0; });

const clientProvider = () => getClient(KMS, { endpoint: kms.endpoint, credentials: STANDIN_CREDENTIALS, maxAttempts: 1 } as any);
const ours = (keyId: string, region: string) => new AwsKmsMrkAwareKeyring({ generatorKeyId: keyId, clients: { [region]: kms.client(region) } });
const decrypts = () => kms.calls.filter((c) => c.operation === 'Decrypt');

const SUITES = [
  ['0x0478', AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY],
  ['0x0578', AlgorithmSuite.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384],
] as const;

describe.each(SUITES)('suite %s', (_name, suite) => {
  test('ours under the primary in A decrypts with each of the SDK\'s MRK-aware keyrings under the replica in B, calling KMS in B only', async () => {
    const plaintext = randomBytes(3000);
    const message = await new Envelope({ keyring: ours(primary, A), suite }).encrypt(plaintext, { tenant: 'acme' });
    const sdkKeyrings = [
      new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: replica, client: kms.sdkClient(B) as any }),
      buildAwsKmsMrkAwareStrictMultiKeyringNode({ generatorKeyId: replica, clientProvider: clientProvider() }),
      new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: kms.sdkClient(B) as any, discoveryFilter: { accountIDs: [ACCOUNT], partition: 'aws' } }),
      buildAwsKmsMrkAwareDiscoveryMultiKeyringNode({ regions: [B], clientProvider: clientProvider(), discoveryFilter: { accountIDs: [ACCOUNT], partition: 'aws' } }),
    ];
    for (const keyring of sdkKeyrings) {
      kms.calls.length = 0;
      const bySdk = await sdk.decrypt(keyring, message);
      expect(bySdk.plaintext.equals(plaintext)).toBe(true);
      expect(bySdk.messageHeader.encryptedDataKeys.map((e) => e.providerInfo)).toEqual([primary]);
      expect(decrypts()).toEqual([{ operation: 'Decrypt', region: B, keyId: replica }]);
    }
  });

  test('the SDK\'s under the primary in A decrypts with ours under the replica in B (named and discovery), calling KMS in B only', async () => {
    const plaintext = randomBytes(3000);
    const sdkPrimary = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: primary, client: kms.sdkClient(A) as any });
    const message = (await sdk.encrypt(sdkPrimary, plaintext, { encryptionContext: { tenant: 'acme' }, suiteId: suite as any })).result;
    for (const keyring of [ours(replica, B), new AwsKmsMrkDiscoveryKeyring({ region: B, client: kms.client(B), discoveryFilter: { partition: 'aws', accountIds: [ACCOUNT] } })]) {
      kms.calls.length = 0;
      const byUs = await new Envelope({ keyring, suite }).decrypt(message);
      expect(byUs.plaintext.equals(plaintext)).toBe(true);
      expect(byUs.context).toEqual({ tenant: 'acme' });
      expect(decrypts()).toEqual([{ operation: 'Decrypt', region: B, keyId: replica }]);
    }
  });

  test('the reverse direction: encrypted under the replica in B, decrypted under the primary in A, by the SDK and by us', async () => {
    const plaintext = randomBytes(100);
    const oursInB = await new Envelope({ keyring: ours(replica, B), suite }).encrypt(plaintext, { r: 'b' });
    const sdkPrimary = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: primary, client: kms.sdkClient(A) as any });
    expect((await sdk.decrypt(sdkPrimary, oursInB)).plaintext.equals(plaintext)).toBe(true);
    const sdkReplica = buildAwsKmsMrkAwareStrictMultiKeyringNode({ generatorKeyId: replica, clientProvider: clientProvider() });
    const sdkInB = (await sdk.encrypt(sdkReplica, plaintext, { encryptionContext: { r: 'b' }, suiteId: suite as any })).result;
    kms.calls.length = 0;
    expect((await new Envelope({ keyring: ours(primary, A), suite }).decrypt(sdkInB)).plaintext.equals(plaintext)).toBe(true);
    expect(decrypts()).toEqual([{ operation: 'Decrypt', region: A, keyId: primary }]);
  });
});

test('the stand-in keeps KMS\'s region boundary: a replica decrypts its primary\'s ciphertext, a single-Region key of another region does not', async () => {
  const context = { t: '1' };
  const a = await kms.client(A).send(new EncryptCommand({ KeyId: singleA, Plaintext: Buffer.alloc(32, 1), EncryptionContext: context }));
  // A key ARN of another region is not found in this one (KMS serves only its own region's keys).
  await expect(kms.client(B).send(new DecryptCommand({ KeyId: singleA, CiphertextBlob: a.CiphertextBlob, EncryptionContext: context }))).rejects.toMatchObject({ name: 'NotFoundException' });
  await expect(kms.client(B).send(new DecryptCommand({ KeyId: singleB, CiphertextBlob: a.CiphertextBlob, EncryptionContext: context }))).rejects.toMatchObject({ name: 'IncorrectKeyException' });
  await expect(kms.client(B).send(new DecryptCommand({ KeyId: replica, CiphertextBlob: a.CiphertextBlob, EncryptionContext: context }))).rejects.toMatchObject({ name: 'IncorrectKeyException' });
  const m = await kms.client(A).send(new EncryptCommand({ KeyId: primary, Plaintext: Buffer.alloc(32, 2), EncryptionContext: context }));
  const byReplica = await kms.client(B).send(new DecryptCommand({ KeyId: replica, CiphertextBlob: m.CiphertextBlob, EncryptionContext: context }));
  expect(Buffer.from(byReplica.Plaintext!).equals(Buffer.alloc(32, 2))).toBe(true);
  expect(byReplica.KeyId).toBe(replica);
  await expect(kms.client(B).send(new DecryptCommand({ KeyId: replica, CiphertextBlob: m.CiphertextBlob, EncryptionContext: { t: '2' } }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
});

test('a single-Region key does not match across regions: neither we nor the SDK call KMS for it, and the message does not decrypt', async () => {
  const message = await new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: singleA, client: kms.client(A) }) }).encrypt(Buffer.from('x'), { t: '1' });
  kms.calls.length = 0;
  await expect(new Envelope({ keyring: ours(singleB, B) }).decrypt(message)).rejects.toThrow(AuthenticationError);
  const discovery = new AwsKmsMrkDiscoveryKeyring({ region: B, client: kms.client(B) });
  await expect(new Envelope({ keyring: discovery }).decrypt(message)).rejects.toThrow(AuthenticationError);
  await expect(sdk.decrypt(new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: singleB, client: kms.sdkClient(B) as any }), message)).rejects.toThrow();
  await expect(sdk.decrypt(new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({ client: kms.sdkClient(B) as any }), message)).rejects.toThrow();
  expect(decrypts()).toEqual([]);
  // In its own region the same key decrypts, with us and with the SDK's plain KMS keyring.
  expect((await new Envelope({ keyring: ours(singleA, A) }).decrypt(message)).plaintext.toString()).toBe('x');
  const sdkA = new KmsKeyringNode({ generatorKeyId: singleA, clientProvider: clientProvider() });
  expect((await sdk.decrypt(sdkA, message)).plaintext.toString()).toBe('x');
});
