/** A request the envelope function refuses, with a stable code for callers and an HTTP status for URL/API callers. */
export class RequestError extends Error {
  constructor(public readonly code: string, message: string, public readonly status = 400) {
    super(message);
    this.name = 'RequestError';
  }
}
