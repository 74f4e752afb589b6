/*
 * Azure Key Vault and Managed HSM steps of the BYOK ceremony: fetch the key-exchange key's public half, and upload a
 * `.byok` transfer blob (made by `cloud-kms byok wrap --algorithm AZURE_BYOK`) as a new HSM-protected key.
 * @see https://learn.microsoft.com/azure/key-vault/keys/byok-specification
 */
import * as crypto from 'crypto';
import { JsonWebKey, KeyClient, KeyCurveName, KeyOperation, parseKeyVaultKeyIdentifier } from '@azure/keyvault-keys';
import { arg, usageError } from './args';
import { CliError } from './errors';

/** Key types a `.byok` blob can be imported as. */
export const AZURE_IMPORT_KEY_TYPES = ['RSA-HSM', 'EC-HSM', 'oct-HSM'];
export const AZURE_CURVES = ['P-256', 'P-384', 'P-521', 'P-256K'];
const KEY_OPERATIONS = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'];
const DEFAULT_OPERATIONS: Record<string, string[]> = {
  'RSA-HSM': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
  'EC-HSM': ['sign', 'verify'],
  'oct-HSM': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
};
const KEY_NAME = /^[a-zA-Z0-9-]{1,127}$/;

/** Tags the CLI puts on every key it imports. */
export const IMPORTED_BY_TAG = 'cloud-kms:imported-by';
export const KEK_TAG = 'cloud-kms:kek-id';

/** A vault or Managed HSM URL: `https://<name>.vault.azure.net` (or a sovereign cloud's) or `https://<name>.managedhsm.azure.net`. */
// Key Vault and Managed HSM DNS suffixes of the public and sovereign clouds
// (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#dns-suffixes-for-object-identifiers).
// Checked on the text as written: URL() would turn a non-ASCII host into punycode and accept it.
const VAULT_URL = /^https:\/\/[A-Za-z0-9-]{1,24}\.(?:vault|managedhsm)\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)(?::443)?\/?$/i;

export function vaultUrlOf(value: string, flag: string): string {
  if (!VAULT_URL.test(value)) {
    throw usageError(`${flag} must be a vault or Managed HSM URL such as https://my-vault.vault.azure.net, got ${arg(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`${flag} must be a vault or Managed HSM URL such as https://my-vault.vault.azure.net, got ${arg(value)}`);
  }
  if (url.protocol !== 'https:' || !/\.(vault|managedhsm)\./.test(url.hostname) || (url.pathname !== '/' && url.pathname !== '')) {
    throw usageError(`${flag} must be a vault or Managed HSM URL such as https://my-vault.vault.azure.net, got ${arg(value)}`);
  }
  return url.origin;
}

export function parseKekId(kekId: string): { vaultUrl: string; name: string; version?: string } {
  try {
    const id = parseKeyVaultKeyIdentifier(kekId);
    return { vaultUrl: vaultUrlOf(id.vaultUrl, '--kek-id'), name: id.name, version: id.version };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw usageError(`--kek-id must be a key identifier such as https://my-vault.vault.azure.net/keys/<name>/<version>, got ${arg(kekId)}`);
  }
}

export interface KekPublicKey {
  /** The versioned key identifier, to pass to `byok wrap --kek-id`. */
  readonly kekId: string;
  readonly vaultUrl: string;
  readonly bits: number;
  /** SubjectPublicKeyInfo, PEM. */
  readonly pem: string;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Fetches the key-exchange key and checks it is one: RSA-HSM, 2048 to 4096 bits, `import` its only operation. */
export async function getKekPublicKey(clientFor: (vaultUrl: string) => KeyClient, kekId: string): Promise<KekPublicKey> {
  const id = parseKekId(kekId);
  const key = await clientFor(id.vaultUrl).getKey(id.name, { version: id.version });
  const ops = (key.keyOperations ?? []).map(String);
  if (ops.length !== 1 || ops[0].toLowerCase() !== 'import') {
    throw new CliError(`${kekId} is not a key-exchange key: its operations are [${ops.join(', ')}], a key-exchange key has only [import]`);
  }
  if (key.keyType !== 'RSA-HSM' && key.keyType !== 'RSA') {
    throw new CliError(`${kekId} is a ${key.keyType} key; a key-exchange key is RSA-HSM`);
  }
  const jwk = key.key;
  if (!jwk?.n || !jwk.e || !key.id) throw new CliError(`Azure returned ${kekId} without its public key`);
  const publicKey = crypto.createPublicKey({ key: { kty: 'RSA', n: b64url(jwk.n), e: b64url(jwk.e) }, format: 'jwk' });
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (![2048, 3072, 4096].includes(bits)) {
    throw new CliError(`${kekId} is RSA-${bits}; a key-exchange key is RSA 2048, 3072 or 4096`);
  }
  return { kekId: key.id, vaultUrl: id.vaultUrl, bits, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The header of a `.byok` transfer blob; the ciphertext is opaque here and never printed. */
export function readByokBlob(blob: Buffer, flag: string): { kekId: string } {
  let parsed: any;
  try {
    parsed = JSON.parse(blob.toString('utf8'));
  } catch {
    throw usageError(`${flag} is not a .byok transfer blob (JSON with schema_version, header and ciphertext)`);
  }
  const kid = parsed?.header?.kid;
  if (typeof parsed?.schema_version !== 'string' || typeof kid !== 'string' || typeof parsed?.ciphertext !== 'string') {
    throw usageError(`${flag} is not a .byok transfer blob (JSON with schema_version, header and ciphertext)`);
  }
  if (parsed.header.enc !== 'CKM_RSA_AES_KEY_WRAP') {
    throw usageError(`${flag} is wrapped with ${arg(String(parsed.header.enc))}; Azure imports CKM_RSA_AES_KEY_WRAP`);
  }
  return { kekId: kid };
}

export interface AzureImportRequest {
  readonly vaultUrl: string;
  readonly keyName: string;
  readonly blob: Buffer;
  readonly keyType: string;
  readonly curve?: string;
  readonly keyOps?: string[];
  /** When the imported key expires; undefined only with `noExpiry`. */
  readonly expiresOn?: Date;
  readonly notBefore?: Date;
  readonly now: Date;
}

export interface AzureImportResult {
  readonly keyId: string;
  readonly keyName: string;
  readonly version?: string;
  readonly keyType?: string;
  readonly keyOps: string[];
  readonly expiresOn?: string;
  readonly kekId: string;
}

/** Checks the request, then imports the blob as a new HSM-protected key (or a new version of it). */
export async function importByok(clientFor: (vaultUrl: string) => KeyClient, req: AzureImportRequest): Promise<AzureImportResult> {
  if (!KEY_NAME.test(req.keyName)) throw usageError(`--key-name must be 1 to 127 letters, digits and hyphens, got ${arg(req.keyName)}`);
  if (!AZURE_IMPORT_KEY_TYPES.includes(req.keyType)) {
    throw usageError(`--key-type must be one of ${AZURE_IMPORT_KEY_TYPES.join(', ')}, got ${arg(req.keyType)}`);
  }
  if (req.keyType === 'EC-HSM' && !req.curve) throw usageError(`--curve is required for EC-HSM: one of ${AZURE_CURVES.join(', ')}`);
  if (req.curve && (req.keyType !== 'EC-HSM' || !AZURE_CURVES.includes(req.curve))) {
    throw usageError(`--curve applies to EC-HSM keys and must be one of ${AZURE_CURVES.join(', ')}, got ${arg(req.curve)} for ${req.keyType}`);
  }
  if (req.keyType === 'oct-HSM' && !/\.managedhsm\./.test(req.vaultUrl)) {
    throw usageError('--key-type oct-HSM (AES) keys can be imported only into a Managed HSM');
  }
  const keyOps = req.keyOps ?? DEFAULT_OPERATIONS[req.keyType];
  const unknown = keyOps.filter((o) => !KEY_OPERATIONS.includes(o));
  if (unknown.length > 0 || keyOps.length === 0) {
    throw usageError(`--key-ops must list operations from ${KEY_OPERATIONS.join(', ')}, got ${keyOps.length > 0 ? arg(keyOps.join(',')) : 'none'}`);
  }
  if (req.expiresOn && req.expiresOn.getTime() <= req.now.getTime()) {
    throw usageError(`the key expiry ${req.expiresOn.toISOString()} is in the past; choose a later one`);
  }
  const { kekId } = readByokBlob(req.blob, '--byok');
  let kek: { vaultUrl: string };
  try {
    kek = parseKekId(kekId);
  } catch {
    throw usageError(`--byok names ${arg(kekId)} as its key-exchange key, which is not a key identifier: wrap it again with cloud-kms byok wrap --kek-id`);
  }
  if (kek.vaultUrl !== req.vaultUrl) {
    throw usageError(`--byok was wrapped for the key-exchange key of ${kek.vaultUrl}, not ${req.vaultUrl}: it can be imported only there`);
  }
  const jwk: JsonWebKey = {
    kty: req.keyType as JsonWebKey['kty'],
    keyOps: keyOps as KeyOperation[],
    crv: req.curve as KeyCurveName | undefined,
    t: new Uint8Array(req.blob),
  };
  const key = await clientFor(req.vaultUrl).importKey(req.keyName, jwk, {
    hardwareProtected: true,
    exportable: false,
    enabled: true,
    expiresOn: req.expiresOn,
    notBefore: req.notBefore,
    tags: { [IMPORTED_BY_TAG]: 'cloud-kms byok azure import', [KEK_TAG]: kekId },
  });
  return {
    keyId: key.id ?? `${req.vaultUrl}/keys/${req.keyName}`,
    keyName: key.name,
    version: key.properties.version,
    keyType: key.keyType,
    keyOps: (key.keyOperations ?? keyOps).map(String),
    expiresOn: key.properties.expiresOn?.toISOString(),
    kekId,
  };
}

/** Turns an Azure SDK error into a message a custodian can act on (never the request, which holds the blob). */
export function describeAzureError(err: unknown): string | undefined {
  const e = err as { name?: string; statusCode?: number; code?: string; message?: string };
  if (!e || e.name !== 'RestError') {
    if (e?.name === 'CredentialUnavailableError' || e?.name === 'AuthenticationError' || e?.name === 'AggregateAuthenticationError') {
      return 'no Azure credentials: sign in with `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or certificate';
    }
    return undefined;
  }
  const hints: Record<number, string> = {
    401: 'not authenticated to the vault: sign in with `az login` as one of the importers',
    403: 'access denied: only the ByokImport\'s importers (role "cloud-kms key importer") may import, and the vault firewall must let you in',
    404: 'not found: check the vault URL, the key-exchange key id and that the key-exchange key is enabled',
    409: 'conflict: a deleted key with this name is in soft delete; recover it or choose another --key-name',
  };
  const detail = (e.message ?? '').split('\n')[0].slice(0, 300);
  return `${e.code ?? 'Azure'} (HTTP ${e.statusCode ?? '?'}): ${hints[e.statusCode ?? 0] ?? detail}`;
}
