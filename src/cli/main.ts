#!/usr/bin/env node
/*
 * cloud-kms: the key ceremony CLI of cloud-kms-constructs.
 *
 *   cloud-kms byok aws params   fetch the wrapping public key and import token for a ByokImport key
 *   cloud-kms byok wrap         wrap key material (or combine custodians' components) offline
 *   cloud-kms byok aws import   import wrapped material with the expiry the construct chose
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { parseArgs } from 'util';
import { KMSClient } from '@aws-sdk/client-kms';
import { AWS_WRAPPING_ALGORITHMS, describeAwsError, getImportParameters, importKeyMaterial } from './aws';
import { CliError } from './errors';
import {
  combineComponents, describeMaterial, keyCheckValue, readWrappingPublicKey, WRAP_ALGORITHMS, WrapAlgorithm, wrapKeyMaterial,
} from './wrap';

/** Where the CLI writes and how it reaches AWS; replaced in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly kms: (options: { region?: string; endpoint?: string }) => KMSClient;
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

const COMMANDS = [PARAMS, WRAP, IMPORT];

const TOP_HELP = `cloud-kms: key ceremonies for cloud-kms-constructs

Commands:
${COMMANDS.map((c) => `  cloud-kms ${c.path.padEnd(18)} ${c.summary}`).join('\n')}

Run \`cloud-kms <command> --help\` for a command's options. Every command takes --json.
Typical BYOK ceremony on AWS: params -> wrap (offline, by the custodians) -> import.`;

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
    values = parseArgs({ args: rest, options: command.flags, strict: true, allowPositionals: false }).values;
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
    return 0;
  } catch (e) {
    const message = e instanceof CliError ? e.message : describeAwsError(e) ?? `unexpected error: ${(e as Error)?.message ?? String(e)}`;
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
    now: () => new Date(),
  };
  void run(process.argv.slice(2), io).then((code) => { process.exitCode = code; });
}
