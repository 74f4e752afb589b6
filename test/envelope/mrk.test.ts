import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AuthenticationError, AwsKmsKeyring, AwsKmsMrkAwareKeyring, AwsKmsMrkDiscoveryKeyring, BadInputError, Envelope, KeyringError } from '../../src/envelope';
import { assertMrksAreUnique, isMultiRegionKey, isValidAwsKmsIdentifier, mrkMatch, parseAwsKmsArn } from '../../src/envelope/keyrings/aws-kms-arn';
import { ACCOUNT, AwsKmsStandIn } from '../support/aws-kms-standin';

// The "MUST" lines of the AWS Encryption SDK specification's MRK-aware keyrings, one test (or case) each:
// framework/aws-kms/aws-kms-key-arn.md, aws-kms-mrk-match-for-decrypt.md, aws-kms-mrk-are-unique.md,
// aws-kms-mrk-keyring.md and aws-kms-mrk-discovery-keyring.md of github.com/awslabs/aws-encryption-sdk-specification.

const MRK = 'mrk-4321abcd12ab34cd56ef1234567890ab';
const arn = (region: string, id = MRK, account = ACCOUNT, partition = 'aws', type = 'key') => `arn:${partition}:kms:${region}:${account}:${type}/${id}`;
const edkOf = (providerInfo: string, ciphertext = Buffer.alloc(8)) => ({ providerId: 'aws-kms', providerInfo: Buffer.from(providerInfo), ciphertext });

describe('identifiers (aws-kms-key-arn.md)', () => {
  test.each([
    ['a key ARN', arn('us-east-1', '1234abcd-12ab-34cd-56ef-1234567890ab'), true],
    ['an alias ARN', arn('us-west-2', 'test-key', ACCOUNT, 'aws', 'alias'), true],
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab', true],
    ['an alias name', 'alias/test-key', true],
    ['an ARN of another service', 'arn:aws:s3:us-east-1:111122223333:key/x', false],
    ['an ARN with an empty partition', `arn::kms:us-east-1:${ACCOUNT}:key/x`, false],
    ['an ARN with an empty region', `arn:aws:kms::${ACCOUNT}:key/x`, false],
    ['an ARN with an empty account', 'arn:aws:kms:us-east-1::key/x', false],
    ['an ARN with a resource type other than key or alias', arn('us-east-1', 'x', ACCOUNT, 'aws', 'grant'), false],
    ['an ARN with an empty resource id', arn('us-east-1', ''), false],
    ['an ARN without a /', `arn:aws:kms:us-east-1:${ACCOUNT}:key`, false],
    ['an empty string', '', false],
  ])('%s is valid: %s', (_what, id, valid) => {
    expect(isValidAwsKmsIdentifier(id)).toBe(valid);
  });

  test('any further / belongs to the resource id', () => {
    expect(parseAwsKmsArn(arn('us-east-1', 'a/b/c', ACCOUNT, 'aws', 'alias'))).toMatchObject({ resourceType: 'alias', resourceId: 'a/b/c' });
  });

  test.each([
    [arn('us-east-1'), true],
    [arn('us-east-1', '1234abcd-12ab-34cd-56ef-1234567890ab'), false],
    [arn('us-east-1', 'mrk-alias', ACCOUNT, 'aws', 'alias'), false],
    [MRK, true],
    ['alias/mrk-looks-like-one', false],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', false],
  ])('%s is a multi-Region key: %s', (id, mrk) => {
    expect(isMultiRegionKey(id)).toBe(mrk);
  });

  test('an invalid ARN is an error, not a "no"', () => {
    expect(() => isMultiRegionKey('arn:aws:kms:us-east-1:key/x')).toThrow(BadInputError);
  });
});

describe('MRK match for decrypt (aws-kms-mrk-match-for-decrypt.md)', () => {
  test.each([
    ['identical identifiers', arn('us-east-1'), arn('us-east-1'), true],
    ['the same multi-Region key in two regions', arn('us-east-1'), arn('eu-central-1'), true],
    ['identical single-Region keys', arn('us-east-1', 'abc'), arn('us-east-1', 'abc'), true],
    ['a single-Region key id in two regions', arn('us-east-1', 'abc'), arn('eu-central-1', 'abc'), false],
    ['multi-Region keys of two accounts', arn('us-east-1'), arn('eu-central-1', MRK, '444455556666'), false],
    ['multi-Region keys of two partitions', arn('us-east-1'), arn('eu-central-1', MRK, ACCOUNT, 'aws-cn'), false],
    ['two multi-Region keys', arn('us-east-1'), arn('eu-central-1', 'mrk-0000'), false],
    ['an alias and a key', arn('us-east-1', MRK, ACCOUNT, 'aws', 'alias'), arn('eu-central-1'), false],
    ['a bare key id and an ARN (no account to compare)', MRK, arn('us-east-1'), false],
  ])('%s: %s', (_what, a, b, match) => {
    expect(mrkMatch(a, b)).toBe(match);
    expect(mrkMatch(b, a)).toBe(match);
  });
});

describe('MRKs are unique (aws-kms-mrk-are-unique.md)', () => {
  test('a list without multi-Region keys, or without duplicates, passes', () => {
    expect(() => assertMrksAreUnique([arn('us-east-1', 'a'), arn('eu-central-1', 'a')])).not.toThrow();
    expect(() => assertMrksAreUnique([arn('us-east-1'), arn('eu-central-1', 'mrk-other')])).not.toThrow();
  });

  test('the error names every duplicate, not only the first', () => {
    const ids = [arn('us-east-1'), arn('eu-central-1'), MRK, arn('us-east-1', 'mrk-b'), arn('us-west-2', 'mrk-b'), arn('us-east-1', 'single')];
    expect(() => assertMrksAreUnique(ids)).toThrow(new RegExp(ids.slice(0, 5).map((i) => i.replace(/[/-]/g, '.')).join('.*')));
  });

  test('the keyring refuses a primary and its replica together', () => {
    expect(() => new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('us-east-1'), keyIds: [arn('eu-central-1')] })).toThrow(/same multi-Region key more than once/);
  });
});

/** A KMS client that answers every call with `answer` and records the requests. */
function fakeClient(answer: (input: any, name: string) => any): { client: KMSClient; inputs: any[] } {
  const inputs: any[] = [];
  const send = async (command: any) => {
    inputs.push(command.input);
    return answer(command.input, command.constructor.name);
  };
  const client = { send } as unknown as KMSClient;
  return { client, inputs };
}

describe('MRK-aware keyring (aws-kms-mrk-keyring.md)', () => {
  let kms: AwsKmsStandIn;
  let primary: string;
  let replica: string;
  beforeAll(async () => {
    kms = await new AwsKmsStandIn().start();
    primary = kms.createKey('us-east-1', { multiRegion: true });
    replica = kms.replicate(primary, 'eu-central-1');
  });
  afterAll(() => kms?.stop());
  beforeEach(() => { kms.calls.length = 0; });

  test.each([
    ['an empty key id', { generatorKeyId: '' }, /generatorKeyId is required/],
    ['an invalid identifier', { generatorKeyId: 'arn:aws:kms:us-east-1:key/x' }, /is not an AWS KMS key ARN, alias ARN, key id or alias name/],
    ['an invalid extra key', { generatorKeyId: arn('us-east-1'), keyIds: ['arn:aws:iam::1:role/x'] }, /arn:aws:iam::1:role\/x/],
  ])('initialization refuses %s', (_what, options, error) => {
    expect(() => new AwsKmsMrkAwareKeyring(options)).toThrow(error);
  });

  test('GenerateDataKey and Encrypt go to the configured key, each through the client of its ARN\'s region', async () => {
    const single = kms.createKey('eu-central-1');
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: primary, keyIds: [single], clients: { 'us-east-1': kms.client('us-east-1'), 'eu-central-1': kms.client('eu-central-1') } });
    const m = await keyring.generateDataKey({ a: '1' });
    expect(m.edks.map((e) => e.providerInfo.toString())).toEqual([primary, single]);
    expect(kms.calls.map((c) => [c.operation, c.region, c.keyId])).toEqual([['GenerateDataKey', 'us-east-1', primary], ['Encrypt', 'eu-central-1', single]]);
  });

  test('decrypt tries only EDKs that MRK-match, and calls Decrypt with the configured (local) ARN', async () => {
    const message = await new Envelope({ keyring: new AwsKmsMrkAwareKeyring({ generatorKeyId: primary, clients: { 'us-east-1': kms.client('us-east-1') } }) })
      .encrypt(Buffer.from('hello'), { a: '1' });
    kms.calls.length = 0;
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: replica, clients: { 'eu-central-1': kms.client('eu-central-1') } });
    expect((await new Envelope({ keyring }).decrypt(message)).plaintext.toString()).toBe('hello');
    expect(kms.calls).toEqual([{ operation: 'Decrypt', region: 'eu-central-1', keyId: replica }]);
  });

  test('the plain KMS keyring (exact ARN match) does not decrypt the primary\'s message with the replica: the MRK keyring is what makes it work', async () => {
    const message = await new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: primary, client: kms.client('us-east-1') }) }).encrypt(Buffer.from('x'), {});
    await expect(new Envelope({ keyring: new AwsKmsKeyring({ generatorKeyId: replica, client: kms.client('eu-central-1') }) }).decrypt(message)).rejects.toThrow(AuthenticationError);
  });

  test('EDKs of other providers and keys that do not match are skipped without a call', async () => {
    const { client, inputs } = fakeClient(() => { throw new Error('no call expected'); });
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': client } });
    const edks = [{ ...edkOf(arn('us-east-1')), providerId: 'raw' }, edkOf(arn('us-east-1', MRK, '444455556666')), edkOf(arn('us-east-1', '1234'))];
    expect(await keyring.unwrapDataKey(edks, {})).toBeUndefined();
    expect(inputs).toEqual([]);
  });

  test.each([
    ['not an ARN', 'alias/x'],
    ['an alias ARN', arn('us-east-1', 'x', ACCOUNT, 'aws', 'alias')],
  ])('a KMS EDK whose provider info is %s fails the decryption', async (_what, info) => {
    const { client } = fakeClient(() => ({}));
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': client } });
    await expect(keyring.unwrapDataKey([edkOf(info), edkOf(arn('us-east-1'))], {})).rejects.toThrow(/is not a KMS key ARN/);
  });

  test.each([
    ['a KeyId other than the configured key', { KeyId: arn('us-east-1'), Plaintext: new Uint8Array(32) }, /answered for arn:aws:kms:us-east-1/],
    ['a plaintext of the wrong length', { KeyId: arn('eu-central-1'), Plaintext: new Uint8Array(16) }, /returned 16 bytes, not a 32-byte data key/],
  ])('a Decrypt answer with %s is collected as an error and the next EDK is tried; all errors are reported', async (_what, bad, error) => {
    let n = 0;
    const { client, inputs } = fakeClient(() => (n++ === 0 ? bad : { KeyId: arn('eu-central-1'), Plaintext: new Uint8Array(32).fill(7) }));
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': client } });
    const key = await keyring.unwrapDataKey([edkOf(arn('us-east-1')), edkOf(arn('us-west-2'))], { c: 'd' });
    expect(key?.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(inputs.map((i) => i.KeyId)).toEqual([arn('eu-central-1'), arn('eu-central-1')]);
    expect(inputs[0].EncryptionContext).toEqual({ c: 'd' });
    const always = fakeClient(() => bad);
    const failing = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': always.client } });
    const both = failing.unwrapDataKey([edkOf(arn('us-east-1')), edkOf(arn('us-west-2'))], {});
    await expect(both).rejects.toThrow(AuthenticationError);
    await expect(failing.unwrapDataKey([edkOf(arn('us-east-1')), edkOf(arn('us-west-2'))], {})).rejects.toThrow(new RegExp(`${error.source}.*;.*${error.source}`));
  });

  test('a failure that is not about the ciphertext (access denied) is a KeyringError naming every failure', async () => {
    const { client } = fakeClient(() => { throw Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }); });
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': client } });
    await expect(keyring.unwrapDataKey([edkOf(arn('us-east-1')), edkOf(arn('us-west-2'))], {})).rejects.toThrow(
      new KeyringError('AWS KMS Decrypt failed: AccessDeniedException (HTTP 400); AccessDeniedException (HTTP 400)', false));
  });

  test.each([
    ['GenerateDataKey', 'an alias name as KeyId', { KeyId: 'alias/not-an-arn', Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(4) }],
    ['GenerateDataKey', 'a 31-byte key', { KeyId: arn('eu-central-1'), Plaintext: new Uint8Array(31), CiphertextBlob: new Uint8Array(4) }],
    ['Encrypt', 'an alias ARN as KeyId', { KeyId: arn('eu-central-1', 'x', ACCOUNT, 'aws', 'alias'), CiphertextBlob: new Uint8Array(4) }],
  ])('%s must answer with a key ARN and a full-length key, not %s', async (operation, _what, answer) => {
    const { client, inputs } = fakeClient(() => answer);
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': client } });
    const call = operation === 'Encrypt' ? keyring.wrapDataKey(Buffer.alloc(32), { a: 'b' }) : keyring.generateDataKey({ a: 'b' });
    await expect(call).rejects.toThrow(KeyringError);
    expect(inputs[0]).toMatchObject({ KeyId: arn('eu-central-1'), EncryptionContext: { a: 'b' } });
  });

  test('grant tokens reach every call', async () => {
    const { client, inputs } = fakeClient((input) => (input.CiphertextBlob ? { KeyId: arn('eu-central-1'), Plaintext: new Uint8Array(32) } : { KeyId: arn('eu-central-1'), CiphertextBlob: new Uint8Array(4), Plaintext: new Uint8Array(32) }));
    const keyring = new AwsKmsMrkAwareKeyring({ generatorKeyId: arn('eu-central-1'), clients: { 'eu-central-1': client }, grantTokens: ['g'] });
    await keyring.generateDataKey({});
    await keyring.wrapDataKey(Buffer.alloc(32), {});
    await keyring.unwrapDataKey([edkOf(arn('us-east-1'))], {});
    expect(inputs.map((i) => i.GrantTokens)).toEqual([['g'], ['g'], ['g']]);
  });

  test('the commands are KMS\'s own', () => {
    // The fake clients above read command.input; the stand-in tests send these same commands over the wire.
    expect([GenerateDataKeyCommand, EncryptCommand, DecryptCommand].map((c) => c.name)).toEqual(['GenerateDataKeyCommand', 'EncryptCommand', 'DecryptCommand']);
  });
});

describe('MRK discovery keyring (aws-kms-mrk-discovery-keyring.md)', () => {
  const ok = () => fakeClient((input) => ({ KeyId: input.KeyId, Plaintext: new Uint8Array(32).fill(1) }));

  test('initialization needs a region, and a filter needs a partition and accounts', () => {
    expect(() => new AwsKmsMrkDiscoveryKeyring({ region: '' })).toThrow(/region is required/);
    expect(() => new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', discoveryFilter: { partition: 'aws', accountIds: [] } })).toThrow(/discoveryFilter/);
    expect(() => new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', discoveryFilter: { partition: '', accountIds: [ACCOUNT] } })).toThrow(/discoveryFilter/);
  });

  test('encrypting fails', async () => {
    const keyring = new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', client: ok().client });
    await expect(keyring.generateDataKey()).rejects.toThrow(/cannot encrypt/);
    await expect(keyring.wrapDataKey()).rejects.toThrow(/cannot encrypt/);
  });

  test('a multi-Region EDK is decrypted through this region\'s replica; a single-Region EDK only in its own region', async () => {
    const { client, inputs } = ok();
    const keyring = new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', client });
    expect(await keyring.unwrapDataKey([edkOf(arn('us-east-1', 'single')), edkOf(arn('us-east-1'))], {})).toBeDefined();
    expect(inputs.map((i) => i.KeyId)).toEqual([arn('eu-central-1')]);
    inputs.length = 0;
    expect(await keyring.unwrapDataKey([edkOf(arn('eu-central-1', 'single'))], {})).toBeDefined();
    expect(inputs.map((i) => i.KeyId)).toEqual([arn('eu-central-1', 'single')]);
    inputs.length = 0;
    expect(await keyring.unwrapDataKey([edkOf(arn('us-east-1', 'single'))], {})).toBeUndefined();
    expect(inputs).toEqual([]);
  });

  test('the filter\'s partition and accounts bound which EDKs are tried', async () => {
    const { client, inputs } = ok();
    const keyring = new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', client, discoveryFilter: { partition: 'aws', accountIds: [ACCOUNT] } });
    const foreign = [edkOf(arn('us-east-1', MRK, '444455556666')), edkOf(arn('us-east-1', MRK, ACCOUNT, 'aws-cn'))];
    expect(await keyring.unwrapDataKey(foreign, {})).toBeUndefined();
    expect(inputs).toEqual([]);
    expect(await keyring.unwrapDataKey([...foreign, edkOf(arn('us-east-1'))], {})).toBeDefined();
    expect(inputs.map((i) => i.KeyId)).toEqual([arn('eu-central-1')]);
  });

  test('an answer for another key than the one asked for is an error', async () => {
    const { client } = fakeClient(() => ({ KeyId: arn('us-east-1'), Plaintext: new Uint8Array(32) }));
    const keyring = new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', client });
    await expect(keyring.unwrapDataKey([edkOf(arn('us-east-1'))], {})).rejects.toThrow(AuthenticationError);
  });

  test('a malformed KMS EDK fails the decryption', async () => {
    const keyring = new AwsKmsMrkDiscoveryKeyring({ region: 'eu-central-1', client: ok().client });
    await expect(keyring.unwrapDataKey([edkOf('garbage')], {})).rejects.toThrow(/is not a KMS key ARN/);
  });
});
