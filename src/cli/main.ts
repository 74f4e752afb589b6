#!/usr/bin/env node
/*
 * cloud-kms: the key ceremony CLI of cloud-kms-constructs. This file only finds the command the words name, in the
 * table below, and prints the help; each command lives in commands/<its words joined by '-'>.ts (exporting COMMAND)
 * and is loaded only when it runs or prints its help, so a command loads only the cloud SDK it needs.
 */
import type { Command, CliIo } from './command';
import { processIo } from './process-io';
import { runCommand } from './run-command';

export type { CliIo } from './command';

/** A command: its words, and what the top-level help says of it (without loading it). */
interface Entry {
  readonly path: string;
  readonly summary: string;
}

const COMMANDS: Entry[] = [
  ['byok aws params', 'Fetch the wrapping public key and import token for a ByokImport key (GetParametersForImport).'],
  ['byok wrap', 'Wrap key material offline for AWS KMS, Google Cloud KMS or Azure Key Vault; combine split-knowledge components.'],
  ['byok aws import', 'Import wrapped key material into a ByokImport key (ImportKeyMaterial) with the expiry the construct chose.'],
  ['byok aws multi-region', 'Import the same material into a multi-Region primary and every replica, then prove each replica decrypts the primary\'s ciphertext.'],
  ['byok azure kek', 'Fetch the public half of a ByokImport\'s key-exchange key (PEM) and check it is one (RSA-HSM, import only).'],
  ['byok azure import', 'Upload a .byok transfer blob as an HSM-protected key in a Key Vault or Managed HSM (always with an expiry).'],
  ['byok gcp job', 'Fetch a ByokImport import job\'s wrapping public key (PEM) and check the job is ACTIVE.'],
  ['byok gcp import', 'Import wrapped key material into a ByokImport key as a new version (ImportCryptoKeyVersion).'],
  ['report', 'Print the control table of a synthesis output (exit 1 if a required control is unmet).'],
  ['oscal', 'Write a synthesis output\'s compliance report as OSCAL 1.0.6 component definition and assessment results.'],
  ['check', 'Run the KMS rule pack on a template or a synthesis output, each key by its own profile (exit 1 on a finding).'],
].map(([path, summary]) => ({ path, summary }));

/** The command's own file, commands/<its words joined by '-'>.ts. */
function load(entry: Entry): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`./commands/${entry.path.replace(/ /g, '-')}`) as { COMMAND: Command }).COMMAND;
}

const commandLines = (entries: Entry[]) => entries.map((c) => `  cloud-kms ${c.path.padEnd(21)} ${c.summary}`).join('\n');

const TOP_HELP = `cloud-kms: key ceremonies for cloud-kms-constructs

Commands:
${commandLines(COMMANDS)}

Run \`cloud-kms <command> --help\` for a command's options. Every command takes --json.
Typical BYOK ceremony on AWS: params -> wrap (offline, by the custodians) -> import; a multi-Region key: aws multi-region.
On Azure: azure kek -> wrap --algorithm AZURE_BYOK (offline) -> azure import.
On Google Cloud: gcp job -> wrap --algorithm <the job's method> (offline) -> gcp import.
Compliance: report <synthesis output> prints the control table; check <template or synthesis output> runs the KMS rule pack.`;

/** The help of a command group (`cloud-kms byok`, `cloud-kms byok aws`): its commands. */
function groupHelp(prefix: string[]): string {
  const group = COMMANDS.filter((c) => prefix.every((w, i) => c.path.split(' ')[i] === w));
  return `cloud-kms ${prefix.join(' ')}: ${prefix[0] === 'byok' ? 'bring-your-own-key ceremonies' : 'commands'}

Commands:
${commandLines(group)}

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
  const command = load(entry);
  const rest = [...argv];
  for (const word of entry.path.split(' ')) rest.splice(rest.indexOf(word), 1);
  const end = rest.indexOf('--');
  // Help wins over anything else on the line, as in git: `--help` after a half-typed command still prints its usage.
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    io.stdout(`${entry.summary}\n\n${command.usage}`);
    return 0;
  }
  return runCommand(entry.path, command, rest, io);
}

/* istanbul ignore next: the process entry point */
if (require.main === module) {
  void run(process.argv.slice(2), processIo()).then((code) => { process.exitCode = code; });
}
