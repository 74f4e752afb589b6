/*
 * What every `cloud-kms` subcommand shares: its shape, the I/O the CLI is given, and reading and writing files.
 * No cloud SDK is loaded here (types only): each subcommand's file loads the one it needs.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { KeyClient } from '@azure/keyvault-keys';
import { arg, awsRegion, endpointUrl, outputFile, usageError, ValueCheck } from './args';
import { CliError } from './errors';
import type { GcpKmsClient } from './gcp';

/** Where the CLI writes and how it reaches AWS, Azure and Google Cloud; replaced in tests. */
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

export interface Flag {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Refused (exit 2) when absent, before the command runs. */
  readonly required?: boolean;
  /** Checked (exit 2) before the command runs, after the checks every value gets (not blank, no control characters). */
  readonly check?: ValueCheck;
}

export type Flags = Record<string, Flag>;

export interface Command {
  readonly usage: string;
  readonly flags: Flags;
  readonly run: (values: Record<string, any>, io: CliIo) => Promise<Record<string, unknown>>;
  readonly print: (result: Record<string, unknown>) => string;
  /** The one positional argument the command takes (a path), by name for messages. */
  readonly positional?: string;
  /** The exit code for a result (a failed check is not an error). @default 0 */
  readonly exitCode?: (result: Record<string, unknown>) => number;
  /** A one-line message for an error of the command's cloud SDK; undefined when it is not one. */
  readonly describeError?: (err: unknown) => string | undefined;
  /** Lines for stderr before the result (notes the user should see even with --json). */
  readonly notes?: (result: Record<string, unknown>) => string[];
}

export const COMMON: Flags = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
export const AWS_FLAGS: Flags = { region: { type: 'string', check: awsRegion }, endpoint: { type: 'string', check: endpointUrl } };
export const FORCE: Flags = { force: { type: 'boolean' } };
/** The one file a command writes (`--out`), and `--force` to replace it. */
export const OUT_FILE: Flags = { ...FORCE, out: { type: 'string', required: true, check: outputFile } };

/** Reads an input file; a missing or unreadable one is a usage error (exit 2) naming the flag and the path. */
export function readInput(path: string | undefined, flag: string): Buffer {
  if (!path) throw usageError(`${flag} is required`);
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(code === 'ENOENT' ? `${flag} ${arg(path)} does not exist`
      : code === 'EISDIR' ? `${flag} ${arg(path)} is not a file` : `cannot read ${flag} ${arg(path)}: ${code ?? 'unreadable'}`);
  }
}

/** Refuses, before anything is written, to replace files that exist unless --force was given. */
export function refuseToOverwrite(paths: string[], flag: string, force: boolean | undefined): void {
  if (force) return;
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length > 0) {
    throw usageError(`${flag}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; give --force to overwrite`);
  }
}

/**
 * Writes a file readable by its owner only. Without `force` the file is created exclusively (`wx`), so a file that
 * appeared since `refuseToOverwrite` is not replaced either.
 */
export function writeOutput(path: string, data: Uint8Array | string, flag: string, force = false): void {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, force ? 'w' : 'wx', 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new CliError(`${flag}: ${path} already exists; give --force to overwrite`);
    throw new CliError(`cannot write ${flag} ${path}: ${code ?? 'unwritable'}`);
  }
  try {
    writeFileSync(fd, data);
  } catch (e) {
    throw new CliError(`cannot write ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'unwritable'}`);
  } finally {
    closeSync(fd);
  }
}
