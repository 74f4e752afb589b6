import { EncryptionContext } from './context';
import { EncryptedDataKey } from './header';

/** A data key in the clear and its encrypted copies. The caller zeroes `dataKey` when done. */
export interface DataKeyMaterials {
  readonly dataKey: Buffer;
  readonly edks: EncryptedDataKey[];
}

/**
 * Wraps and unwraps data keys under one or more KMS keys. Every call that leaves the process goes through
 * `withRetry`, so a keyring retries transient failures within a bounded budget and then fails with a KeyringError.
 */
export interface Keyring {
  /** Identifies the keyring's keys in cache keys; equal ids must mean the same keys. */
  readonly id: string;
  /** Makes a new 32-byte data key and encrypts it under this keyring's key (or generator key). */
  generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials>;
  /** Encrypts an existing data key under this keyring's keys (multi-keyring children). */
  wrapDataKey(dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey[]>;
  /**
   * Decrypts the first of the EDKs that belongs to this keyring; undefined when none does. Throws
   * AuthenticationError when one belongs to it but does not decrypt under this context.
   */
  unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined>;
}

export const DATA_KEY_LENGTH = 32;
