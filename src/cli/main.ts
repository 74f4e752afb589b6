#!/usr/bin/env node
/*
 * cloud-kms: the key ceremony CLI of cloud-kms-constructs.
 *
 *   cloud-kms byok aws params   fetch the wrapping public key and import token for a ByokImport key
 *   cloud-kms byok wrap         wrap key material (or combine custodians' components) offline
 *   cloud-kms byok aws import   import wrapped material with the expiry the construct chose
 *   cloud-kms byok azure kek    fetch the public half of a ByokImport's key-exchange key
 *   cloud-kms byok azure import upload a .byok blob as an HSM-protected key
 *   cloud-kms byok gcp job      fetch a ByokImport's import job public key
 *   cloud-kms byok gcp import   import wrapped material as a new key version
 *   cloud-kms report <dir>      the control table of a synthesis output (cloud assembly or cdktf.out)
 *   cloud-kms check <file>      the KMS rule pack on one template (CloudFormation or Terraform JSON)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { parseArgs } from 'util';
import { KMSClient } from '@aws-sdk/client-kms';
import { DefaultAzureCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { AWS_WRAPPING_ALGORITHMS, describeAwsError, getImportParameters, importKeyMaterial } from './aws';
import { AZURE_CURVES, AZURE_IMPORT_KEY_TYPES, describeAzureError, getKekPublicKey, importByok, vaultUrlOf } from './azure';
import { checkFile, findingsTable, profileNamed, readReport, reportTable } from './compliance';
import { CliError } from './errors';
import { describeGcpError, GcpKmsClient, getImportJob, importKeyVersion } from './gcp';
import {
  combineComponents, describeMaterial, keyCheckValue, readWrappingPublicKey, WRAP_ALGORITHMS, WrapAlgorithm, wrapKeyMaterial,
} from './wrap';

/** Where the CLI writes and how it reaches AWS and Azure; replaced in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly kms: (options: { region?: string; endpoint?: string }) => KMSClient;
  /** A Key Vault keys client for a vault or Managed HSM URL, signed in as the importer. */
  readonly azureKeys: (vaultUrl: string) => KeyClient;
  /** A Cloud KMS client, signed in with Application Default Credentials as the importer. */
  readonly gcpKms: () => GcpKmsClient;
  readonly now: () => Date;
}

type Flags = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

interface Command {
  readonly path: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: Flags;
  readonly run: (values: Record<string, any>, io: CliIo) => Promise<Record<string, unknown>>;
  readonly print: (result: Record<string, unknown>) => string;
  /** The one positional argument the command takes (a path), by name for messages. */
  readonly positional?: string;
  /** The exit code for a result (a failed check is not an error). @default 0 */
  readonly exitCode?: (result: Record<string, unknown>) => number;
}

const COMMON: Flags = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const AWS_FLAGS: Flags = { region: { type: 'string' }, endpoint: { type: 'string' } };

function readInput(path: string | undefined, flag: string): Buffer {
  if (!path) throw new CliError(`${flag} is required`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

function writeOutput(path: string, data: Uint8Array | string, flag: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data, { mode: 0o600 });
  } catch (e) {
    throw new CliError(`cannot write ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unwritable'}`);
  }
}

const PARAMS: Command = {
  path: 'byok aws params',
  summary: 'Fetch the wrapping public key and import token for a ByokImport key (GetParametersForImport).',
  usage: `cloud-kms byok aws params --key-id <id|arn|alias> --out-dir <dir> [options]

Options:
  --key-id <id>              the key to import into (the ByokImport's KeyIdForImport output)
  --out-dir <dir>            where to write WrappingPublicKey.der, ImportToken.bin and import-parameters.json
  --algorithm <alg>          ${AWS_WRAPPING_ALGORITHMS.join(' | ')} (default: the key's cloud-kms:wrapping-algorithm tag)
  --wrapping-key-spec <spec> RSA_2048 | RSA_3072 | RSA_4096 (default RSA_4096)
  --region <region>          AWS region (default: the SDK's)
  --endpoint <url>           KMS endpoint override
  --json                     machine-readable output`,
  flags: {
    ...COMMON,
    ...AWS_FLAGS,
    'key-id': { type: 'string' },
    'out-dir': { type: 'string' },
    'algorithm': { type: 'string' },
    'wrapping-key-spec': { type: 'string' },
  },
  run: async (v, io) => {
    if (!v['key-id']) throw new CliError('--key-id is required');
    if (!v['out-dir']) throw new CliError('--out-dir is required');
    const client = io.kms({ region: v.region, endpoint: v.endpoint });
    const p = await getImportParameters(client, v['key-id'], v.algorithm, v['wrapping-key-spec'] ?? 'RSA_4096');
    const dir = v['out-dir'];
    const files = {
      publicKey: join(dir, 'WrappingPublicKey.der'),
      importToken: join(dir, 'ImportToken.bin'),
      parameters: join(dir, 'import-parameters.json'),
    };
    writeOutput(files.publicKey, p.publicKey, '--out-dir');
    writeOutput(files.importToken, p.importToken, '--out-dir');
    const summary = {
      keyId: p.keyId,
      keyArn: p.keyArn,
      wrappingAlgorithm: p.wrappingAlgorithm,
      wrappingKeySpec: p.wrappingKeySpec,
      parametersValidTo: p.parametersValidTo.toISOString(),
    };
    writeOutput(files.parameters, JSON.stringify(summary, undefined, 2), '--out-dir');
    return { ...summary, files };
  },
  print: (r: any) => `Import parameters for ${r.keyArn}
  wrapping algorithm  ${r.wrappingAlgorithm} (${r.wrappingKeySpec})
  valid until         ${r.parametersValidTo}
  public key          ${r.files.publicKey}
  import token        ${r.files.importToken}
Next: cloud-kms byok wrap --public-key ${r.files.publicKey} --algorithm ${r.wrappingAlgorithm} --key-material <file> --out <file>`,
};

const WRAP: Command = {
  path: 'byok wrap',
  summary: 'Wrap key material offline for AWS KMS, Google Cloud KMS or Azure Key Vault; combine split-knowledge components.',
  usage: `cloud-kms byok wrap --public-key <file> --algorithm <alg> (--key-material <file> | --component <file> --component <file> ...) --out <file> [options]

Options:
  --public-key <file>   the wrapping public key (DER SubjectPublicKeyInfo or PEM): AWS WrappingPublicKey.der,
                        the Google Cloud import job's public key, or the Azure key-exchange key
  --algorithm <alg>     ${WRAP_ALGORITHMS.join(' | ')}
  --key-material <file> the key material: raw AES or HMAC bytes, or a PKCS#8 DER private key
  --component <file>    one custodian's key component (repeat, at least 2): the components are XORed in memory,
                        each component's and the combined key's check value are printed, the combined key is never written
  --out <file>          where to write the wrapped material (a .byok JSON blob for AZURE_BYOK)
  --kek-id <id>         AZURE_BYOK only: the key identifier of the key-exchange key
  --json                machine-readable output`,
  flags: {
    ...COMMON,
    'public-key': { type: 'string' },
    'algorithm': { type: 'string' },
    'key-material': { type: 'string' },
    'component': { type: 'string', multiple: true },
    'out': { type: 'string' },
    'kek-id': { type: 'string' },
  },
  run: async (v) => {
    const algorithm = v.algorithm as WrapAlgorithm;
    if (!algorithm) throw new CliError('--algorithm is required');
    if (!WRAP_ALGORITHMS.includes(algorithm)) {
      throw new CliError(`--algorithm must be one of ${WRAP_ALGORITHMS.join(', ')}, got ${algorithm}`);
    }
    if (!v.out) throw new CliError('--out is required');
    const components: string[] = v.component ?? [];
    if (v['key-material'] && components.length > 0) {
      throw new CliError('give either --key-material or --component files, not both');
    }
    if (!v['key-material'] && components.length === 0) {
      throw new CliError('--key-material or at least 2 --component files are required');
    }
    const publicKey = readWrappingPublicKey(readInput(v['public-key'], '--public-key'), '--public-key');
    const parts = components.map((c) => readInput(c, '--component'));
    let material: Buffer | undefined;
    try {
      const checkValues: Record<string, string> = {};
      if (parts.length > 0) {
        parts.forEach((p, i) => { checkValues[components[i]] = keyCheckValue(p); });
        material = combineComponents(parts);
        checkValues.combined = keyCheckValue(material);
      } else {
        material = readInput(v['key-material'], '--key-material');
      }
      const description = describeMaterial(material, parts.length > 0 ? 'the combined key' : '--key-material');
      const wrapped = wrapKeyMaterial({ algorithm, publicKey, material, kekId: v['kek-id'] });
      writeOutput(v.out, wrapped, '--out');
      return {
        algorithm,
        wrappingKeyBits: publicKey.asymmetricKeyDetails?.modulusLength,
        material: description.kind,
        components: parts.length,
        keyCheckValues: parts.length > 0 ? checkValues : undefined,
        out: v.out,
        bytesWritten: wrapped.length,
      };
    } finally {
      material?.fill(0);
      parts.forEach((p) => p.fill(0));
    }
  },
  print: (r: any) => {
    const lines = [`Wrapped ${r.material} with ${r.algorithm} (RSA-${r.wrappingKeyBits}) -> ${r.out} (${r.bytesWritten} bytes)`];
    if (r.keyCheckValues) {
      lines.push(`Split knowledge: ${r.components} components combined in memory; check values (AES-ECB of a zero block):`);
      for (const [k, kcv] of Object.entries(r.keyCheckValues)) lines.push(`  ${k === 'combined' ? 'combined key' : k}  ${kcv}`);
      lines.push('The combined key was not written anywhere.');
    }
    return lines.join('\n');
  },
};

const IMPORT: Command = {
  path: 'byok aws import',
  summary: 'Import wrapped key material into a ByokImport key (ImportKeyMaterial) with the expiry the construct chose.',
  usage: `cloud-kms byok aws import --key-id <id> --import-token <file> --encrypted-key-material <file> [options]

Options:
  --key-id <id>                    the key to import into
  --import-token <file>            ImportToken.bin from \`cloud-kms byok aws params\`
  --encrypted-key-material <file>  the output of \`cloud-kms byok wrap\`
  --parameters <file>              import-parameters.json from \`params\` (default: next to the token), to check the token is still valid
  --expires-at <ISO date>          material expiry (default: the key's cloud-kms:key-material-expiry tag)
  --no-expiry                      the material does not expire
  --new-material                   import new material for on-demand rotation (ImportType NEW_KEY_MATERIAL)
  --rotate                         with --new-material: make it current (RotateKeyOnDemand)
  --region <region>                AWS region
  --endpoint <url>                 KMS endpoint override
  --json                           machine-readable output`,
  flags: {
    ...COMMON,
    ...AWS_FLAGS,
    'key-id': { type: 'string' },
    'import-token': { type: 'string' },
    'encrypted-key-material': { type: 'string' },
    'parameters': { type: 'string' },
    'expires-at': { type: 'string' },
    'no-expiry': { type: 'boolean' },
    'new-material': { type: 'boolean' },
    'rotate': { type: 'boolean' },
  },
  run: async (v, io) => {
    if (!v['key-id']) throw new CliError('--key-id is required');
    if (v['expires-at'] && v['no-expiry']) throw new CliError('give --expires-at or --no-expiry, not both');
    const importToken = readInput(v['import-token'], '--import-token');
    const encrypted = readInput(v['encrypted-key-material'], '--encrypted-key-material');
    const paramsFile = v.parameters ?? join(dirname(v['import-token']), 'import-parameters.json');
    if (v.parameters || existsSync(paramsFile)) {
      let params: { parametersValidTo?: string; keyId?: string; keyArn?: string };
      try {
        params = JSON.parse(readInput(paramsFile, '--parameters').toString('utf8'));
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`--parameters ${paramsFile} is not the JSON written by \`cloud-kms byok aws params\``);
      }
      const validTo = params.parametersValidTo ? new Date(params.parametersValidTo) : undefined;
      if (!validTo || Number.isNaN(validTo.getTime())) {
        throw new CliError(`--parameters ${paramsFile} has no parametersValidTo`);
      }
      if (validTo.getTime() <= io.now().getTime()) {
        throw new CliError(`the import token expired at ${validTo.toISOString()}: run \`cloud-kms byok aws params\` again and re-wrap the material`);
      }
      const key = v['key-id'];
      if (params.keyId && key !== params.keyId && key !== params.keyArn) {
        throw new CliError(`the import parameters are for key ${params.keyId}, not ${key}`);
      }
    }
    const client = io.kms({ region: v.region, endpoint: v.endpoint });
    const result = await importKeyMaterial(client, {
      keyId: v['key-id'],
      importToken,
      encryptedKeyMaterial: encrypted,
      expiry: v['no-expiry'] ? 'none' : v['expires-at'],
      newMaterial: v['new-material'] ?? false,
      rotate: v.rotate ?? false,
      now: io.now(),
    });
    return { ...result };
  },
  print: (r: any) => `Imported key material into ${r.keyArn}
  expiration  ${r.validTo ? `expires at ${r.validTo}` : 'does not expire'}${r.keyMaterialId ? `\n  material id ${r.keyMaterialId}` : ''}${r.rotated ? '\n  rotated: the new material is now current' : ''}`,
};

const AZURE_KEK: Command = {
  path: 'byok azure kek',
  summary: 'Fetch the public half of a ByokImport\'s key-exchange key (PEM) and check it is one (RSA-HSM, import only).',
  usage: `cloud-kms byok azure kek --kek-id <id> --out <file> [options]

Options:
  --kek-id <id>   the key-exchange key (the ByokImport's KekId Terraform output)
  --out <file>    where to write the public key (PEM), for \`cloud-kms byok wrap --public-key\`
  --json          machine-readable output`,
  flags: { ...COMMON, 'kek-id': { type: 'string' }, 'out': { type: 'string' } },
  run: async (v, io) => {
    if (!v['kek-id']) throw new CliError('--kek-id is required');
    if (!v.out) throw new CliError('--out is required');
    const kek = await getKekPublicKey(io.azureKeys, v['kek-id']);
    writeOutput(v.out, kek.pem, '--out');
    return { kekId: kek.kekId, vaultUrl: kek.vaultUrl, bits: kek.bits, out: v.out };
  },
  print: (r: any) => `Key-exchange key ${r.kekId} (RSA-${r.bits}) -> ${r.out}
Next: cloud-kms byok wrap --public-key ${r.out} --algorithm AZURE_BYOK --kek-id ${r.kekId} --key-material <file> --out <file>.byok`,
};

const DAY_MS = 24 * 60 * 60 * 1000;

function dateFlag(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new CliError(`${flag} must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got ${value}`);
  return d;
}

const AZURE_IMPORT: Command = {
  path: 'byok azure import',
  summary: 'Upload a .byok transfer blob as an HSM-protected key in a Key Vault or Managed HSM (always with an expiry).',
  usage: `cloud-kms byok azure import --vault-url <url> --key-name <name> --byok <file> (--expires-in-days <n> | --expires-at <date>) [options]

Options:
  --vault-url <url>        the vault or Managed HSM (https://<name>.vault.azure.net, https://<name>.managedhsm.azure.net)
  --key-name <name>        the key to create, or to add a version to (the ByokImport's keyName)
  --byok <file>            the output of \`cloud-kms byok wrap --algorithm AZURE_BYOK\`
  --key-type <type>        ${AZURE_IMPORT_KEY_TYPES.join(' | ')} (default RSA-HSM; oct-HSM only in a Managed HSM)
  --curve <curve>          EC-HSM only: ${AZURE_CURVES.join(' | ')}
  --key-ops <ops>          comma-separated operations (default: encrypt,decrypt,wrapKey,unwrapKey; sign,verify for EC-HSM)
  --expires-in-days <n>    the key expires this many days from now (the construct's expireAfter)
  --expires-at <date>      the key expires at this ISO 8601 date
  --no-expiry              the key does not expire (compliance profiles require an expiry; say why in your records)
  --not-before <date>      the key cannot be used before this date
  --json                   machine-readable output

Signs in with DefaultAzureCredential (az login, environment, workload or managed identity) as one of the importers.`,
  flags: {
    ...COMMON,
    'vault-url': { type: 'string' },
    'key-name': { type: 'string' },
    'byok': { type: 'string' },
    'key-type': { type: 'string' },
    'curve': { type: 'string' },
    'key-ops': { type: 'string' },
    'expires-in-days': { type: 'string' },
    'expires-at': { type: 'string' },
    'no-expiry': { type: 'boolean' },
    'not-before': { type: 'string' },
  },
  run: async (v, io) => {
    if (!v['vault-url']) throw new CliError('--vault-url is required');
    if (!v['key-name']) throw new CliError('--key-name is required');
    const expiryFlags = ['expires-in-days', 'expires-at', 'no-expiry'].filter((f) => v[f] !== undefined);
    if (expiryFlags.length !== 1) {
      throw new CliError(`give exactly one of --expires-in-days, --expires-at or --no-expiry, got ${expiryFlags.length === 0 ? 'none' : expiryFlags.map((f) => `--${f}`).join(', ')}`);
    }
    let expiresOn = dateFlag(v['expires-at'], '--expires-at');
    if (v['expires-in-days'] !== undefined) {
      const days = Number(v['expires-in-days']);
      if (!Number.isInteger(days) || days < 1) throw new CliError(`--expires-in-days must be a whole number of days, 1 or more, got ${v['expires-in-days']}`);
      expiresOn = new Date(io.now().getTime() + days * DAY_MS);
    }
    const result = await importByok(io.azureKeys, {
      vaultUrl: vaultUrlOf(v['vault-url'], '--vault-url'),
      keyName: v['key-name'],
      blob: readInput(v.byok, '--byok'),
      keyType: v['key-type'] ?? 'RSA-HSM',
      curve: v.curve,
      keyOps: v['key-ops']?.split(',').map((o: string) => o.trim()).filter((o: string) => o.length > 0),
      expiresOn,
      notBefore: dateFlag(v['not-before'], '--not-before'),
      now: io.now(),
    });
    return { ...result };
  },
  print: (r: any) => `Imported ${r.keyType ?? 'the key'} ${r.keyId}
  operations  ${r.keyOps.join(', ')}
  expiration  ${r.expiresOn ? `expires at ${r.expiresOn}` : 'does not expire'}
  wrapped for ${r.kekId}
Next: set keyImported: true on the ByokImport and deploy, so its users get their role on the key.`,
};

const GCP_JOB: Command = {
  path: 'byok gcp job',
  summary: 'Fetch a ByokImport import job\'s wrapping public key (PEM) and check the job is ACTIVE.',
  usage: `cloud-kms byok gcp job --import-job <name> --out <file> [options]

Options:
  --import-job <name>  projects/<p>/locations/<l>/keyRings/<r>/importJobs/<id> (the ByokImport's import job)
  --out <file>         where to write the public key (PEM), for \`cloud-kms byok wrap --public-key\`
  --json               machine-readable output`,
  flags: { ...COMMON, 'import-job': { type: 'string' }, 'out': { type: 'string' } },
  run: async (v, io) => {
    if (!v['import-job']) throw new CliError('--import-job is required');
    if (!v.out) throw new CliError('--out is required');
    const job = await getImportJob(io.gcpKms(), v['import-job'], io.now());
    writeOutput(v.out, job.pem, '--out');
    return { importJob: job.name, importMethod: job.importMethod, expiresAt: job.expiresAt, out: v.out };
  },
  print: (r: any) => `Import job ${r.importJob} (${r.importMethod}), usable until ${r.expiresAt ?? 'its expiry'} -> ${r.out}
Next: cloud-kms byok wrap --public-key ${r.out} --algorithm ${r.importMethod} --key-material <file> --out <file>`,
};

const GCP_IMPORT: Command = {
  path: 'byok gcp import',
  summary: 'Import wrapped key material into a ByokImport key as a new version (ImportCryptoKeyVersion).',
  usage: `cloud-kms byok gcp import --key <name> --import-job <name> --wrapped-key <file> [options]

Options:
  --key <name>          projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k> (the ByokImport's key)
  --import-job <name>   the import job in the same key ring, still ACTIVE (jobs expire three days after creation)
  --wrapped-key <file>  the output of \`cloud-kms byok wrap --algorithm RSA_OAEP_3072_SHA256_AES_256 | RSA_OAEP_4096_SHA256_AES_256\`
  --algorithm <alg>     the version's algorithm (default: the key's version template, e.g. GOOGLE_SYMMETRIC_ENCRYPTION)
  --make-primary        symmetric keys: make the new version primary (rotation by re-import)
  --json                machine-readable output

Signs in with Application Default Credentials (gcloud auth application-default login, or a service account).`,
  flags: {
    ...COMMON,
    'key': { type: 'string' },
    'import-job': { type: 'string' },
    'wrapped-key': { type: 'string' },
    'algorithm': { type: 'string' },
    'make-primary': { type: 'boolean' },
  },
  run: async (v, io) => {
    if (!v.key) throw new CliError('--key is required');
    if (!v['import-job']) throw new CliError('--import-job is required');
    const result = await importKeyVersion(io.gcpKms(), {
      key: v.key,
      importJob: v['import-job'],
      wrappedKey: readInput(v['wrapped-key'], '--wrapped-key'),
      algorithm: v.algorithm,
      makePrimary: v['make-primary'] ?? false,
      now: io.now(),
    });
    return { ...result };
  },
  print: (r: any) => `Imported ${r.version}
  algorithm   ${r.algorithm} (${r.protectionLevel ?? 'HSM'})
  state       ${r.state ?? 'unknown'}${r.primary ? '\n  primary     yes: new encryptions use this version' : ''}`,
};

const REPORT: Command = {
  path: 'report',
  summary: 'Print the control table of a synthesis output (exit 1 if a required control is unmet).',
  usage: `cloud-kms report <cdk.out | cdktf.out | compliance-report.json> [--json]

Reads the compliance-report.json that synthesis writes, and prints per key each required control with its status
and evidence.`,
  flags: { ...COMMON },
  positional: 'the synthesis output',
  run: async (v) => ({ report: readReport(v._path) }),
  print: (r) => reportTable(r.report as any),
  exitCode: (r) => ((r.report as any).summary.unmet.length > 0 ? 1 : 0),
};

const CHECK: Command = {
  path: 'check',
  summary: 'Run the KMS rule pack on one template file (exit 1 on a non-compliant finding).',
  usage: `cloud-kms check <template.json | cdk.tf.json> [--profile <name>] [--json]

Options:
  --profile <name>   the compliance profile to judge against: ${'COMMERCIAL, SOC2, HIPAA, PCI_DSS, FEDRAMP_MODERATE, FEDRAMP_HIGH, SOVEREIGN'} (default COMMERCIAL)

CloudFormation templates next to the file (the rest of the cloud assembly) count as evidence for cross-stack rules.`,
  flags: { ...COMMON, profile: { type: 'string' } },
  positional: 'the template file',
  run: async (v) => {
    const profile = profileNamed(v.profile);
    const { cloud, findings } = checkFile(v._path, profile);
    return { file: v._path, cloud, profile: profile.name, findings };
  },
  print: (r) => `${r.file} (${r.cloud}, profile ${r.profile})\n${findingsTable(r.findings as any)}`,
  exitCode: (r) => ((r.findings as any[]).some((f) => f.result === 'NON_COMPLIANT') ? 1 : 0),
};

const COMMANDS = [PARAMS, WRAP, IMPORT, AZURE_KEK, AZURE_IMPORT, GCP_JOB, GCP_IMPORT, REPORT, CHECK];

const TOP_HELP = `cloud-kms: key ceremonies for cloud-kms-constructs

Commands:
${COMMANDS.map((c) => `  cloud-kms ${c.path.padEnd(18)} ${c.summary}`).join('\n')}

Run \`cloud-kms <command> --help\` for a command's options. Every command takes --json.
Typical BYOK ceremony on AWS: params -> wrap (offline, by the custodians) -> import.
On Azure: azure kek -> wrap --algorithm AZURE_BYOK (offline) -> azure import.
On Google Cloud: gcp job -> wrap --algorithm <the job's method> (offline) -> gcp import.
Compliance: report <synthesis output> prints the control table; check <template> runs the KMS rule pack.`;

/** Runs the CLI; returns the exit code. Never throws, never prints a stack trace or key material. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = COMMANDS
    .filter((c) => c.path.split(' ').every((w, i) => words[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!command) {
    const wantsHelp = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    if (wantsHelp) {
      io.stdout(TOP_HELP);
      return 0;
    }
    io.stderr(`error: unknown command '${words.join(' ')}'\n\n${TOP_HELP}`);
    return 2;
  }
  const rest = [...argv];
  for (const word of command.path.split(' ')) rest.splice(rest.indexOf(word), 1);
  let values: Record<string, any>;
  try {
    const parsed = parseArgs({ args: rest, options: command.flags, strict: true, allowPositionals: command.positional !== undefined });
    values = parsed.values;
    if (command.positional !== undefined && !values.help) {
      if (parsed.positionals.length !== 1) throw new Error(`give ${command.positional}, got ${parsed.positionals.length} arguments`);
      values = { ...values, _path: parsed.positionals[0] };
    }
  } catch (e) {
    io.stderr(`error: ${(e as Error).message.split('\n')[0]}\n\n${command.usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    const result = await command.run(values, io);
    io.stdout(values.json ? JSON.stringify(result, undefined, 2) : command.print(result));
    return command.exitCode?.(result) ?? 0;
  } catch (e) {
    const message = e instanceof CliError ? e.message
      : describeAwsError(e) ?? describeAzureError(e) ?? describeGcpError(e) ?? `unexpected error: ${(e as Error)?.message ?? String(e)}`;
    if (values.json) {
      io.stdout(JSON.stringify({ error: message }));
    }
    io.stderr(`error: ${message}`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

/* istanbul ignore next: the process entry point */
if (require.main === module) {
  const io: CliIo = {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    kms: (o) => new KMSClient({ region: o.region, endpoint: o.endpoint }),
    azureKeys: (url) => new KeyClient(url, new DefaultAzureCredential()),
    gcpKms: () => new KeyManagementServiceClient(),
    now: () => new Date(),
  };
  void run(process.argv.slice(2), io).then((code) => { process.exitCode = code; });
}
