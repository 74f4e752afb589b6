import { randomBytes } from 'crypto';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { EncryptionContext, serializeContext } from '../context';
import { AuthenticationError, BadInputError, KeyringError } from '../errors';
import { EncryptedDataKey } from '../header';
import { DATA_KEY_LENGTH, DataKeyMaterials, Keyring } from '../keyring';
import { describeFailure, isTransient, RetryPolicy, withRetry } from '../retry';

const callOptions = (policy: RetryPolicy = {}) => ({ timeout: policy.attemptTimeoutMs ?? 10_000, retry: null as any });

export const GCP_KMS_PROVIDER_ID = 'cloud-kms:gcp-kms';

export interface GcpKmsKeyringOptions {
  /** The symmetric key: `projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`. */
  readonly keyName: string;
  /** @default - a KeyManagementServiceClient with Application Default Credentials */
  readonly client?: Pick<KeyManagementServiceClient, 'encrypt' | 'decrypt'>;
  readonly retry?: RetryPolicy;
}

const KEY_NAME = /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/;

/**
 * Google Cloud KMS keyring: Cloud KMS has no GenerateDataKey, so the 32-byte data key is made locally and encrypted
 * with Encrypt, the serialized encryption context as additional authenticated data (so Decrypt fails under another
 * context). Works for SOFTWARE, HSM and EXTERNAL(_VPC) symmetric keys; decrypts whichever version encrypted.
 */
export class GcpKmsKeyring implements Keyring {
  public readonly id: string;
  private client?: Pick<KeyManagementServiceClient, 'encrypt' | 'decrypt'>;

  constructor(private readonly options: GcpKmsKeyringOptions) {
    if (!KEY_NAME.test(options.keyName ?? '')) {
      throw new BadInputError(`keyName must be projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>, got ${options.keyName}`);
    }
    this.id = `${GCP_KMS_PROVIDER_ID}:${options.keyName}`;
    this.client = options.client;
  }

  public async generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials> {
    const dataKey = randomBytes(DATA_KEY_LENGTH);
    try {
      return { dataKey, edks: await this.wrapDataKey(dataKey, context) };
    } catch (err) {
      dataKey.fill(0);
      throw err;
    }
  }

  public async wrapDataKey(dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey[]> {
    const client = await this.kms();
    const [res] = await withRetry('Cloud KMS Encrypt', () => client.encrypt({
      name: this.options.keyName, plaintext: dataKey, additionalAuthenticatedData: aadOf(context),
    }, callOptions(this.options.retry)), this.options.retry).catch((err) => {
      if (err instanceof KeyringError) throw err;
      throw new KeyringError(`Cloud KMS Encrypt failed: ${describeFailure(err)}`, false);
    });
    if (!res.ciphertext) throw new KeyringError('Cloud KMS Encrypt returned no ciphertext', false);
    return [{ providerId: GCP_KMS_PROVIDER_ID, providerInfo: Buffer.from(this.options.keyName, 'utf8'), ciphertext: Buffer.from(res.ciphertext as Uint8Array) }];
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined> {
    let failure: unknown;
    for (const e of edks) {
      if (e.providerId !== GCP_KMS_PROVIDER_ID || e.providerInfo.toString('utf8') !== this.options.keyName) continue;
      const client = await this.kms();
      try {
        const [res] = await withRetry('Cloud KMS Decrypt', () => client.decrypt({
          name: this.options.keyName, ciphertext: e.ciphertext, additionalAuthenticatedData: aadOf(context),
        }, callOptions(this.options.retry)), this.options.retry);
        const plaintext = Buffer.from((res.plaintext ?? new Uint8Array()) as Uint8Array);
        if (plaintext.length !== DATA_KEY_LENGTH) throw new AuthenticationError('Cloud KMS decrypted a key of the wrong length');
        return plaintext;
      } catch (err) {
        if (err instanceof KeyringError) throw err;
        failure = err;
      }
    }
    if (failure === undefined) return undefined;
    const code = (failure as { code?: number }).code;
    // INVALID_ARGUMENT: wrong key, wrong additional authenticated data (context) or a tampered ciphertext.
    if (failure instanceof AuthenticationError || code === 3) {
      throw new AuthenticationError(`no data key decrypted by Cloud KMS: ${describeFailure(failure)} (wrong key, wrong encryption context or tampered data key)`);
    }
    throw new KeyringError(`Cloud KMS Decrypt failed: ${describeFailure(failure)}`, isTransient(failure));
  }

  private async kms(): Promise<Pick<KeyManagementServiceClient, 'encrypt' | 'decrypt'>> {
    this.client ??= new KeyManagementServiceClient();
    return this.client;
  }
}

function aadOf(context: EncryptionContext): Buffer {
  return serializeContext(context);
}
