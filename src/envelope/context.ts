import { BadInputError } from './errors';

/** An encryption context: non-secret key/value pairs bound to the message and passed to KMS. */
export type EncryptionContext = Record<string, string>;

/** Keys starting with this are the format's own (the signing suite's public key). */
export const RESERVED_PREFIX = 'aws-crypto-';
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';
const U16 = 0xffff;

/** Rejects reserved keys and values the format cannot carry. */
export function validateUserContext(context: EncryptionContext): void {
  for (const key in context) {
    if (!Object.prototype.hasOwnProperty.call(context, key)) continue;
    const value = context[key];
    if (typeof value !== 'string') throw new BadInputError(`encryption context value of '${key}' must be a string, got ${typeof value}`);
    if (key.startsWith(RESERVED_PREFIX)) {
      throw new BadInputError(`encryption context key '${key}' is reserved: keys starting with '${RESERVED_PREFIX}' belong to the message format`);
    }
    if (key.length === 0) throw new BadInputError('encryption context keys must not be empty');
  }
}

const utf8Compare = (a: Buffer, b: Buffer) => Buffer.compare(a, b);

/**
 * The header's AAD section: `length(2) || count(2) || (keyLen(2) key valueLen(2) value)*`, sorted by the keys' UTF-8
 * bytes; only `0x0000` when the context is empty.
 */
export function serializeContext(context: EncryptionContext): Buffer {
  const entries = Object.entries(context).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const)
    .sort((x, y) => utf8Compare(x[0], y[0]));
  if (entries.length === 0) return Buffer.from([0, 0]);
  if (entries.length > U16) throw new BadInputError(`encryption context must have at most ${U16} entries, got ${entries.length}`);
  let length = 2;
  for (const [k, v] of entries) {
    if (k.length > U16 || v.length > U16) throw new BadInputError(`encryption context entries must be at most ${U16} bytes, got one of ${Math.max(k.length, v.length)}`);
    length += 4 + k.length + v.length;
  }
  if (length > U16) throw new BadInputError(`serialized encryption context must be at most ${U16} bytes, got ${length}`);
  const out = Buffer.allocUnsafe(2 + length);
  out.writeUInt16BE(length, 0);
  out.writeUInt16BE(entries.length, 2);
  let o = 4;
  for (const [k, v] of entries) {
    out.writeUInt16BE(k.length, o); o += 2;
    k.copy(out, o); o += k.length;
    out.writeUInt16BE(v.length, o); o += 2;
    v.copy(out, o); o += v.length;
  }
  return out;
}

/** Parses the AAD section's key/value pairs (without its 2-byte length). */
export function parseContextEntries(buf: Buffer): EncryptionContext {
  const context: EncryptionContext = {};
  if (buf.length === 0) return context;
  if (buf.length < 2) throw new BadInputError('malformed encryption context');
  const count = buf.readUInt16BE(0);
  let o = 2;
  let previous: Buffer | undefined;
  for (let i = 0; i < count; i++) {
    if (o + 2 > buf.length) throw new BadInputError('malformed encryption context');
    const kl = buf.readUInt16BE(o); o += 2;
    const key = buf.subarray(o, o + kl); o += kl;
    if (o + 2 > buf.length) throw new BadInputError('malformed encryption context');
    const vl = buf.readUInt16BE(o); o += 2;
    const value = buf.subarray(o, o + vl); o += vl;
    if (o > buf.length) throw new BadInputError('malformed encryption context');
    if (previous && utf8Compare(previous, key) >= 0) throw new BadInputError('malformed encryption context: keys not sorted or duplicated');
    previous = key;
    context[key.toString('utf8')] = value.toString('utf8');
  }
  if (o !== buf.length) throw new BadInputError('malformed encryption context: trailing bytes');
  return context;
}
