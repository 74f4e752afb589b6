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
 *   cloud-kms check <path>      the KMS rule pack on a template or a synthesis output, each key by its own profile
 *
 * Each subcommand's file is loaded only when it runs, so a command loads only the cloud SDK it needs.
 */
import { parseArgs } from 'util';
import { arg, plainValue, USAGE, usageError } from './args';
import type { Command, CliIo } from './command';
import { CliError } from './errors';

export type { CliIo } from './command';

/** A subcommand: what the top-level help says of it, and how to load it (only when it runs or prints its help). */
interface Entry {
  readonly path: string;
  readonly summary: string;
  readonly load: () => Command;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Entry[] = [
  {
    path: 'byok aws params',
    summary: 'Fetch the wrapping public key and import token for a ByokImport key (GetParametersForImport).',
    load: () => (require('./byok-aws') as typeof import('./byok-aws')).PARAMS,
  },
  {
    path: 'byok wrap',
    summary: 'Wrap key material offline for AWS KMS, Google Cloud KMS or Azure Key Vault; combine split-knowledge components.',
    load: () => (require('./byok-wrap') as typeof import('./byok-wrap')).WRAP,
  },
  {
    path: 'byok aws import',
    summary: 'Import wrapped key material into a ByokImport key (ImportKeyMaterial) with the expiry the construct chose.',
    load: () => (require('./byok-aws') as typeof import('./byok-aws')).IMPORT,
  },
  {
    path: 'byok azure kek',
    summary: 'Fetch the public half of a ByokImport\'s key-exchange key (PEM) and check it is one (RSA-HSM, import only).',
    load: () => (require('./byok-azure') as typeof import('./byok-azure')).AZURE_KEK,
  },
  {
    path: 'byok azure import',
    summary: 'Upload a .byok transfer blob as an HSM-protected key in a Key Vault or Managed HSM (always with an expiry).',
    load: () => (require('./byok-azure') as typeof import('./byok-azure')).AZURE_IMPORT,
  },
  {
    path: 'byok gcp job',
    summary: 'Fetch a ByokImport import job\'s wrapping public key (PEM) and check the job is ACTIVE.',
    load: () => (require('./byok-gcp') as typeof import('./byok-gcp')).GCP_JOB,
  },
  {
    path: 'byok gcp import',
    summary: 'Import wrapped key material into a ByokImport key as a new version (ImportCryptoKeyVersion).',
    load: () => (require('./byok-gcp') as typeof import('./byok-gcp')).GCP_IMPORT,
  },
  {
    path: 'report',
    summary: 'Print the control table of a synthesis output (exit 1 if a required control is unmet).',
    load: () => (require('./check') as typeof import('./check')).REPORT,
  },
  {
    path: 'check',
    summary: 'Run the KMS rule pack on a template or a synthesis output, each key by its own profile (exit 1 on a finding).',
    load: () => (require('./check') as typeof import('./check')).CHECK,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

const TOP_HELP = `cloud-kms: key ceremonies for cloud-kms-constructs

Commands:
${COMMANDS.map((c) => `  cloud-kms ${c.path.padEnd(18)} ${c.summary}`).join('\n')}

Run \`cloud-kms <command> --help\` for a command's options. Every command takes --json.
Typical BYOK ceremony on AWS: params -> wrap (offline, by the custodians) -> import.
On Azure: azure kek -> wrap --algorithm AZURE_BYOK (offline) -> azure import.
On Google Cloud: gcp job -> wrap --algorithm <the job's method> (offline) -> gcp import.
Compliance: report <synthesis output> prints the control table; check <template or synthesis output> runs the KMS rule pack.`;

/** The help of a command group (`cloud-kms byok`, `cloud-kms byok aws`): its commands. */
function groupHelp(prefix: string[]): string {
  const group = COMMANDS.filter((c) => prefix.every((w, i) => c.path.split(' ')[i] === w));
  return `cloud-kms ${prefix.join(' ')}: ${prefix[0] === 'byok' ? 'bring-your-own-key ceremonies' : 'commands'}

Commands:
${group.map((c) => `  cloud-kms ${c.path.padEnd(18)} ${c.summary}`).join('\n')}

Run \`cloud-kms <command> --help\` for a command's options.`;
}

/** The longest run of leading words that starts some command's path. */
function knownPrefix(words: string[]): string[] {
  let n = 0;
  while (n < words.length && COMMANDS.some((c) => words.slice(0, n + 1).every((w, i) => c.path.split(' ')[i] === w))) n++;
  return words.slice(0, n);
}

/** Runs the CLI; returns the exit code. Never throws, never prints a stack trace or key material. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const entry = COMMANDS
    .filter((c) => c.path.split(' ').every((w, i) => words[i] === w))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!entry) {
    const prefix = knownPrefix(words);
    if (prefix.length === words.length) {
      // `cloud-kms`, `cloud-kms byok`, `cloud-kms byok aws`: asking what there is, as git does for a bare command.
      io.stdout(prefix.length === 0 ? TOP_HELP : groupHelp(prefix));
      return 0;
    }
    io.stderr(`error: unknown command '${words.join(' ')}'\n\n${prefix.length === 0 ? TOP_HELP : groupHelp(prefix)}`);
    return 2;
  }
  const command = entry.load();
  const rest = [...argv];
  for (const word of entry.path.split(' ')) rest.splice(rest.indexOf(word), 1);
  const end = rest.indexOf('--');
  // Help wins over anything else on the line, as in git: `--help` after a half-typed command still prints its usage.
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    io.stdout(`${entry.summary}\n\n${command.usage}`);
    return 0;
  }
  let values: Record<string, any>;
  try {
    values = parseCommandLine(entry.path, command, rest);
  } catch (e) {
    const message = e instanceof CliError ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
    if (rest.includes('--json')) io.stdout(JSON.stringify({ error: message }));
    io.stderr(`error: ${oneLine(message)}`);
    return USAGE;
  }
  try {
    const result = await command.run(values, io);
    for (const note of command.notes?.(result) ?? []) io.stderr(note);
    io.stdout(values.json ? JSON.stringify(result, undefined, 2) : command.print(result));
    return command.exitCode?.(result) ?? 0;
  } catch (e) {
    const message = oneLine(e instanceof CliError ? e.message
      : command.describeError?.(e) ?? `unexpected error: ${(e as Error)?.message ?? String(e)}`);
    if (values.json) {
      io.stdout(JSON.stringify({ error: message }));
    }
    io.stderr(`error: ${message}`);
    return e instanceof CliError ? e.exitCode : 1;
  }
}

/**
 * The command's flags and positional argument, checked: node's parser (strict), then what it lets through (a flag given
 * twice keeps its last value silently; an empty or blank value; a missing required flag), then each flag's own check.
 * Every refusal is a usage error (exit 2) naming the flag as written and the value received.
 */
function parseCommandLine(path: string, command: Command, args: string[]): Record<string, any> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: command.flags, strict: true, allowPositionals: command.positional !== undefined, tokens: true });
  } catch (e) {
    throw usageError(parseErrorMessage(path, e as Error & { code?: string }));
  }
  const seen = new Map<string, string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const flag = `--${token.name}`;
    const spec = command.flags[token.name];
    if (!spec.multiple && seen.has(token.name)) {
      const [first, second] = [seen.get(token.name)!, token.value ?? ''];
      throw usageError(spec.type === 'boolean' ? `${flag} given twice; give it once`
        : `${flag} given twice (${arg(first)} and ${arg(second)}); give it once`);
    }
    seen.set(token.name, token.value ?? '');
    if (spec.type === 'string') {
      plainValue(token.value!, flag);
      spec.check?.(token.value!, flag);
    }
  }
  for (const [name, spec] of Object.entries(command.flags)) {
    if (spec.required && !seen.has(name)) throw usageError(`--${name} is required`);
  }
  const values: Record<string, any> = { ...parsed.values };
  if (command.positional !== undefined) {
    if (parsed.positionals.length !== 1) {
      throw usageError(`give ${command.positional}, got ${parsed.positionals.length === 0 ? 'nothing'
        : `${parsed.positionals.length} arguments (${parsed.positionals.map(arg).join(', ')})`}`);
    }
    plainValue(parsed.positionals[0], command.positional);
    values._path = parsed.positionals[0];
  }
  return values;
}

/** Node's parser messages, on one line, with the flag and the value as the user wrote them. */
function parseErrorMessage(path: string, e: Error & { code?: string }): string {
  const help = `(see cloud-kms ${path} --help)`;
  const option = /'(-[^' ]*)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${arg(option)} ${help}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${arg(/'([^']*)'/.exec(e.message)?.[1])}: cloud-kms ${path} takes options only ${help}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(e.message)) return `${option} needs a value, got nothing`;
      if (/ambiguous/.test(e.message)) return `${option} needs a value, got another option; write ${option}=<value> for a value starting with -`;
      if (/does not take an argument/.test(e.message)) return `${option} takes no value`;
      return e.message.split('\n')[0];
    default:
      return e.message.split('\n')[0];
  }
}

/** An error message on one line, without markup, at most 300 characters (an HTML error page is not a message). */
function oneLine(message: string): string {
  const html = /<(!doctype|html|head|body|title)[\s>]|<\/[a-z][a-z0-9]*>/i.test(message);
  const text = (html ? message.replace(/<[^>]*>/g, ' ') : message).replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/* istanbul ignore next: the process entry point */
if (require.main === module) {
  // Each client is created (and its SDK loaded) only by the command that needs it.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const io: CliIo = {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    kms: (o) => new (require('@aws-sdk/client-kms') as typeof import('@aws-sdk/client-kms')).KMSClient({ region: o.region, endpoint: o.endpoint }),
    azureKeys: (url) => {
      const { KeyClient } = require('@azure/keyvault-keys') as typeof import('@azure/keyvault-keys');
      const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
      return new KeyClient(url, new DefaultAzureCredential());
    },
    gcpKms: () => new (require('@google-cloud/kms') as typeof import('@google-cloud/kms')).KeyManagementServiceClient(),
    now: () => new Date(),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  void run(process.argv.slice(2), io).then((code) => { process.exitCode = code; });
}
