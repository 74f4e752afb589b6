/*
 * The multi-Region BYOK ceremony on AWS KMS: the same key material into a multi-Region primary key and every one of
 * its replicas, then proof that it is the same (a test encryption under the primary, decrypted under each replica).
 *
 * AWS KMS does not copy imported material from a primary to its replicas: each related key takes its own import, with
 * its own expiration, and only keys holding the same material interoperate
 * (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html).
 */
import { randomBytes, timingSafeEqual } from 'crypto';
import {
  DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyPolicyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand,
  KeyMetadata, KMSClient, ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { arg, usageError } from './args';
import { CliError } from './errors';
import { readWrappingPublicKey, WrapAlgorithm, wrapKeyMaterial } from './wrap';

/** A KMS client for a Region (all share the command's --endpoint). */
export type ClientFor = (region: string) => KMSClient;

export interface RegionalKey {
  readonly region: string;
  readonly arn: string;
}

export interface MultiRegionPrimary extends RegionalKey {
  readonly keyId: string;
  readonly state: string;
  readonly replicas: RegionalKey[];
  /** The primary's current expiry when it holds material: 'none', or the ISO date; undefined when it holds none. */
  readonly currentExpiry?: string;
}

/** States in which the primary cannot take material or cannot encrypt the test plaintext the verification needs. */
const UNUSABLE_STATES = ['PendingDeletion', 'PendingReplicaDeletion', 'Unavailable', 'Disabled'];

/** The Region of a KMS key ARN (arn:partition:kms:region:account:key/id). */
function regionOf(arn: string): string {
  return arn.split(':')[3];
}

/**
 * DescribeKey of the key the ceremony imports into: a multi-Region primary of origin EXTERNAL, symmetric (the
 * verification encrypts under it), and its replicas as KMS lists them, so none is forgotten.
 */
export async function describePrimary(client: KMSClient, keyId: string): Promise<MultiRegionPrimary> {
  const { KeyMetadata: m } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  if (!m?.Arn || !m.KeyId) throw new CliError(`key ${keyId} was not found`);
  if (m.Origin !== 'EXTERNAL') {
    throw new CliError(`key ${keyId} has origin ${m.Origin}; only keys created for import (Origin EXTERNAL, aws.ByokImport) take key material`);
  }
  const config = m.MultiRegionConfiguration;
  if (!m.MultiRegion || !config) {
    throw new CliError(`key ${keyId} is a single-Region key: only a multi-Region primary (MultiRegion true) has replicas; use \`cloud-kms byok aws import\``);
  }
  if (config.MultiRegionKeyType !== 'PRIMARY') {
    throw new CliError(`key ${keyId} is a replica; give its primary key ${config.PrimaryKey?.Arn ?? '(unknown)'}: material goes into the primary first`);
  }
  if (m.KeySpec !== 'SYMMETRIC_DEFAULT' || m.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw new CliError(`key ${keyId} is ${m.KeySpec} for ${m.KeyUsage}: the multi-Region ceremony proves the material matches by encrypting ` +
      'under the primary and decrypting under each replica, which needs a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key');
  }
  if (UNUSABLE_STATES.includes(m.KeyState ?? '')) throw new CliError(`key ${keyId} is ${m.KeyState} and cannot take key material`);
  const replicas = (config.ReplicaKeys ?? []).map((r) => ({ region: r.Region ?? regionOf(r.Arn!), arn: r.Arn! }));
  return { keyId: m.KeyId, arn: m.Arn, region: regionOf(m.Arn), state: m.KeyState ?? 'unknown', replicas, currentExpiry: currentExpiry(m) };
}

function currentExpiry(m: KeyMetadata): string | undefined {
  if (m.ExpirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') return 'none';
  if (m.ExpirationModel === 'KEY_MATERIAL_EXPIRES' && m.ValidTo) return m.ValidTo.toISOString();
  return undefined;
}

export interface ReplicaPlan {
  readonly existing: RegionalKey[];
  /** Regions --replica-region named that hold no replica yet (only with --create-replicas). */
  readonly toCreate: string[];
  /** Replicas KMS lists that --replica-region did not name: imported all the same, so none is left without material. */
  readonly notNamed: string[];
}

/** Checks the Regions named on the command line against the replicas KMS lists, before anything is changed. */
export function planReplicas(primary: MultiRegionPrimary, named: string[], create: boolean): ReplicaPlan {
  const duplicate = named.find((r, i) => named.indexOf(r) !== i);
  if (duplicate) throw usageError(`--replica-region lists ${arg(duplicate)} twice`);
  if (named.includes(primary.region)) {
    throw usageError(`--replica-region ${primary.region} is the primary's Region: a replica is in another Region of the same partition`);
  }
  const listed = primary.replicas.map((r) => r.region);
  const missing = named.filter((r) => !listed.includes(r));
  if (missing.length > 0 && !create) {
    throw usageError(`--replica-region ${missing.join(', ')}: key ${primary.keyId} has no replica there (its replicas: ` +
      `${listed.length > 0 ? listed.join(', ') : 'none'}); give --create-replicas to create one with the primary's key policy`);
  }
  if (listed.length === 0 && missing.length === 0) {
    throw new CliError(`key ${primary.keyId} has no replicas: create them (aws.ReplicaKey, or --create-replicas --replica-region <region>) first`);
  }
  return {
    existing: primary.replicas,
    toCreate: missing,
    notNamed: named.length > 0 ? listed.filter((r) => !named.includes(r)) : [],
  };
}

/**
 * ReplicateKey into each Region with the primary's own key policy (KMS would otherwise give the replica the default
 * key policy, which lets the account's IAM policies use the key), then waits until the replica has left Creating.
 */
export async function createReplicas(clientFor: ClientFor, primary: MultiRegionPrimary, regions: string[]): Promise<RegionalKey[]> {
  if (regions.length === 0) return [];
  const client = clientFor(primary.region);
  const { Policy: policy } = await client.send(new GetKeyPolicyCommand({ KeyId: primary.arn, PolicyName: 'default' }));
  if (!policy) throw new CliError(`KMS returned no key policy for ${primary.arn}; no replica was created`);
  const created: RegionalKey[] = [];
  for (const region of regions) {
    const res = await client.send(new ReplicateKeyCommand({ KeyId: primary.arn, ReplicaRegion: region, Policy: policy }));
    const arn = res.ReplicaKeyMetadata?.Arn;
    if (!arn) throw new CliError(`ReplicateKey into ${region} returned no replica`);
    if (res.ReplicaPolicy === undefined || !samePolicy(res.ReplicaPolicy, policy)) {
      throw new CliError(`the replica in ${region} (${arn}) did not get the primary's key policy: check it before importing`);
    }
    await waitWhileCreating(clientFor(region), arn, region);
    created.push({ region, arn });
  }
  return created;
}

function samePolicy(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** A new replica is Creating for a few seconds (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html). */
async function waitWhileCreating(client: KMSClient, arn: string, region: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const { KeyMetadata: m } = await client.send(new DescribeKeyCommand({ KeyId: arn }));
    if (m?.KeyState !== 'Creating') return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new CliError(`the replica in ${region} (${arn}) is still Creating after 2 minutes; run the ceremony again later`);
}

export interface ImportOptions {
  readonly algorithm: WrapAlgorithm;
  readonly wrappingKeySpec: string;
  readonly validTo?: Date;
  readonly now: Date;
}

/**
 * GetParametersForImport in the key's Region, the material wrapped under that Region's wrapping key in memory, and
 * ImportKeyMaterial. A replica takes EXISTING_KEY_MATERIAL: new material goes into the primary only
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html#KMS-ImportKeyMaterial-request-ImportType).
 */
export async function importInto(
  client: KMSClient, key: RegionalKey, replica: boolean, material: Buffer, o: ImportOptions,
): Promise<string | undefined> {
  const params = await client.send(new GetParametersForImportCommand({
    KeyId: key.arn, WrappingAlgorithm: o.algorithm as any, WrappingKeySpec: o.wrappingKeySpec as any,
  }));
  if (!params.PublicKey || !params.ImportToken || !params.ParametersValidTo) {
    throw new CliError(`KMS returned incomplete import parameters for ${key.arn}`);
  }
  if (params.ParametersValidTo.getTime() <= o.now.getTime()) throw new CliError(`the import token KMS returned for ${key.region} has already expired`);
  const publicKey = readWrappingPublicKey(Buffer.from(params.PublicKey), `the wrapping public key of ${key.region}`);
  const wrapped = wrapKeyMaterial({ algorithm: o.algorithm, publicKey, material });
  const res = await client.send(new ImportKeyMaterialCommand({
    KeyId: key.arn,
    ImportToken: params.ImportToken,
    EncryptedKeyMaterial: wrapped,
    ExpirationModel: o.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    ValidTo: o.validTo,
    ImportType: replica ? 'EXISTING_KEY_MATERIAL' : undefined,
  }));
  return res.KeyMaterialId;
}

/** Binds the test ciphertext to this use, so it proves nothing elsewhere. */
const VERIFICATION_CONTEXT = { 'cloud-kms:ceremony': 'multi-region-material-check' };

/**
 * Encrypts a random plaintext under the primary and decrypts it under each replica, in the replica's Region and naming
 * the replica's ARN, so a reply from any other key (or Region) does not count. Returns, by Region, why a replica failed.
 * The plaintext is never returned, printed or logged, and is zeroed after use.
 */
export async function verifyReplicas(clientFor: ClientFor, primary: RegionalKey, replicas: RegionalKey[]): Promise<Record<string, string>> {
  const plaintext = randomBytes(32);
  const failures: Record<string, string> = {};
  try {
    const enc = await clientFor(primary.region).send(new EncryptCommand({
      KeyId: primary.arn, Plaintext: plaintext, EncryptionContext: VERIFICATION_CONTEXT,
    }));
    if (!enc.CiphertextBlob) throw new CliError(`the test encryption under the primary ${primary.arn} returned no ciphertext`);
    for (const replica of replicas) {
      const reason = await decryptsUnder(clientFor(replica.region), replica, enc.CiphertextBlob, plaintext);
      if (reason) failures[replica.region] = reason;
    }
  } finally {
    plaintext.fill(0);
  }
  return failures;
}

async function decryptsUnder(client: KMSClient, replica: RegionalKey, ciphertext: Uint8Array, expected: Buffer): Promise<string | undefined> {
  let decrypted: Uint8Array | undefined;
  try {
    const res = await client.send(new DecryptCommand({
      CiphertextBlob: ciphertext, KeyId: replica.arn, EncryptionContext: VERIFICATION_CONTEXT,
    }));
    decrypted = res.Plaintext;
    if (res.KeyId !== replica.arn) return `the test decryption was answered by ${res.KeyId ?? 'no key'}, not the replica`;
    const got = Buffer.from(decrypted?.buffer ?? new ArrayBuffer(0), decrypted?.byteOffset ?? 0, decrypted?.byteLength ?? 0);
    const same = got.length === expected.length && timingSafeEqual(got, expected);
    return same ? undefined : 'the replica decrypted the primary\'s test ciphertext to a different plaintext';
  } catch (e) {
    // The error's name only: it is all a custodian needs to act on, and no KMS message text can carry anything here.
    return `the replica could not decrypt the primary's test ciphertext (${(e as Error)?.name ?? 'Error'})`;
  } finally {
    decrypted?.fill(0);
  }
}
