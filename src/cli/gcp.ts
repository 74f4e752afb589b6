/*
 * Google Cloud KMS steps of the BYOK ceremony: fetch an import job's wrapping public key, and import material wrapped
 * with it (`cloud-kms byok wrap --algorithm RSA_OAEP_3072_SHA256_AES_256 | RSA_OAEP_4096_SHA256_AES_256`).
 * @see https://cloud.google.com/kms/docs/importing-a-key
 */
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { arg, usageError } from './args';
import { CliError } from './errors';

/** The calls the CLI makes; a KeyManagementServiceClient, or a stand-in in tests. */
export type GcpKmsClient = Pick<KeyManagementServiceClient, 'getImportJob' | 'getCryptoKey' | 'importCryptoKeyVersion' | 'updateCryptoKeyPrimaryVersion'>;

export const GCP_IMPORT_METHODS = ['RSA_OAEP_3072_SHA256_AES_256', 'RSA_OAEP_4096_SHA256_AES_256'];
// Key ring, key and import job ids match [a-zA-Z0-9_-]{1,63}; a project id may carry a domain (example.com:project).
// @see https://cloud.google.com/kms/docs/resource-hierarchy
const RING = String.raw`projects\/[a-z0-9.:-]{1,100}\/locations\/[a-z0-9-]{1,63}\/keyRings\/[a-zA-Z0-9_-]{1,63}`;
export const JOB_NAME = new RegExp(String.raw`^(${RING})\/importJobs\/[a-zA-Z0-9_-]{1,63}$`);
export const KEY_NAME = new RegExp(String.raw`^(${RING})\/cryptoKeys\/[a-zA-Z0-9_-]{1,63}$`);
/** How a flag's message names what JOB_NAME and KEY_NAME take. */
export const JOB_EXAMPLE = 'a full resource name such as projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id>';
export const KEY_EXAMPLE = 'a full resource name such as projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>';

type Timestamp = { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null | undefined;
const dateOf = (t: Timestamp): Date | undefined => (t?.seconds == null ? undefined : new Date(Number(t.seconds.toString()) * 1000));
const text = (v: unknown): string | undefined => (v == null ? undefined : String(v));

function requireName(value: string | undefined, pattern: RegExp, flag: string, example: string): RegExpMatchArray {
  const match = value?.match(pattern);
  if (!match) throw usageError(`${flag} must be a full resource name such as ${example}, got ${arg(value)}`);
  return match;
}

export interface ImportJobInfo {
  readonly name: string;
  readonly importMethod: string;
  readonly expiresAt?: string;
  readonly pem: string;
}

/** Fetches an import job and checks it can be used now: ACTIVE, HSM, a wrapping method the CLI supports. */
export async function getImportJob(client: GcpKmsClient, jobName: string, now: Date): Promise<ImportJobInfo> {
  requireName(jobName, JOB_NAME, '--import-job', 'projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id>');
  const [job] = await client.getImportJob({ name: jobName });
  const state = text(job.state);
  const expires = dateOf(job.expireTime as Timestamp);
  if (state === 'PENDING_GENERATION') throw new CliError(`import job ${jobName} is still generating its key; try again in a minute`);
  if (state === 'EXPIRED' || (expires && expires.getTime() <= now.getTime())) {
    throw new CliError(`import job ${jobName} expired${expires ? ` at ${expires.toISOString()}` : ''}: change the ByokImport's importJobId and deploy to get a new one`);
  }
  if (state !== 'ACTIVE') throw new CliError(`import job ${jobName} is ${state}, not ACTIVE`);
  const method = text(job.importMethod) ?? '';
  if (!GCP_IMPORT_METHODS.includes(method)) {
    throw new CliError(`import job ${jobName} uses ${method}; the CLI wraps for ${GCP_IMPORT_METHODS.join(' and ')}`);
  }
  if (text(job.protectionLevel) !== 'HSM') throw new CliError(`import job ${jobName} has protection level ${text(job.protectionLevel)}; ByokImport keys are HSM`);
  const pem = job.publicKey?.pem;
  if (!pem) throw new CliError(`Cloud KMS returned import job ${jobName} without its public key`);
  return { name: jobName, importMethod: method, expiresAt: expires?.toISOString(), pem };
}

export interface GcpImportRequest {
  readonly key: string;
  readonly importJob: string;
  readonly wrappedKey: Buffer;
  /** The version's algorithm. @default - the key's version template */
  readonly algorithm?: string;
  readonly makePrimary: boolean;
  readonly now: Date;
}

export interface GcpImportResult {
  readonly version: string;
  readonly state?: string;
  readonly algorithm?: string;
  readonly protectionLevel?: string;
  readonly primary: boolean;
}

/** ImportCryptoKeyVersion, after checking the key, the job and the wrapped material fit together. */
export async function importKeyVersion(client: GcpKmsClient, req: GcpImportRequest): Promise<GcpImportResult> {
  const [, keyRing] = requireName(req.key, KEY_NAME, '--key', 'projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>');
  const [, jobRing] = requireName(req.importJob, JOB_NAME, '--import-job', 'projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id>');
  if (keyRing !== jobRing) throw usageError(`the import job must be in the key's key ring (${keyRing}), got one in ${jobRing}`);
  const job = await getImportJob(client, req.importJob, req.now);
  const rsaBytes = job.importMethod.includes('_3072_') ? 384 : 512;
  // RSA-OAEP of the ephemeral AES key, then AES key wrap with padding of the material (at least 16 bytes).
  if (req.wrappedKey.length < rsaBytes + 24) {
    throw usageError(`--wrapped-key holds ${req.wrappedKey.length} bytes, too few for ${job.importMethod} (at least ${rsaBytes + 24}): wrap it with cloud-kms byok wrap --algorithm ${job.importMethod}`);
  }
  const [key] = await client.getCryptoKey({ name: req.key });
  const template = key.versionTemplate ?? {};
  const algorithm = req.algorithm ?? text(template.algorithm);
  if (!algorithm) throw new CliError(`key ${req.key} has no version template algorithm: pass --algorithm`);
  if (text(template.protectionLevel) !== 'HSM') {
    throw new CliError(`key ${req.key} has protection level ${text(template.protectionLevel)}; the import job makes HSM versions`);
  }
  if (req.makePrimary && text(key.purpose) !== 'ENCRYPT_DECRYPT') {
    throw new CliError(`--make-primary applies to symmetric (ENCRYPT_DECRYPT) keys; ${req.key} is ${text(key.purpose)}`);
  }
  const [version] = await client.importCryptoKeyVersion({
    parent: req.key, importJob: req.importJob, algorithm: algorithm as any, wrappedKey: req.wrappedKey,
  });
  const versionName = version.name ?? '';
  if (req.makePrimary) {
    await client.updateCryptoKeyPrimaryVersion({ name: req.key, cryptoKeyVersionId: versionName.split('/').pop() });
  }
  return {
    version: versionName,
    state: text(version.state),
    algorithm: text(version.algorithm) ?? algorithm,
    protectionLevel: text(version.protectionLevel),
    primary: req.makePrimary,
  };
}

/** Turns a Google Cloud client error into a message a custodian can act on (never the request, which holds the material). */
export function describeGcpError(err: unknown): string | undefined {
  const e = err as { code?: unknown; details?: unknown; message?: string };
  if (typeof e?.message === 'string' && /Could not load the default credentials/.test(e.message)) {
    return 'no Google credentials: run `gcloud auth application-default login` as one of the importers, or set GOOGLE_APPLICATION_CREDENTIALS';
  }
  if (typeof e?.code !== 'number' || typeof e.details !== 'string') return undefined;
  const hints: Record<number, [string, string]> = {
    3: ['INVALID_ARGUMENT', 'Cloud KMS rejected the request: check --algorithm matches the material and that it was wrapped with this job\'s public key'],
    5: ['NOT_FOUND', 'not found: check the key and import job names'],
    7: ['PERMISSION_DENIED', 'permission denied: only the ByokImport\'s importers (Cloud KMS Importer on the key ring) may import'],
    9: ['FAILED_PRECONDITION', `Cloud KMS refused: ${e.details.split('\n')[0].slice(0, 300)}`],
    16: ['UNAUTHENTICATED', 'not authenticated: run `gcloud auth application-default login`'],
  };
  const [name, hint] = hints[e.code] ?? [`gRPC ${e.code}`, e.details.split('\n')[0].slice(0, 300)];
  return `${name}: ${hint}`;
}
