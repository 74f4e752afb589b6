import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { EncryptionContext, serializeContext } from '../context';
import { AuthenticationError, BadInputError } from '../errors';
import { EncryptedDataKey } from '../header';
import { DATA_KEY_LENGTH, DataKeyMaterials, Keyring } from '../keyring';

export interface RawAesKeyringOptions {
  /** Namespace of the wrapping key (the EDK's provider id); must not start with `aws-kms`. */
  readonly keyNamespace: string;
  readonly keyName: string;
  /** AES-256 wrapping key, 32 bytes. Copied; zero yours when done. */
  readonly wrappingKey: Buffer;
}

/**
 * Raw AES-256-GCM keyring, wire-compatible with the AWS Encryption SDK's raw AES keyring. For local development and
 * tests only: the wrapping key is in process memory, with no audit trail.
 */
export class RawAesKeyring implements Keyring {
  public readonly id: string;
  private readonly key: Buffer;
  private readonly name: Buffer;

  constructor(private readonly options: RawAesKeyringOptions) {
    if (options.wrappingKey?.length !== 32) throw new BadInputError(`wrappingKey must be 32 bytes (AES-256), got ${options.wrappingKey?.length ?? 0}`);
    if (!options.keyNamespace || options.keyNamespace.startsWith('aws-kms')) {
      throw new BadInputError(`keyNamespace must be set and must not start with aws-kms, got '${options.keyNamespace}'`);
    }
    this.key = Buffer.from(options.wrappingKey);
    this.name = Buffer.from(options.keyName, 'utf8');
    this.id = `raw-aes:${options.keyNamespace}:${options.keyName}`;
  }

  public async generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials> {
    const dataKey = randomBytes(DATA_KEY_LENGTH);
    return { dataKey, edks: await this.wrapDataKey(dataKey, context) };
  }

  public async wrapDataKey(dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey[]> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(aadOf(context));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    const info = Buffer.alloc(this.name.length + 8 + 12);
    this.name.copy(info, 0);
    info.writeUInt32BE(128, this.name.length);
    info.writeUInt32BE(12, this.name.length + 4);
    iv.copy(info, this.name.length + 8);
    return [{ providerId: this.options.keyNamespace, providerInfo: info, ciphertext: ct }];
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined> {
    let mine = false;
    for (const e of edks) {
      if (e.providerId !== this.options.keyNamespace || !e.providerInfo.subarray(0, this.name.length).equals(this.name)) continue;
      const rest = e.providerInfo.subarray(this.name.length);
      if (rest.length !== 20 || rest.readUInt32BE(0) !== 128 || rest.readUInt32BE(4) !== 12 || e.ciphertext.length !== DATA_KEY_LENGTH + 16) continue;
      mine = true;
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.key, rest.subarray(8)).setAAD(aadOf(context));
        decipher.setAuthTag(e.ciphertext.subarray(DATA_KEY_LENGTH));
        return Buffer.concat([decipher.update(e.ciphertext.subarray(0, DATA_KEY_LENGTH)), decipher.final()]);
      } catch {
        // try the next EDK
      }
    }
    if (mine) throw new AuthenticationError('no data key decrypted under the raw AES key (wrong key, wrong encryption context or tampered data key)');
    return undefined;
  }
}

/** The serialized context without its 2-byte length, as the SDK's raw keyrings authenticate it. */
function aadOf(context: EncryptionContext): Buffer {
  return serializeContext(context).subarray(2);
}
