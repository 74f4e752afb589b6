import {
  DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient, KMSServiceException,
  ListResourceTagsCommand, RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { arg, usageError } from './args';
import { CliError } from './errors';
import { KEY_MATERIAL_EXPIRY_TAG as EXPIRY_TAG, WRAPPING_ALGORITHM_TAG as WRAPPING_TAG } from '../aws/byok-tags';

export const AWS_WRAPPING_ALGORITHMS = ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'];
export const AWS_WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

export interface ImportParameters {
  readonly keyId: string;
  readonly keyArn: string;
  readonly wrappingAlgorithm: string;
  readonly wrappingKeySpec: string;
  readonly publicKey: Uint8Array;
  readonly importToken: Uint8Array;
  readonly parametersValidTo: Date;
}

/** The key's tags, all pages. */
export async function keyTags(client: KMSClient, keyId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = await client.send(new ListResourceTagsCommand({ KeyId: keyId, Marker: marker }));
    for (const t of page.Tags ?? []) {
      if (t.TagKey) out[t.TagKey] = t.TagValue ?? '';
    }
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}

interface ImportableKey {
  readonly arn: string;
  readonly keyId: string;
  readonly state: string;
  /** A multi-Region primary's replica Regions (empty for other keys). */
  readonly replicaRegions: string[];
  /** A symmetric multi-Region replica: it takes only material already imported into its primary. */
  readonly symmetricReplica: boolean;
}

async function requireImportableKey(client: KMSClient, keyId: string): Promise<ImportableKey> {
  const { KeyMetadata: m } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
  if (!m) throw new CliError(`key ${keyId} was not found`);
  if (m.Origin !== 'EXTERNAL') {
    throw new CliError(`key ${keyId} has origin ${m.Origin}; only keys created for import (Origin EXTERNAL, aws.ByokImport) take key material`);
  }
  if (m.KeyState === 'PendingDeletion' || m.KeyState === 'Unavailable') {
    throw new CliError(`key ${keyId} is ${m.KeyState} and cannot take key material`);
  }
  const type = m.MultiRegionConfiguration?.MultiRegionKeyType;
  return {
    arn: m.Arn!,
    keyId: m.KeyId!,
    state: m.KeyState ?? 'unknown',
    replicaRegions: type === 'PRIMARY' ? (m.MultiRegionConfiguration?.ReplicaKeys ?? []).map((r) => r.Region!) : [],
    symmetricReplica: type === 'REPLICA' && m.KeySpec === 'SYMMETRIC_DEFAULT',
  };
}

/** GetParametersForImport, with the wrapping algorithm from the key's tag unless one is given. */
export async function getImportParameters(
  client: KMSClient, keyId: string, algorithm: string | undefined, wrappingKeySpec: string,
): Promise<ImportParameters> {
  const key = await requireImportableKey(client, keyId);
  const chosen = algorithm ?? (await keyTags(client, keyId))[WRAPPING_TAG] ?? 'RSAES_OAEP_SHA_256';
  if (!AWS_WRAPPING_ALGORITHMS.includes(chosen)) {
    throw (algorithm === undefined
      ? new CliError(`key ${keyId} has ${WRAPPING_TAG} ${arg(chosen)}, not one of ${AWS_WRAPPING_ALGORITHMS.join(', ')}: pass --algorithm`)
      : usageError(`--algorithm must be one of ${AWS_WRAPPING_ALGORITHMS.join(', ')} for AWS KMS, got ${arg(chosen)}`));
  }
  if (!AWS_WRAPPING_KEY_SPECS.includes(wrappingKeySpec)) {
    throw usageError(`--wrapping-key-spec must be one of ${AWS_WRAPPING_KEY_SPECS.join(', ')}, got ${arg(wrappingKeySpec)}`);
  }
  const res = await client.send(new GetParametersForImportCommand({
    KeyId: keyId, WrappingAlgorithm: chosen as any, WrappingKeySpec: wrappingKeySpec as any,
  }));
  if (!res.PublicKey || !res.ImportToken || !res.ParametersValidTo) {
    throw new CliError(`KMS returned incomplete import parameters for ${keyId}`);
  }
  return {
    keyId: key.keyId,
    keyArn: key.arn,
    wrappingAlgorithm: chosen,
    wrappingKeySpec,
    publicKey: res.PublicKey,
    importToken: res.ImportToken,
    parametersValidTo: res.ParametersValidTo,
  };
}

export interface ImportRequest {
  readonly keyId: string;
  readonly importToken: Uint8Array;
  readonly encryptedKeyMaterial: Uint8Array;
  /** An ISO date, 'none' for no expiry, or undefined to use the key's expiry tag. */
  readonly expiry?: string;
  /** Import new material for on-demand rotation instead of (re-)importing the current material. */
  readonly newMaterial: boolean;
  /** After importing new material, make it current (RotateKeyOnDemand). */
  readonly rotate: boolean;
  readonly now: Date;
}

export interface ImportResult {
  readonly keyId: string;
  readonly keyArn: string;
  readonly expirationModel: string;
  readonly validTo?: string;
  readonly keyMaterialId?: string;
  readonly rotated: boolean;
  /** A multi-Region primary's replica Regions, which this import did not reach. */
  readonly replicaRegions?: string[];
}

/**
 * When imported material expires: the expiry given (an ISO date, or 'none' for never), else the key's expiry tag
 * (which the construct sets). undefined means the material does not expire.
 */
export async function resolveExpiry(client: KMSClient, keyId: string, given: string | undefined, now: Date): Promise<Date | undefined> {
  const expiry = given ?? (await keyTags(client, keyId))[EXPIRY_TAG];
  // The expiry comes from the command line or, failing that, from the key's tag: a bad one is named by where it came from.
  const source = given === undefined ? `key ${keyId}'s ${EXPIRY_TAG} tag` : '--expires-at';
  if (expiry === undefined) {
    throw new CliError(`key ${keyId} has no ${EXPIRY_TAG} tag: pass --expires-at <ISO date> or --no-expiry`);
  }
  if (expiry === 'none') return undefined;
  const validTo = new Date(expiry);
  if (Number.isNaN(validTo.getTime())) {
    throw (given === undefined ? new CliError(`${source} must be an ISO 8601 date, got ${arg(expiry)}`)
      : usageError(`--expires-at must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got ${arg(expiry)}`));
  }
  if (validTo.getTime() <= now.getTime()) {
    const message = `the key material expiry ${validTo.toISOString()} is in the past; choose a later --expires-at`;
    throw (given === undefined ? new CliError(`${message} (it came from ${source})`) : usageError(message));
  }
  return validTo;
}

/** ImportKeyMaterial with the expiry the construct chose (or the one given), then optionally rotate. */
export async function importKeyMaterial(client: KMSClient, req: ImportRequest): Promise<ImportResult> {
  if (req.rotate && !req.newMaterial) {
    throw usageError('--rotate needs --new-material: on-demand rotation makes newly imported material current');
  }
  const key = await requireImportableKey(client, req.keyId);
  if (key.symmetricReplica && req.newMaterial) {
    throw usageError(`key ${req.keyId} is a multi-Region replica: new material goes into its primary first, then into the replicas as existing material (leave out --new-material)`);
  }
  const validTo = await resolveExpiry(client, req.keyId, req.expiry, req.now);
  const res = await client.send(new ImportKeyMaterialCommand({
    KeyId: req.keyId,
    ImportToken: req.importToken,
    EncryptedKeyMaterial: req.encryptedKeyMaterial,
    ExpirationModel: validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    ValidTo: validTo,
    // A replica takes only material its primary holds (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
    ImportType: req.newMaterial ? 'NEW_KEY_MATERIAL' : key.symmetricReplica ? 'EXISTING_KEY_MATERIAL' : undefined,
  }));
  if (req.rotate) {
    await client.send(new RotateKeyOnDemandCommand({ KeyId: req.keyId }));
  }
  return {
    keyId: key.keyId,
    keyArn: key.arn,
    expirationModel: validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    validTo: validTo?.toISOString(),
    keyMaterialId: res.KeyMaterialId,
    rotated: req.rotate,
    replicaRegions: key.replicaRegions.length > 0 ? key.replicaRegions : undefined,
  };
}

/** Turns an AWS SDK error into a message a custodian can act on. */
export function describeAwsError(err: unknown): string | undefined {
  if (!(err instanceof KMSServiceException) && !(err instanceof Error && (err as any).$metadata)) return undefined;
  const e = err as Error & { name: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
  if (e.name === 'SyntaxError') {
    // The SDK could not parse the reply: a proxy's or load balancer's error page, or an endpoint that is not KMS.
    const type = e.$response?.headers?.['content-type'];
    return `the endpoint replied HTTP ${e.$metadata?.httpStatusCode ?? '?'} with ${type ? `${type.split(';')[0]}, ` : ''}not a KMS reply: ` +
      'check --endpoint, --region and any proxy between you and KMS';
  }
  const hints: Record<string, string> = {
    ExpiredImportTokenException: 'the import token has expired: run `cloud-kms byok aws params` again and re-wrap',
    InvalidImportTokenException: 'the import token does not belong to this key or these parameters',
    IncorrectKeyMaterialException: 'the wrapped material does not match the key (wrong material, wrapping key or algorithm)',
    InvalidCiphertextException: 'KMS could not unwrap the material: check --algorithm matches the one the parameters were fetched for',
    NotFoundException: 'the key was not found in this account and region',
    AccessDeniedException: 'access denied: only the key\'s importers may do this, with MFA under dual control',
    UnsupportedOperationException: 'KMS does not support this operation for this key',
    KMSInvalidStateException: 'the key is not in a state that allows this',
  };
  return `${e.name}: ${hints[e.name] ?? e.message}`;
}
