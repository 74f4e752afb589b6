import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EncryptionContext } from '../context';
import { AuthenticationError, BadInputError, KeyringError } from '../errors';
import { EncryptedDataKey } from '../header';
import { DATA_KEY_LENGTH, DataKeyMaterials, Keyring } from '../keyring';
import { attemptSignal, describeFailure, RetryPolicy, withRetry } from '../retry';
import { AUTHENTICATION_FAILURES, AWS_KMS_PROVIDER_ID, edk } from './aws-kms-arn';

export { AWS_KMS_PROVIDER_ID };

export interface AwsKmsKeyringOptions {
  /** The key that generates data keys (key ARN, key id, alias name or alias ARN). Decrypt needs an ARN or key id. */
  readonly generatorKeyId: string;
  /** More keys that each encrypt the data key (Encrypt), so any of them can decrypt. */
  readonly keyIds?: string[];
  /** @default - a KMSClient for `region`, with the SDK's own retries off (the keyring retries) */
  readonly client?: KMSClient;
  /** @default - the SDK's region resolution */
  readonly region?: string;
  readonly grantTokens?: string[];
  readonly retry?: RetryPolicy;
}

/** Whether a configured key id names the key an EDK's ARN names (same ARN, or the ARN's key id). */
function sameKey(configured: string, arn: string): boolean {
  return configured === arn || (!configured.startsWith('arn:') && !configured.startsWith('alias/') && arn.endsWith(`:key/${configured}`));
}

/**
 * AWS KMS keyring, wire-compatible with the AWS Encryption SDK's: GenerateDataKey under the generator, Encrypt under
 * each extra key, Decrypt of an EDK only under the key its ARN names; the encryption context goes to KMS as
 * EncryptionContext, so key-policy conditions on `kms:EncryptionContext:*` apply. Works for every KMS key type our
 * constructs make, custom key stores (CloudHSM, XKS) included.
 */
export class AwsKmsKeyring implements Keyring {
  public readonly id: string;
  private readonly client: KMSClient;
  private readonly keys: string[];

  constructor(private readonly options: AwsKmsKeyringOptions) {
    if (!options.generatorKeyId) throw new BadInputError('generatorKeyId is required for an AWS KMS keyring');
    this.keys = [options.generatorKeyId, ...(options.keyIds ?? [])];
    this.id = `${AWS_KMS_PROVIDER_ID}:${this.keys.join(',')}`;
    this.client = options.client ?? new KMSClient({ region: options.region, maxAttempts: 1 });
  }

  public async generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials> {
    const res = await this.call('GenerateDataKey', () => this.client.send(new GenerateDataKeyCommand({
      KeyId: this.options.generatorKeyId, NumberOfBytes: DATA_KEY_LENGTH, EncryptionContext: context, GrantTokens: this.options.grantTokens,
    }), { abortSignal: attemptSignal(this.options.retry) }));
    if (!res.Plaintext || res.Plaintext.length !== DATA_KEY_LENGTH || !res.CiphertextBlob || !res.KeyId) {
      throw new KeyringError('GenerateDataKey returned an incomplete response', false);
    }
    const dataKey = Buffer.from(res.Plaintext);
    res.Plaintext.fill(0);
    const edks = [edk(res.KeyId, res.CiphertextBlob)];
    for (const keyId of this.options.keyIds ?? []) edks.push(await this.encrypt(keyId, dataKey, context));
    return { dataKey, edks };
  }

  public async wrapDataKey(dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey[]> {
    const edks: EncryptedDataKey[] = [];
    for (const keyId of this.keys) edks.push(await this.encrypt(keyId, dataKey, context));
    return edks;
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined> {
    let failure: unknown;
    for (const e of edks) {
      if (e.providerId !== AWS_KMS_PROVIDER_ID) continue;
      const arn = e.providerInfo.toString('utf8');
      if (!this.keys.some((k) => sameKey(k, arn))) continue;
      try {
        const res = await this.call('Decrypt', () => this.client.send(new DecryptCommand({
          KeyId: arn, CiphertextBlob: e.ciphertext, EncryptionContext: context, GrantTokens: this.options.grantTokens,
        }), { abortSignal: attemptSignal(this.options.retry) }));
        if (!res.Plaintext || res.Plaintext.length !== DATA_KEY_LENGTH || res.KeyId !== arn) {
          throw new AuthenticationError(`KMS Decrypt under ${arn} returned a key for ${res.KeyId ?? 'no key'}`);
        }
        const dataKey = Buffer.from(res.Plaintext);
        res.Plaintext.fill(0);
        return dataKey;
      } catch (err) {
        if (err instanceof KeyringError) throw err;
        failure = err;
      }
    }
    if (failure !== undefined) {
      const name = (failure as { name?: string }).name ?? '';
      if (failure instanceof AuthenticationError || AUTHENTICATION_FAILURES.has(name)) {
        throw new AuthenticationError(`no data key decrypted under the keyring's AWS KMS keys: ${describeFailure(failure)} (wrong key, wrong encryption context or tampered data key)`);
      }
      throw new KeyringError(`AWS KMS Decrypt failed: ${describeFailure(failure)}`, false);
    }
    return undefined;
  }

  private async encrypt(keyId: string, dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey> {
    const res = await this.call('Encrypt', () => this.client.send(new EncryptCommand({
      KeyId: keyId, Plaintext: dataKey, EncryptionContext: context, GrantTokens: this.options.grantTokens,
    }), { abortSignal: attemptSignal(this.options.retry) }));
    if (!res.CiphertextBlob || !res.KeyId) throw new KeyringError('Encrypt returned an incomplete response', false);
    return edk(res.KeyId, res.CiphertextBlob);
  }

  private call<T>(operation: string, op: () => Promise<T>): Promise<T> {
    return withRetry(`AWS KMS ${operation}`, op, this.options.retry).catch((err) => {
      if (err instanceof KeyringError || operation === 'Decrypt') throw err;
      throw new KeyringError(`AWS KMS ${operation} failed: ${describeFailure(err)}`, false);
    });
  }
}
