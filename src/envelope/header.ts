import { EncryptionContext, parseContextEntries } from './context';
import { AuthenticationError, BadInputError, UnsupportedSuiteError } from './errors';
import { SuiteInfo, suiteInfo } from './suites';

/** A data key encrypted by one keyring. */
export interface EncryptedDataKey {
  /** Who can decrypt it: `aws-kms`, a raw keyring's namespace, `cloud-kms:azure-kv`, `cloud-kms:gcp-kms`. */
  readonly providerId: string;
  /** Which key: the KMS key ARN, Azure key id, Google key name, or a raw keyring's key name and IV. */
  readonly providerInfo: Buffer;
  readonly ciphertext: Buffer;
}

export const MESSAGE_ID_LENGTH = 32;
export const TAG_LENGTH = 16;
export const IV_LENGTH = 12;
export const FRAMED = 0x02;
export const FINAL_FRAME_MARKER = 0xffffffff;

export function serializeEdks(edks: readonly EncryptedDataKey[]): Buffer {
  const count = Buffer.allocUnsafe(2);
  count.writeUInt16BE(edks.length);
  const parts: Buffer[] = [count];
  for (const e of edks) {
    const id = Buffer.from(e.providerId, 'utf8');
    for (const [what, b] of [['provider id', id], ['provider info', e.providerInfo], ['encrypted data key', e.ciphertext]] as const) {
      if (b.length > 0xffff) throw new BadInputError(`${what} must be at most 65535 bytes, got ${b.length}`);
    }
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(id.length);
    const il = Buffer.allocUnsafe(2);
    il.writeUInt16BE(e.providerInfo.length);
    const cl = Buffer.allocUnsafe(2);
    cl.writeUInt16BE(e.ciphertext.length);
    parts.push(len, id, il, e.providerInfo, cl, e.ciphertext);
  }
  return Buffer.concat(parts);
}

/**
 * The part of a v2 header between the message id and the commitment, which is the same for every message encrypted
 * with the same materials: serialized context, EDKs, content type, frame length.
 */
export function headerMiddle(serializedContext: Buffer, serializedEdks: Buffer, frameLength: number): Buffer {
  const tail = Buffer.allocUnsafe(5);
  tail[0] = FRAMED;
  tail.writeUInt32BE(frameLength, 1);
  return Buffer.concat([serializedContext, serializedEdks, tail]);
}

/** Raised by the parser when more bytes are needed. */
export const INCOMPLETE = Symbol('incomplete');

export interface ParsedHeader {
  readonly suite: SuiteInfo;
  readonly messageId: Buffer;
  readonly context: EncryptionContext;
  /** The serialized context and EDK sections, a cache key for the data key. */
  readonly keySection: Buffer;
  readonly edks: EncryptedDataKey[];
  readonly frameLength: number;
  readonly commitment: Buffer;
  /** The header bytes the auth tag covers. */
  readonly headerBytes: Buffer;
  readonly authTag: Buffer;
  /** Bytes consumed (header and auth tag). */
  readonly length: number;
}

export interface ParseLimits {
  readonly maxEncryptedDataKeys: number;
}

function need(buf: Buffer, end: number): void {
  if (end > buf.length) throw INCOMPLETE;
}

/** Parses a v2 header and its auth tag from the start of `buf`; throws INCOMPLETE when `buf` is too short. */
export function parseHeader(buf: Buffer, limits: ParseLimits): ParsedHeader {
  need(buf, 3);
  const version = buf[0];
  if (version === 0x01) {
    need(buf, 4);
    throw new UnsupportedSuiteError(buf.readUInt16BE(2));
  }
  if (version !== 0x02) throw new AuthenticationError(`not an AWS Encryption SDK message: version byte 0x${version.toString(16)}`);
  const suite = suiteInfo(buf.readUInt16BE(1));
  let o = 3;
  need(buf, o + MESSAGE_ID_LENGTH + 2);
  const messageId = buf.subarray(o, o + MESSAGE_ID_LENGTH); o += MESSAGE_ID_LENGTH;
  const keyStart = o;
  const aadLength = buf.readUInt16BE(o); o += 2;
  need(buf, o + aadLength + 2);
  let context: EncryptionContext;
  try {
    context = parseContextEntries(buf.subarray(o, o + aadLength));
  } catch (e) {
    throw new AuthenticationError(`malformed header: ${(e as Error).message}`);
  }
  o += aadLength;
  const count = buf.readUInt16BE(o); o += 2;
  if (count === 0) throw new AuthenticationError('malformed header: no encrypted data keys');
  if (count > limits.maxEncryptedDataKeys) {
    throw new AuthenticationError(`the message has ${count} encrypted data keys, more than maxEncryptedDataKeys (${limits.maxEncryptedDataKeys})`);
  }
  const edks: EncryptedDataKey[] = [];
  for (let i = 0; i < count; i++) {
    need(buf, o + 2);
    const il = buf.readUInt16BE(o); o += 2;
    need(buf, o + il + 2);
    const providerId = buf.toString('utf8', o, o + il); o += il;
    const pl = buf.readUInt16BE(o); o += 2;
    need(buf, o + pl + 2);
    const providerInfo = buf.subarray(o, o + pl); o += pl;
    const cl = buf.readUInt16BE(o); o += 2;
    need(buf, o + cl);
    const ciphertext = buf.subarray(o, o + cl); o += cl;
    edks.push({ providerId, providerInfo, ciphertext });
  }
  const keySection = buf.subarray(keyStart, o);
  need(buf, o + 1 + 4 + 32 + TAG_LENGTH);
  const contentType = buf[o]; o += 1;
  if (contentType === 0x01) throw new BadInputError('non-framed messages (content type 1) are not supported');
  if (contentType !== FRAMED) throw new AuthenticationError(`malformed header: content type ${contentType}`);
  const frameLength = buf.readUInt32BE(o); o += 4;
  if (frameLength === 0) throw new AuthenticationError('malformed header: frame length 0');
  const commitment = buf.subarray(o, o + 32); o += 32;
  const headerBytes = buf.subarray(0, o);
  const authTag = buf.subarray(o, o + TAG_LENGTH); o += TAG_LENGTH;
  return { suite, messageId, context, keySection, edks, frameLength, commitment, headerBytes, authTag, length: o };
}
