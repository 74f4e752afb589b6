import { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  AuthenticationError, AwsKmsKeyring, AzureKeyVaultKeyring, Envelope, GcpKmsKeyring, MultiKeyring,
} from '../../src/envelope';
import { CloudKmsStandIn, KeyVaultStandIn } from '../support/kms-standins';
import { Moto, startMoto } from '../support/moto';

// These keyrings run their real SDK clients against loopback stand-ins of the Key Vault and Cloud KMS REST APIs
// (test/support/kms-standins.ts): HTTPS with a throwaway certificate for Key Vault, the Google client's REST fallback
// mode for Cloud KMS. The stand-ins implement only the calls the keyrings make, with real cryptography.
const KEY_NAME = 'projects/acme/locations/europe-west1/keyRings/tenants/cryptoKeys/acme';
let vault: KeyVaultStandIn;
let gcp: CloudKmsStandIn;
let moto: Moto;

beforeAll(async () => {
  [vault, gcp, moto] = await Promise.all([new KeyVaultStandIn().start(), new CloudKmsStandIn(KEY_NAME).start(), startMoto()]);
});
afterAll(async () => {
  await Promise.all([vault?.stop(), gcp?.stop(), moto?.stop()]);
});

const credential = { getToken: async () => ({ token: 'stand-in-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const azure = (keyId = `${vault.url}/keys/tenant-kek`) => new AzureKeyVaultKeyring({
  keyId, credential, clientOptions: { tlsOptions: { ca: vault.cert }, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 0 } },
});
const googleClient = () => new KeyManagementServiceClient({
  fallback: true,
  protocol: 'http',
  apiEndpoint: '127.0.0.1',
  port: gcp.port,
  authClient: {
    universeDomain: 'googleapis.com',
    getRequestHeaders: async () => new Headers({ authorization: 'Bearer stand-in' }),
    // The REST fallback sends through the auth client, which adds the token.
    fetch: (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...(init.headers as object), authorization: 'Bearer stand-in' } }),
  } as any,
} as any);
const google = () => new GcpKmsKeyring({ keyName: KEY_NAME, client: googleClient() });

describe('Azure Key Vault keyring', () => {
  test('wraps locally with the public key, unwraps in Key Vault; a second message makes no wrap call', async () => {
    const keyring = azure();
    const env = new Envelope({ keyring });
    vault.calls.length = 0;
    const a = await env.encrypt(Buffer.from('record a'), { tenant: 'acme' });
    const b = await env.encrypt(Buffer.from('record b'), { tenant: 'acme' });
    expect(vault.calls.filter((c) => c.startsWith('GET'))).toHaveLength(1);
    expect(vault.calls.some((c) => /wrapkey$/.test(c) && !/unwrapkey$/.test(c))).toBe(false);
    expect((await env.decrypt(a)).plaintext.toString()).toBe('record a');
    expect((await new Envelope({ keyring: azure() }).decrypt(b)).plaintext.toString()).toBe('record b');
    expect(vault.calls.filter((c) => /unwrapkey$/.test(c))).toHaveLength(2);
  });

  test('a message encrypted before a rotation still decrypts after it', async () => {
    const before = await new Envelope({ keyring: azure() }).encrypt(Buffer.from('old'));
    vault.rotate();
    const fresh = azure();
    const after = await new Envelope({ keyring: fresh }).encrypt(Buffer.from('new'));
    expect((await new Envelope({ keyring: fresh }).decrypt(before)).plaintext.toString()).toBe('old');
    expect((await new Envelope({ keyring: fresh }).decrypt(after)).plaintext.toString()).toBe('new');
  });

  test('a tampered data key fails authentication; a keyring pinned to another version does not try', async () => {
    const env = new Envelope({ keyring: azure() });
    const msg = Buffer.from(await env.encrypt(Buffer.from('x')));
    const edk = msg.indexOf(Buffer.from('cloud-kms:azure-kv')) + 200;
    msg[edk] ^= 0xff; // eslint-disable-line no-bitwise
    await expect(env.decrypt(msg)).rejects.toThrow(AuthenticationError);
    const good = await env.encrypt(Buffer.from('y'));
    await expect(new Envelope({ keyring: azure(`${vault.url}/keys/tenant-kek/0000`) }).decrypt(good)).rejects.toThrow(/no keyring can decrypt/);
  });

  test('a key id that is not one is refused', () => {
    expect(() => azure('tenant-kek')).toThrow('keyId must be a Key Vault key id such as https://my-vault.vault.azure.net/keys/<name>, got tenant-kek');
  });
});

describe('Google Cloud KMS keyring', () => {
  test('the context is the additional authenticated data: Cloud KMS refuses another context', async () => {
    const env = new Envelope({ keyring: google() });
    const msg = await env.encrypt(Buffer.from('cross-cloud'), { tenant: 'acme' });
    expect(gcp.calls.at(-1)).toBe(`encrypt ${KEY_NAME}`);
    expect((await env.decrypt(msg)).plaintext.toString()).toBe('cross-cloud');
    // Rewrite the context in the header: Cloud KMS decrypts with the new context as AAD and fails.
    const forged = Buffer.from(msg);
    const at = forged.indexOf(Buffer.from('acme'));
    forged.write('acmf', at);
    const err = await env.decrypt(forged).catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/no data key decrypted by Cloud KMS/);
  });

  test('a message encrypted before a rotation still decrypts after it', async () => {
    const env = new Envelope({ keyring: google() });
    const before = await env.encrypt(Buffer.from('v1'));
    gcp.rotate();
    const after = await env.encrypt(Buffer.from('v2'));
    expect((await env.decrypt(before)).plaintext.toString()).toBe('v1');
    expect((await env.decrypt(after)).plaintext.toString()).toBe('v2');
  });

  test('a key name that is not one is refused', () => {
    expect(() => new GcpKmsKeyring({ keyName: 'acme' })).toThrow(/keyName must be projects\/<p>\/locations/);
  });
});

test('multi-keyring across clouds: AWS KMS generates, Google Cloud KMS and Azure Key Vault wrap too; each cloud alone recovers', async () => {
  const arn = await moto.createKey('cross-cloud');
  const aws = new AwsKmsKeyring({ generatorKeyId: arn, client: moto.kms() });
  const msg = await new Envelope({ keyring: new MultiKeyring(aws, [google(), azure()]) }).encrypt(Buffer.from('recoverable'), { tenant: 'acme' });
  for (const keyring of [aws, google(), azure()]) {
    expect((await new Envelope({ keyring }).decrypt(msg)).plaintext.toString()).toBe('recoverable');
  }
});
