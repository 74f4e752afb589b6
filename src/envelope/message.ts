/*
 * The message format's body: the header's auth tag, frames (AES-256-GCM under the message key, IV = zeros || sequence
 * number, AAD = message id || label || sequence || length), and the signed suites' footer.
 *
 * Every buffer that holds a message's key, IVs or AADs belongs to that message's call or its FrameWriter/FrameReader:
 * concurrent encrypts and decrypts, and streams whose frames are written over many event-loop turns, share none.
 * One piece of module-level state stays, for speed: the slab that small messages are allocated from (`allocMessage`;
 * dropping it and the id pool of materials.ts measured 6 to 18% slower on a cached 4 KiB encrypt: bench/README.md). It is
 * safe under any number of concurrent async calls because `allocMessage` is synchronous (no `await` or callback
 * between reading and advancing `slabOffset`, so on Node's one JavaScript thread no call can interleave) and hands out
 * each byte range once (a full slab is replaced, never rewound), so no two messages ever share bytes; it holds only
 * message bytes, never keys or plaintext. test/envelope/concurrency.test.ts interleaves hundreds of encrypts and
 * decrypts of different sizes through the envelope API and decrypts every message again once all are done.
 */
import { createCipheriv, createDecipheriv, createSign, createVerify, timingSafeEqual } from 'crypto';
import { AuthenticationError, BadInputError } from './errors';
import { FINAL_FRAME_MARKER, INCOMPLETE, IV_LENGTH, MESSAGE_ID_LENGTH, ParsedHeader, TAG_LENGTH } from './header';
import { deriveMessageKeys } from './kdf';
import { DecryptionMaterials, EncryptionMaterials, randomMessageId } from './materials';

const FRAME_AAD = Buffer.from('AWSKMSEncryptionClient Frame', 'latin1');
const FINAL_AAD = Buffer.from('AWSKMSEncryptionClient Final Frame', 'latin1');
const ZERO_IV = Buffer.alloc(IV_LENGTH);
/** The largest frame count the format allows. */
const MAX_FRAMES = 0xffffffff;
/** Regular frame: seq(4) iv(12) ... tag(16); final frame adds the marker(4) and a length(4). */
export const FRAME_OVERHEAD = 4 + IV_LENGTH + TAG_LENGTH;
export const FINAL_FRAME_OVERHEAD = 8 + IV_LENGTH + 4 + TAG_LENGTH;

/** The per-message state for writing frames: key, message id, and its own IV and AAD buffers, reused frame to frame. */
export class FrameWriter {
  private regularAad?: Buffer;
  /** Frame IVs are zeros and the sequence number; ciphers copy the IV when created, so it is rewritten per frame. */
  private readonly iv = Buffer.alloc(IV_LENGTH);
  public sequence = 1;

  constructor(private readonly key: Buffer, private readonly messageId: Buffer) {}

  /** Writes one frame of `content` into `out` at `offset`; returns the new offset. */
  public write(content: Buffer, out: Buffer, offset: number, final: boolean): number {
    if (this.sequence > MAX_FRAMES) throw new BadInputError('a message can have at most 2^32 - 1 frames; use a larger frame length');
    let o = offset;
    if (final) {
      out.writeUInt32BE(FINAL_FRAME_MARKER, o); o += 4;
    }
    out.writeUInt32BE(this.sequence, o); o += 4;
    this.iv.writeUInt32BE(this.sequence, 8);
    this.iv.copy(out, o); o += IV_LENGTH;
    if (final) {
      out.writeUInt32BE(content.length, o); o += 4;
    }
    const aad = final ? aadTemplate(this.messageId, FINAL_AAD) : (this.regularAad ??= aadTemplate(this.messageId, FRAME_AAD));
    setAadCounters(aad, this.sequence, content.length);
    const cipher = createCipheriv('aes-256-gcm', this.key, this.iv).setAAD(aad);
    o += cipher.update(content).copy(out, o);
    cipher.final();
    o += cipher.getAuthTag().copy(out, o);
    this.sequence += 1;
    return o;
  }

  /** One frame as separate buffers (frame header, ciphertext, tag), so large frames are not copied again. */
  public writeParts(content: Buffer, final: boolean): Buffer[] {
    if (this.sequence > MAX_FRAMES) throw new BadInputError('a message can have at most 2^32 - 1 frames; use a larger frame length');
    const header = Buffer.allocUnsafe(final ? 24 : 16);
    let o = 0;
    if (final) {
      header.writeUInt32BE(FINAL_FRAME_MARKER, 0);
      o = 4;
    }
    header.writeUInt32BE(this.sequence, o);
    this.iv.writeUInt32BE(this.sequence, 8);
    this.iv.copy(header, o + 4);
    if (final) header.writeUInt32BE(content.length, 20);
    const aad = final ? aadTemplate(this.messageId, FINAL_AAD) : (this.regularAad ??= aadTemplate(this.messageId, FRAME_AAD));
    setAadCounters(aad, this.sequence, content.length);
    const cipher = createCipheriv('aes-256-gcm', this.key, this.iv).setAAD(aad);
    const ciphertext = cipher.update(content);
    cipher.final();
    this.sequence += 1;
    return [header, ciphertext, cipher.getAuthTag()];
  }

  public dispose(): void {
    this.key.fill(0);
  }
}

function aadTemplate(messageId: Buffer, label: Buffer): Buffer {
  const aad = Buffer.allocUnsafe(MESSAGE_ID_LENGTH + label.length + 12);
  messageId.copy(aad, 0);
  label.copy(aad, MESSAGE_ID_LENGTH);
  return aad;
}

function setAadCounters(aad: Buffer, sequence: number, length: number): void {
  const o = aad.length - 12;
  aad.writeUInt32BE(sequence, o);
  aad.writeUInt32BE(Math.floor(length / 2 ** 32), o + 4);
  aad.writeUInt32BE(length % 2 ** 32, o + 8);
}

/** Bytes of the header and its auth tag for these materials. */
export function headerSize(m: EncryptionMaterials): number {
  return 3 + MESSAGE_ID_LENGTH + m.middle.length + 32 + TAG_LENGTH;
}

/**
 * Writes a message header and its auth tag at the start of `header` (a new buffer when not given); returns it with the
 * frame writer for the body.
 */
export function startMessage(m: EncryptionMaterials, into?: Buffer): { header: Buffer; writer: FrameWriter } {
  const key = Buffer.allocUnsafe(32);
  const headerLength = 3 + MESSAGE_ID_LENGTH + m.middle.length + 32;
  const header = into ?? Buffer.allocUnsafe(headerLength + TAG_LENGTH);
  const messageId = header.subarray(3, 3 + MESSAGE_ID_LENGTH);
  randomMessageId(messageId);
  header[0] = 0x02;
  header.writeUInt16BE(m.suite.id, 1);
  m.middle.copy(header, 3 + MESSAGE_ID_LENGTH);
  // The commitment goes straight into its place in the header.
  deriveMessageKeys(m.dataKey, messageId, m.suite, key, header.subarray(headerLength - 32, headerLength));
  const auth = createCipheriv('aes-256-gcm', key, ZERO_IV).setAAD(header.subarray(0, headerLength));
  auth.final();
  auth.getAuthTag().copy(header, headerLength);
  return { header, writer: new FrameWriter(key, messageId) };
}

/**
 * Messages of up to 8 KiB are written into shared 32 KiB slabs, as Node's Buffer pool does for buffers under 4 KiB: a
 * new ArrayBuffer for every small message cost about 1 µs in allocation and garbage collection, 4% of a cached 4 KiB
 * encrypt. A slab holds only message bytes (ciphertext and headers, nothing secret) and lives while any of its
 * messages does; `Buffer.from(message)` makes a standalone copy of one to keep for long.
 */
const SLAB_SIZE = 32 * 1024;
const SLAB_MAX = 8 * 1024;
let slab = Buffer.allocUnsafeSlow(0);
let slabOffset = 0;

function allocMessage(size: number): Buffer {
  if (size > SLAB_MAX) return Buffer.allocUnsafe(size);
  if (slabOffset + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = slab.subarray(slabOffset, slabOffset + size);
  // Eight-byte aligned, as Node's pool does.
  slabOffset += Math.ceil(size / 8) * 8;
  return out;
}

/**
 * Encrypts a whole plaintext into one message: header, frames (the last one final, up to a full frame), and for signed
 * suites the footer.
 */
export function encryptMessage(m: EncryptionMaterials, plaintext: Buffer): Buffer {
  const F = m.frameLength;
  const frames = Math.max(1, Math.ceil(plaintext.length / F));
  const finalLength = plaintext.length - (frames - 1) * F;
  const bodyLength = (frames - 1) * (F + FRAME_OVERHEAD) + finalLength + FINAL_FRAME_OVERHEAD;
  const size = headerSize(m);
  const out = allocMessage(size + bodyLength);
  const { writer } = startMessage(m, out);
  let o = size;
  try {
    for (let i = 0; i < frames - 1; i++) o = writer.write(plaintext.subarray(i * F, (i + 1) * F), out, o, false);
    o = writer.write(frames === 1 ? plaintext : plaintext.subarray((frames - 1) * F), out, o, true);
  } finally {
    writer.dispose();
  }
  if (!m.signingKey) return out;
  return Buffer.concat([out, footer(createSign('sha384').update(out).sign(m.signingKey))]);
}

export function footer(signature: Buffer): Buffer {
  const f = Buffer.allocUnsafe(2 + signature.length);
  f.writeUInt16BE(signature.length, 0);
  signature.copy(f, 2);
  return f;
}

/** Checks the commitment and the header's auth tag; returns the frame reader for the body. */
export function openMessage(h: ParsedHeader, m: DecryptionMaterials, maxFrameLength: number): FrameReader {
  const { key, commitment } = deriveMessageKeys(m.dataKey, h.messageId, h.suite);
  if (!timingSafeEqual(commitment, h.commitment)) {
    key.fill(0);
    throw new AuthenticationError('the key commitment does not match: wrong data key or tampered header');
  }
  try {
    const auth = createDecipheriv('aes-256-gcm', key, ZERO_IV).setAAD(h.headerBytes);
    auth.setAuthTag(h.authTag);
    auth.final();
  } catch {
    key.fill(0);
    throw new AuthenticationError('the header does not authenticate: tampered header or encryption context');
  }
  if (h.frameLength > maxFrameLength) {
    key.fill(0);
    throw new BadInputError(`the message's frame length ${h.frameLength} is above maxFrameLength ${maxFrameLength}`);
  }
  return new FrameReader(key, h.messageId, h.frameLength);
}

/** Reads and authenticates frames one at a time; plaintext of a frame is returned only after its tag verifies. */
export class FrameReader {
  private readonly regularAad: Buffer;
  private readonly finalAad: Buffer;
  private readonly iv = Buffer.alloc(IV_LENGTH);
  private sequence = 1;
  public done = false;

  constructor(private readonly key: Buffer, messageId: Buffer, private readonly frameLength: number) {
    this.regularAad = aadTemplate(messageId, FRAME_AAD);
    this.finalAad = aadTemplate(messageId, FINAL_AAD);
  }

  /**
   * Decrypts the frame at `offset` of `buf`: returns its plaintext and the offset after it, or throws INCOMPLETE when
   * `buf` does not hold the whole frame yet.
   */
  public read(buf: Buffer, offset: number): { plaintext: Buffer; next: number } {
    let o = offset;
    if (o + 4 > buf.length) throw INCOMPLETE;
    const final = buf.readUInt32BE(o) === FINAL_FRAME_MARKER;
    if (final) o += 4;
    if (o + 4 + IV_LENGTH + (final ? 4 : 0) > buf.length) throw INCOMPLETE;
    const sequence = buf.readUInt32BE(o); o += 4;
    if (sequence !== this.sequence) throw new AuthenticationError(`frame ${sequence} out of order (expected ${this.sequence})`);
    const iv = buf.subarray(o, o + IV_LENGTH); o += IV_LENGTH;
    this.iv.writeUInt32BE(sequence, 8);
    if (!iv.equals(this.iv)) throw new AuthenticationError(`frame ${sequence} has an IV that does not match its sequence number`);
    let length = this.frameLength;
    if (final) {
      length = buf.readUInt32BE(o); o += 4;
      if (length > this.frameLength) throw new AuthenticationError(`the final frame is longer (${length}) than the frame length (${this.frameLength})`);
    }
    if (o + length + TAG_LENGTH > buf.length) throw INCOMPLETE;
    const aad = final ? this.finalAad : this.regularAad;
    setAadCounters(aad, sequence, length);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv).setAAD(aad);
    decipher.setAuthTag(buf.subarray(o + length, o + length + TAG_LENGTH));
    const plaintext = decipher.update(buf.subarray(o, o + length));
    try {
      decipher.final();
    } catch {
      plaintext.fill(0);
      throw new AuthenticationError(`frame ${sequence} does not authenticate: tampered or truncated body`);
    }
    this.sequence += 1;
    if (final) this.done = true;
    return { plaintext, next: o + length + TAG_LENGTH };
  }

  public dispose(): void {
    this.key.fill(0);
  }
}

/** Verifies a signed message's footer over `signed` (header and body); `rest` must be exactly the footer. */
export function verifyFooter(m: DecryptionMaterials, signed: Buffer, rest: Buffer): void {
  if (rest.length < 2) throw new AuthenticationError('the message is truncated: the signature is missing');
  const length = rest.readUInt16BE(0);
  if (rest.length < 2 + length) throw new AuthenticationError('the message is truncated: the signature is incomplete');
  if (rest.length > 2 + length) throw new AuthenticationError('the message has bytes after its signature');
  const ok = createVerify('sha384').update(signed).verify(m.verificationKey!, rest.subarray(2));
  if (!ok) throw new AuthenticationError('the signature does not verify: the message was tampered with or signed by another key');
}
