import { constants, createPublicKey, KeyObject, publicEncrypt, randomBytes } from 'crypto';
import { CryptographyClient, CryptographyClientOptions, KeyClient, parseKeyVaultKeyIdentifier } from '@azure/keyvault-keys';
import { EncryptionContext } from '../context';
import { AuthenticationError, BadInputError, KeyringError } from '../errors';
import { EncryptedDataKey } from '../header';
import { DATA_KEY_LENGTH, DataKeyMaterials, Keyring } from '../keyring';
import { attemptSignal, describeFailure, isTransient, RetryPolicy, withRetry } from '../retry';

export const AZURE_KEY_VAULT_PROVIDER_ID = 'cloud-kms:azure-kv';

/** A Microsoft Entra credential, as the Key Vault clients take it (e.g. DefaultAzureCredential). */
export type TokenCredential = ConstructorParameters<typeof KeyClient>[1];

export interface AzureKeyVaultKeyringOptions {
  /** The key (versionless `https://<vault>/keys/<name>`, or a version of it): RSA or RSA-HSM with wrapKey/unwrapKey. */
  readonly keyId: string;
  /** Signs in to Key Vault (e.g. DefaultAzureCredential). */
  readonly credential: TokenCredential;
  /** Options for the Key Vault clients (retries are the keyring's: the SDK's are left as configured here). */
  readonly clientOptions?: CryptographyClientOptions;
  readonly retry?: RetryPolicy;
}

/**
 * Azure Key Vault (or Managed HSM) keyring: a local 32-byte data key wrapped with RSA-OAEP-256 under the key's public
 * half (fetched once, so encrypting makes no call after the first), unwrapped by Key Vault. RSA-OAEP has no associated
 * data: the encryption context is bound by the message's header authentication, not by Key Vault.
 */
export class AzureKeyVaultKeyring implements Keyring {
  public readonly id: string;
  private readonly vaultUrl: string;
  private readonly keyName: string;
  private readonly version?: string;
  private publicKey?: Promise<{ key: KeyObject; kid: string }>;
  private readonly clients = new Map<string, CryptographyClient>();

  constructor(private readonly options: AzureKeyVaultKeyringOptions) {
    let parsed;
    try {
      parsed = parseKeyVaultKeyIdentifier(options.keyId);
    } catch {
      throw new BadInputError(`keyId must be a Key Vault key id such as https://my-vault.vault.azure.net/keys/<name>, got ${options.keyId}`);
    }
    this.vaultUrl = parsed.vaultUrl.replace(/\/$/, '');
    this.keyName = parsed.name;
    this.version = parsed.version;
    this.id = `${AZURE_KEY_VAULT_PROVIDER_ID}:${this.vaultUrl}/keys/${this.keyName}${this.version ? `/${this.version}` : ''}`;
  }

  public async generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials> {
    const dataKey = randomBytes(DATA_KEY_LENGTH);
    return { dataKey, edks: await this.wrapDataKey(dataKey, context) };
  }

  public async wrapDataKey(dataKey: Buffer, _context: EncryptionContext): Promise<EncryptedDataKey[]> {
    const { key, kid } = await this.getPublicKey();
    const ciphertext = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dataKey);
    return [{ providerId: AZURE_KEY_VAULT_PROVIDER_ID, providerInfo: Buffer.from(kid, 'utf8'), ciphertext }];
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], _context: EncryptionContext): Promise<Buffer | undefined> {
    let failure: unknown;
    const prefix = `${this.vaultUrl}/keys/${this.keyName}/`;
    for (const e of edks) {
      if (e.providerId !== AZURE_KEY_VAULT_PROVIDER_ID) continue;
      const kid = e.providerInfo.toString('utf8');
      if (!kid.startsWith(prefix) || (this.version && kid !== `${prefix}${this.version}`)) continue;
      try {
        const res = await withRetry('Azure Key Vault unwrapKey', () => this.client(kid).unwrapKey('RSA-OAEP-256', e.ciphertext, { abortSignal: attemptSignal(this.options.retry) }), this.options.retry);
        if (res.result.length !== DATA_KEY_LENGTH) throw new AuthenticationError('Key Vault unwrapped a key of the wrong length');
        return Buffer.from(res.result);
      } catch (err) {
        if (err instanceof KeyringError) throw err;
        failure = err;
      }
    }
    if (failure === undefined) return undefined;
    const status = (failure as { statusCode?: number }).statusCode;
    if (failure instanceof AuthenticationError || status === 400) {
      throw new AuthenticationError(`no data key unwrapped by Azure Key Vault: ${describeFailure(failure)} (wrong key or tampered data key)`);
    }
    throw new KeyringError(`Azure Key Vault unwrapKey failed: ${describeFailure(failure)}`, isTransient(failure));
  }

  private getPublicKey(): Promise<{ key: KeyObject; kid: string }> {
    this.publicKey ??= withRetry('Azure Key Vault getKey', async () => {
      const client = new KeyClient(this.vaultUrl, this.options.credential, this.options.clientOptions);
      const k = await client.getKey(this.keyName, { version: this.version, abortSignal: attemptSignal(this.options.retry) });
      if (!k.key?.n || !k.key.e || !k.id) throw new KeyringError(`Key Vault key ${this.keyName} has no RSA public key`, false);
      if (!(k.keyOperations ?? []).map(String).includes('wrapKey')) {
        throw new KeyringError(`Key Vault key ${k.id} does not allow wrapKey (its operations are ${(k.keyOperations ?? []).join(', ')})`, false);
      }
      const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(k.key.n).toString('base64url'), e: Buffer.from(k.key.e).toString('base64url') }, format: 'jwk' });
      return { key, kid: k.id };
    }, this.options.retry).catch((err) => {
      this.publicKey = undefined;
      if (err instanceof KeyringError) throw err;
      throw new KeyringError(`Azure Key Vault getKey failed: ${describeFailure(err)}`, false);
    });
    return this.publicKey;
  }

  private client(kid: string): CryptographyClient {
    let c = this.clients.get(kid);
    if (!c) {
      c = new CryptographyClient(kid, this.options.credential, this.options.clientOptions);
      this.clients.set(kid, c);
    }
    return c;
  }
}
