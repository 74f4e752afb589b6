/**
 * Errors of the envelope core. Messages name what failed and never carry key material, plaintext or ciphertext.
 */
export class EnvelopeError extends Error {
  /** A stable code for programs: `AUTHENTICATION`, `UNSUPPORTED_SUITE`, `BAD_INPUT`, `KEYRING`, `LIMIT`. */
  public readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}

/**
 * The message could not be authenticated: wrong key, wrong encryption context, tampered header, data key, body or
 * signature, or a truncated message. No plaintext is released.
 */
export class AuthenticationError extends EnvelopeError {
  constructor(message: string) {
    super('AUTHENTICATION', message);
    this.name = 'AuthenticationError';
  }
}

/** The message uses an algorithm suite this core does not read (only the committing suites 0x0478 and 0x0578). */
export class UnsupportedSuiteError extends EnvelopeError {
  public readonly suiteId: number;

  constructor(suiteId: number) {
    super('UNSUPPORTED_SUITE', `unsupported suite 0x${suiteId.toString(16).padStart(4, '0')}: this core reads and writes the committing suites 0x0478 and 0x0578 only`);
    this.name = 'UnsupportedSuiteError';
    this.suiteId = suiteId;
  }
}

/** Bad input from the caller: an encryption context, option or length the format does not allow. */
export class BadInputError extends EnvelopeError {
  constructor(message: string) {
    super('BAD_INPUT', message);
    this.name = 'BadInputError';
  }
}

/** A keyring could not get, wrap or unwrap a data key (after its retries). */
export class KeyringError extends EnvelopeError {
  /** Whether the last failure was transient (throttling, 5xx, network), i.e. worth retrying later. */
  public readonly transient: boolean;

  constructor(message: string, transient: boolean) {
    super('KEYRING', message);
    this.name = 'KeyringError';
    this.transient = transient;
  }
}
