/**
 * An error the user can act on. The CLI prints its message (never a stack trace) and exits non-zero.
 * Messages never include key material.
 */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
