/*
 * Running one `cloud-kms` command once main.ts has found it: its command line checked, then the command run, its result
 * printed and its exit code returned. Never throws, never prints a stack trace or key material.
 */
import { parseArgs } from 'util';
import { arg, plainValue, USAGE, usageError } from './args';
import type { Command, CliIo } from './command';
import { CliError } from './errors';

/** Runs `command` (found at `path`) on the arguments after its words; returns the exit code. */
export async function runCommand(path: string, command: Command, args: string[], io: CliIo): Promise<number> {
  let values: Record<string, any>;
  try {
    values = parseCommandLine(path, command, args);
  } catch (e) {
    const message = e instanceof CliError ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
    if (args.includes('--json')) io.stdout(JSON.stringify({ error: message }));
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
