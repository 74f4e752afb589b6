/*
 * AWS KMS key identifiers as the AWS Encryption SDK reads them, and the multi-Region key (MRK) rules its MRK-aware
 * keyrings follow. The rules are the ESDK specification's, not KMS's own ARN grammar:
 * https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/framework/aws-kms/aws-kms-key-arn.md
 * https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/framework/aws-kms/aws-kms-mrk-match-for-decrypt.md
 * https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/framework/aws-kms/aws-kms-mrk-are-unique.md
 */
import { BadInputError } from '../errors';
import { EncryptedDataKey } from '../header';

export const AWS_KMS_PROVIDER_ID = 'aws-kms';
/** KMS's answers when the ciphertext, key or context does not match: the message does not authenticate. */
export const AUTHENTICATION_FAILURES = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/** The EDK of a KMS response: the provider info is the key ARN KMS answered with. */
export function edk(keyArn: string, blob: Uint8Array): EncryptedDataKey {
  return { providerId: AWS_KMS_PROVIDER_ID, providerInfo: Buffer.from(keyArn, 'utf8'), ciphertext: Buffer.from(blob) };
}

/** The six parts of a KMS ARN; `resourceId` keeps any further `/`. */
export interface AwsKmsArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: 'key' | 'alias';
  readonly resourceId: string;
}

/**
 * The parts of a KMS ARN, or undefined when the string is not one (five `:`, `kms`, a `key` or `alias` resource).
 * Scans with indexOf rather than split: decryption parses every KMS EDK's ARN, on the hot path.
 */
export function parseAwsKmsArn(arn: string): AwsKmsArn | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  // A sixth ':' belongs to the resource (alias names may hold ':'), so only the first five delimit.
  const p = arn.indexOf(':', 4);
  const s = p < 0 ? -1 : arn.indexOf(':', p + 1);
  const r = s < 0 ? -1 : arn.indexOf(':', s + 1);
  const a = r < 0 ? -1 : arn.indexOf(':', r + 1);
  const slash = a < 0 ? -1 : arn.indexOf('/', a + 1);
  if (slash < 0) return undefined;
  const partition = arn.slice(4, p);
  const service = arn.slice(p + 1, s);
  const region = arn.slice(s + 1, r);
  const account = arn.slice(r + 1, a);
  const resourceType = arn.slice(a + 1, slash);
  const resourceId = arn.slice(slash + 1);
  if (!partition || service !== 'kms' || !region || !account || (resourceType !== 'key' && resourceType !== 'alias') || !resourceId) return undefined;
  return { partition, service, region, account, resourceType, resourceId };
}

export function formatAwsKmsArn(arn: AwsKmsArn): string {
  return `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resourceType}/${arn.resourceId}`;
}

/** A key ARN, an alias ARN, an alias name (`alias/...`) or a key id. */
export function isValidAwsKmsIdentifier(id: string): boolean {
  if (id.startsWith('arn:')) return parseAwsKmsArn(id) !== undefined;
  if (id.startsWith('alias/')) return id.length > 'alias/'.length;
  return id.length > 0 && !id.includes(':') && !id.includes('/');
}

/**
 * Whether an identifier names a multi-Region key: a key ARN or key id whose id starts with `mrk-`. An alias is never
 * one, even an alias named `mrk-...`. An ARN that does not parse is an error, not a "no".
 */
export function isMultiRegionKey(id: string): boolean {
  if (id.startsWith('arn:')) {
    const arn = parseAwsKmsArn(id);
    if (!arn) throw new BadInputError(`${JSON.stringify(id)} is not a valid AWS KMS ARN`);
    return arn.resourceType === 'key' && arn.resourceId.startsWith('mrk-');
  }
  if (id.startsWith('alias/')) return false;
  return id.startsWith('mrk-');
}

/**
 * The ESDK's "MRK match for decrypt": identical identifiers match; otherwise both must be multi-Region key ARNs
 * equal in everything but the region. A single-Region key never matches a key in another region, and neither does an
 * MRK of another account or partition.
 */
export function mrkMatch(configured: string, stored: string): boolean {
  if (configured === stored) return true;
  if (!isMultiRegionKey(configured) || !isMultiRegionKey(stored)) return false;
  const a = parseAwsKmsArn(configured);
  const b = parseAwsKmsArn(stored);
  // Two bare `mrk-` ids carry no account: only identical ones match (above), as the specification compares ARNs.
  return a !== undefined && b !== undefined && sameMrkInAnyRegion(a, b);
}

/** Both parsed ARNs name one multi-Region key, in whichever regions: mrkMatch for ARNs already parsed (the hot path). */
export function sameMrkInAnyRegion(a: AwsKmsArn, b: AwsKmsArn): boolean {
  return a.resourceType === 'key' && a.resourceId.startsWith('mrk-') && a.resourceId === b.resourceId && a.resourceType === b.resourceType
    && a.partition === b.partition && a.service === b.service && a.account === b.account;
}

/**
 * Refuses a list that names one multi-Region key twice (say its primary and a replica): which region to call would be
 * a guess. The error lists every identifier involved, not just the first pair.
 */
export function assertMrksAreUnique(ids: readonly string[]): void {
  const byResource = new Map<string, string[]>();
  for (const id of ids) {
    if (!isMultiRegionKey(id)) continue;
    const resource = id.startsWith('arn:') ? parseAwsKmsArn(id)!.resourceId : id;
    byResource.set(resource, [...(byResource.get(resource) ?? []), id]);
  }
  const duplicates = [...byResource.values()].filter((group) => group.length > 1).flat();
  if (duplicates.length > 0) {
    throw new BadInputError(`keyring names the same multi-Region key more than once, so the region to call is ambiguous: ${duplicates.join(', ')}`);
  }
}
