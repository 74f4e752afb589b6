import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EncryptionContext } from '../context';
import { AuthenticationError, BadInputError, KeyringError } from '../errors';
import { EncryptedDataKey } from '../header';
import { DATA_KEY_LENGTH, DataKeyMaterials, Keyring } from '../keyring';
import { attemptSignal, describeFailure, RetryPolicy, withRetry } from '../retry';
import {
  assertMrksAreUnique, AUTHENTICATION_FAILURES, AWS_KMS_PROVIDER_ID, AwsKmsArn, edk, formatAwsKmsArn, isValidAwsKmsIdentifier,
  parseAwsKmsArn, sameMrkInAnyRegion,
} from './aws-kms-arn';

export interface AwsKmsMrkAwareKeyringOptions {
  /**
   * The key that generates data keys: a key ARN (needed to decrypt), key id, alias name or alias ARN. A multi-Region
   * key's ARN in this region also decrypts what its primary or any replica encrypted (same account and key id).
   */
  readonly generatorKeyId: string;
  /** More keys that each encrypt the data key (Encrypt), possibly in other regions; one key may not be named twice. */
  readonly keyIds?: string[];
  /**
   * KMS clients by region; a key is called through the client of its ARN's region.
   * @default - a KMSClient per region, with the SDK's own retries off (the keyring retries)
   */
  readonly clients?: Record<string, KMSClient>;
  /** The region of keys given as a key id or alias name. @default - the SDK's region resolution */
  readonly region?: string;
  readonly grantTokens?: string[];
  readonly retry?: RetryPolicy;
}

export interface AwsKmsDiscoveryFilter {
  /** The partition the keys must be in, e.g. `aws`. */
  readonly partition: string;
  /** The accounts the keys must belong to (at least one). */
  readonly accountIds: string[];
}

export interface AwsKmsMrkDiscoveryKeyringOptions {
  /** The region whose KMS this keyring calls; a multi-Region key is used through its replica here. */
  readonly region: string;
  /** @default - a KMSClient for `region`, with the SDK's own retries off (the keyring retries) */
  readonly client?: KMSClient;
  /** @default - no filter: any account's key in any partition (KMS and the key policies still decide) */
  readonly discoveryFilter?: AwsKmsDiscoveryFilter;
  readonly grantTokens?: string[];
  readonly retry?: RetryPolicy;
}

/** One Decrypt attempt: the EDK's ciphertext under `keyId`, through `client`. */
interface Attempt {
  readonly keyId: string;
  readonly client: KMSClient;
  readonly edk: EncryptedDataKey;
}

/**
 * The AWS Encryption SDK's multi-Region-key-aware KMS keyring (its "strict" MRK-aware multi-keyring): encrypts like
 * AwsKmsKeyring; decrypts an EDK when its ARN is one of the configured keys or, for a multi-Region key, the same key
 * in another region (same partition, account and `mrk-` id), and then always calls Decrypt with the CONFIGURED key in
 * its own region. So a message encrypted under a primary in one region decrypts with the replica in another, and no
 * EDK makes the keyring call a region or account it was not configured with.
 * @see https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/framework/aws-kms/aws-kms-mrk-keyring.md
 */
export class AwsKmsMrkAwareKeyring implements Keyring {
  public readonly id: string;
  private readonly keys: string[];
  /** Each key parsed once: decrypting a message only compares fields. */
  private readonly parsed: { readonly keyId: string; readonly arn?: AwsKmsArn }[];
  private readonly clients = new Map<string, KMSClient>();
  private readonly keyClients = new Map<string, KMSClient>();

  constructor(private readonly options: AwsKmsMrkAwareKeyringOptions) {
    if (!options.generatorKeyId) throw new BadInputError('generatorKeyId is required for an AWS KMS MRK-aware keyring');
    this.keys = [options.generatorKeyId, ...(options.keyIds ?? [])];
    for (const k of this.keys) {
      if (!isValidAwsKmsIdentifier(k)) throw new BadInputError(`${JSON.stringify(k)} is not an AWS KMS key ARN, alias ARN, key id or alias name`);
    }
    assertMrksAreUnique(this.keys);
    this.parsed = this.keys.map((keyId) => ({ keyId, arn: keyId.startsWith('arn:') ? parseAwsKmsArn(keyId) : undefined }));
    for (const [region, client] of Object.entries(options.clients ?? {})) this.clients.set(region, client);
    this.id = `${AWS_KMS_PROVIDER_ID}-mrk:${this.keys.join(',')}`;
  }

  public async generateDataKey(context: EncryptionContext): Promise<DataKeyMaterials> {
    const keyId = this.options.generatorKeyId;
    const res = await call('GenerateDataKey', this.options.retry, () => this.clientFor(keyId).send(new GenerateDataKeyCommand({
      KeyId: keyId, NumberOfBytes: DATA_KEY_LENGTH, EncryptionContext: context, GrantTokens: this.options.grantTokens,
    }), { abortSignal: attemptSignal(this.options.retry) }));
    if (!res.Plaintext || res.Plaintext.length !== DATA_KEY_LENGTH || !res.CiphertextBlob || !keyArnOf(res.KeyId)) {
      res.Plaintext?.fill(0);
      throw new KeyringError('GenerateDataKey returned an incomplete response or no key ARN', false);
    }
    const dataKey = Buffer.from(res.Plaintext);
    res.Plaintext.fill(0);
    const edks = [edk(res.KeyId!, res.CiphertextBlob)];
    try {
      for (const k of this.options.keyIds ?? []) edks.push(await this.encrypt(k, dataKey, context));
    } catch (err) {
      dataKey.fill(0);
      throw err;
    }
    return { dataKey, edks };
  }

  public async wrapDataKey(dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey[]> {
    const edks: EncryptedDataKey[] = [];
    for (const k of this.keys) edks.push(await this.encrypt(k, dataKey, context));
    return edks;
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined> {
    const stored = kmsEdks(edks);
    const attempts: Attempt[] = [];
    // Key by key, as the SDK's strict multi-keyring tries its children: the generator first.
    for (const { keyId, arn: configured } of this.parsed) {
      for (const { arn, parsed, e } of stored) {
        // The specification's MRK match: the same identifier, or the same multi-Region key in another region.
        if (keyId === arn || (configured && sameMrkInAnyRegion(configured, parsed))) attempts.push({ keyId, client: this.clientFor(keyId), edk: e });
      }
    }
    return decryptFirst(attempts, context, this.options);
  }

  private async encrypt(keyId: string, dataKey: Buffer, context: EncryptionContext): Promise<EncryptedDataKey> {
    const res = await call('Encrypt', this.options.retry, () => this.clientFor(keyId).send(new EncryptCommand({
      KeyId: keyId, Plaintext: dataKey, EncryptionContext: context, GrantTokens: this.options.grantTokens,
    }), { abortSignal: attemptSignal(this.options.retry) }));
    if (!res.CiphertextBlob || !keyArnOf(res.KeyId)) throw new KeyringError('Encrypt returned an incomplete response or no key ARN', false);
    return edk(res.KeyId!, res.CiphertextBlob);
  }

  /** The client of the key's region: an ARN's own region, else `region` (or the SDK's default). */
  private clientFor(keyId: string): KMSClient {
    let client = this.keyClients.get(keyId);
    if (client) return client;
    const region = parseAwsKmsArn(keyId)?.region ?? this.options.region ?? '';
    client = this.clients.get(region) ?? new KMSClient({ region: region || undefined, maxAttempts: 1 });
    this.clients.set(region, client);
    this.keyClients.set(keyId, client);
    return client;
  }
}

/**
 * The AWS Encryption SDK's MRK-aware discovery keyring: decrypts only (encrypting needs a named key). It tries every
 * KMS EDK that passes the filter and that this region can use: a single-Region key only if it is in this region, a
 * multi-Region key through its replica here (the EDK's ARN with this region). It never calls another region.
 * @see https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/framework/aws-kms/aws-kms-mrk-discovery-keyring.md
 */
export class AwsKmsMrkDiscoveryKeyring implements Keyring {
  public readonly id: string;
  private readonly client: KMSClient;

  constructor(private readonly options: AwsKmsMrkDiscoveryKeyringOptions) {
    if (!options.region) throw new BadInputError('region is required for an AWS KMS MRK discovery keyring');
    const filter = options.discoveryFilter;
    if (filter && (!filter.partition || filter.accountIds.length === 0 || filter.accountIds.some((a) => !a))) {
      throw new BadInputError(`discoveryFilter needs a partition and at least one account id, got ${JSON.stringify(filter)}`);
    }
    this.client = options.client ?? new KMSClient({ region: options.region, maxAttempts: 1 });
    this.id = `${AWS_KMS_PROVIDER_ID}-mrk-discovery:${options.region}:${filter ? `${filter.partition}:${[...filter.accountIds].sort().join(',')}` : '*'}`;
  }

  public generateDataKey(): Promise<DataKeyMaterials> {
    return Promise.reject(new BadInputError('a discovery keyring cannot encrypt: name a key (AwsKmsMrkAwareKeyring)'));
  }

  public wrapDataKey(): Promise<EncryptedDataKey[]> {
    return Promise.reject(new BadInputError('a discovery keyring cannot encrypt: name a key (AwsKmsMrkAwareKeyring)'));
  }

  public async unwrapDataKey(edks: readonly EncryptedDataKey[], context: EncryptionContext): Promise<Buffer | undefined> {
    const { region, discoveryFilter: filter } = this.options;
    const attempts: Attempt[] = [];
    for (const { arn, parsed, e } of kmsEdks(edks)) {
      if (filter && (parsed.partition !== filter.partition || !filter.accountIds.includes(parsed.account))) continue;
      const mrk = parsed.resourceId.startsWith('mrk-');
      if (!mrk && parsed.region !== region) continue;
      attempts.push({ keyId: mrk ? formatAwsKmsArn({ ...parsed, region }) : arn, client: this.client, edk: e });
    }
    return decryptFirst(attempts, context, this.options);
  }
}

/** The message's KMS EDKs with their ARNs; a KMS EDK whose provider info is not a key ARN fails the decryption. */
function kmsEdks(edks: readonly EncryptedDataKey[]): { arn: string; parsed: AwsKmsArn; e: EncryptedDataKey }[] {
  const out: { arn: string; parsed: AwsKmsArn; e: EncryptedDataKey }[] = [];
  for (const e of edks) {
    if (e.providerId !== AWS_KMS_PROVIDER_ID) continue;
    const arn = e.providerInfo.toString('utf8');
    const parsed = keyArnOf(arn);
    if (!parsed) throw new AuthenticationError(`an AWS KMS data key names ${JSON.stringify(arn.slice(0, 200))}, which is not a KMS key ARN`);
    out.push({ arn, parsed, e });
  }
  return out;
}

function keyArnOf(id: string | undefined): AwsKmsArn | undefined {
  const parsed = id ? parseAwsKmsArn(id) : undefined;
  return parsed?.resourceType === 'key' ? parsed : undefined;
}

/**
 * Decrypt, one attempt at a time, until KMS answers with a 32-byte key for exactly the key asked for; every failure is
 * kept and reported together when none succeeds. Undefined when there was nothing to try.
 */
async function decryptFirst(attempts: Attempt[], context: EncryptionContext,
  options: { grantTokens?: string[]; retry?: RetryPolicy }): Promise<Buffer | undefined> {
  const failures: unknown[] = [];
  for (const { keyId, client, edk: e } of attempts) {
    try {
      const res = await call('Decrypt', options.retry, () => client.send(new DecryptCommand({
        KeyId: keyId, CiphertextBlob: e.ciphertext, EncryptionContext: context, GrantTokens: options.grantTokens,
      }), { abortSignal: attemptSignal(options.retry) }));
      if (res.KeyId !== keyId || !res.Plaintext || res.Plaintext.length !== DATA_KEY_LENGTH) {
        res.Plaintext?.fill(0);
        throw new AuthenticationError(res.KeyId !== keyId ? `KMS Decrypt under ${keyId} answered for ${res.KeyId ?? 'no key'}`
          : `KMS Decrypt under ${keyId} returned ${res.Plaintext?.length ?? 0} bytes, not a ${DATA_KEY_LENGTH}-byte data key`);
      }
      const dataKey = Buffer.from(res.Plaintext);
      res.Plaintext.fill(0);
      return dataKey;
    } catch (err) {
      if (err instanceof KeyringError) throw err;
      failures.push(err);
    }
  }
  if (failures.length === 0) return undefined;
  const described = failures.map((f) => (f instanceof AuthenticationError ? f.message : describeFailure(f))).join('; ');
  const authentication = failures.every((f) => f instanceof AuthenticationError || AUTHENTICATION_FAILURES.has((f as { name?: string }).name ?? ''));
  if (authentication) {
    throw new AuthenticationError(`no data key decrypted under the keyring's AWS KMS keys: ${described} (wrong key, wrong encryption context or tampered data key)`);
  }
  throw new KeyringError(`AWS KMS Decrypt failed: ${described}`, false);
}

function call<T>(operation: string, retry: RetryPolicy | undefined, op: () => Promise<T>): Promise<T> {
  return withRetry(`AWS KMS ${operation}`, op, retry).catch((err) => {
    if (err instanceof KeyringError || operation === 'Decrypt') throw err;
    throw new KeyringError(`AWS KMS ${operation} failed: ${describeFailure(err)}`, false);
  });
}
