import { EncryptionContext } from '../context';
import { AuthenticationError, BadInputError } from '../errors';
import { EncryptedDataKey } from '../header';
import { DataKeyMaterials, Keyring } from '../keyring';

/**
 * Wraps each data key under several keyrings (the generator makes it, the children each add an EDK), e.g. AWS KMS
 * and Google Cloud KMS for cross-cloud recovery. Decrypts with the first keyring that can.
 */
export class MultiKeyring implements Keyring {
  public readonly id: string;

  constructor(private readonly generator: Keyring, private readonly children: Keyring[] = []) {
    if (!generator) throw new BadInputError('a multi-keyring needs a generator keyring');
    this.id = `multi(${[generator, ...children].map((k) => k.id).join('|')})`;
  }

  public async generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials> {
    const m = await this.generator.generateDataKey(context);
    const edks = [...m.edks];
    try {
      for (const child of this.children) edks.push(...await child.wrapDataKey(m.dataKey, context));
    } catch (err) {
      m.dataKey.fill(0);
      throw err;
    }
    return { dataKey: m.dataKey, edks };
  }

  public async wrapDataKey(dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey[]> {
    const edks: EncryptedDataKey[] = [];
    for (const k of [this.generator, ...this.children]) edks.push(...await k.wrapDataKey(dataKey, context));
    return edks;
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined> {
    let failure: AuthenticationError | undefined;
    for (const k of [this.generator, ...this.children]) {
      try {
        const key = await k.unwrapDataKey(edks, context);
        if (key) return key;
      } catch (err) {
        if (!(err instanceof AuthenticationError)) throw err;
        failure = err;
      }
    }
    if (failure) throw failure;
    return undefined;
  }
}
