import { createSign, createVerify, Sign, Verify } from 'crypto';
import { Transform, TransformCallback } from 'stream';
import { EncryptionContext } from './context';
import { AuthenticationError } from './errors';
import { INCOMPLETE, ParsedHeader } from './header';
import { DecryptionMaterials, EncryptionMaterials } from './materials';
import { FINAL_FRAME_OVERHEAD, footer, FrameReader, FrameWriter, startMessage } from './message';

type Materials = { value: EncryptionMaterials; owned: boolean };

/**
 * Encrypts a stream into one message. Input is cut into frames; a frame is written once more input follows it, so
 * the last frame (final) can be full. The header goes out with the first frame.
 */
export class EncryptStream extends Transform {
  private materials?: Materials;
  private writer?: FrameWriter;
  private signer?: Sign;
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly getMaterials: () => Promise<Materials>, private readonly frameLength: number) {
    super();
  }

  public _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.ensureStarted().then(() => {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      // Keep at least one byte back, so the final frame is never empty when input ends on a frame boundary.
      while (this.pendingLength > this.frameLength) this.writeFrame(this.takePending(this.frameLength), false);
      callback();
    }, (err) => callback(err));
  }

  public _flush(callback: TransformCallback): void {
    this.ensureStarted().then(() => {
      this.writeFrame(this.takePending(this.pendingLength), true);
      this.writer!.dispose();
      if (this.signer) this.out(footer(this.signer.sign(this.materials!.value.signingKey!)), false);
      if (this.materials!.owned) this.materials!.value.dispose();
      callback();
    }, (err) => callback(err));
  }

  public _destroy(err: Error | null, callback: (error: Error | null) => void): void {
    this.writer?.dispose();
    if (this.materials?.owned) this.materials.value.dispose();
    callback(err);
  }

  private async ensureStarted(): Promise<void> {
    if (this.writer) return;
    this.materials = await this.getMaterials();
    const { header, writer } = startMessage(this.materials.value);
    this.writer = writer;
    if (this.materials.value.signingKey) this.signer = createSign('sha384');
    this.out(header, true);
  }

  private writeFrame(content: Buffer, final: boolean): void {
    for (const part of this.writer!.writeParts(content, final)) this.out(part, true);
  }

  private out(buf: Buffer, signed: boolean): void {
    if (signed) this.signer?.update(buf);
    this.push(buf);
  }

  /** The next `n` pending bytes, copying only when they span chunks. */
  private takePending(n: number): Buffer {
    const first = this.pending[0];
    let taken: Buffer;
    if (n === 0) {
      taken = Buffer.alloc(0);
    } else if (first.length >= n) {
      taken = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      taken = Buffer.allocUnsafe(n);
      let o = 0;
      while (o < n) {
        const c = this.pending[0];
        const k = Math.min(c.length, n - o);
        c.copy(taken, o, 0, k);
        o += k;
        if (k === c.length) this.pending.shift();
        else this.pending[0] = c.subarray(k);
      }
    }
    this.pendingLength -= n;
    return taken;
  }
}

export interface DecryptStreamHooks {
  /** Parses the header; throws INCOMPLETE while it is not all there. */
  parse(buf: Buffer): ParsedHeader;
  open(header: ParsedHeader): Promise<{ materials: DecryptionMaterials; owned: boolean; reader: FrameReader }>;
  userContext(context: EncryptionContext): EncryptionContext;
}

/**
 * Decrypts a message stream: parses the header, gets the data key, then releases each frame's plaintext only after the
 * frame authenticates. Emits `header` with the message's context before the first plaintext. A stream that ends
 * before the final frame (or, signed suites, the signature) fails with AuthenticationError.
 */
export class DecryptStream extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private total = 0;
  private header?: ParsedHeader;
  private opened?: { materials: DecryptionMaterials; owned: boolean; reader: FrameReader };
  private verifier?: Verify;

  constructor(private readonly hooks: DecryptStreamHooks) {
    super();
  }

  public _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunks.push(chunk);
    this.total += chunk.length;
    // Input is joined once a whole frame can be there, so each byte is copied about once.
    if (this.header && this.total < this.header.frameLength + FINAL_FRAME_OVERHEAD) {
      callback();
      return;
    }
    this.join();
    this.drain().then(() => callback(), (err) => callback(err));
  }

  public _flush(callback: TransformCallback): void {
    this.join();
    this.drain().then(() => {
      if (!this.opened) throw new AuthenticationError('the message is truncated: its header is incomplete');
      if (!this.opened.reader.done) throw new AuthenticationError('the message is truncated: its final frame is missing');
      if (this.verifier) {
        const rest = this.buffer;
        if (rest.length < 2 || rest.length < 2 + rest.readUInt16BE(0)) throw new AuthenticationError('the message is truncated: the signature is missing or incomplete');
        if (rest.length > 2 + rest.readUInt16BE(0)) throw new AuthenticationError('the message has bytes after its signature');
        if (!this.verifier.verify(this.opened.materials.verificationKey!, rest.subarray(2))) {
          throw new AuthenticationError('the signature does not verify: the message was tampered with or signed by another key');
        }
      } else if (this.buffer.length > 0) {
        throw new AuthenticationError('the message has bytes after its final frame');
      }
      this.cleanup();
      callback();
    }).catch((err) => {
      this.cleanup();
      callback(err);
    });
  }

  public _destroy(err: Error | null, callback: (error: Error | null) => void): void {
    this.cleanup();
    callback(err);
  }

  private async drain(): Promise<void> {
    if (!this.header) {
      try {
        this.header = this.hooks.parse(this.buffer);
      } catch (err) {
        if (err === INCOMPLETE) return;
        throw err;
      }
      this.opened = await this.hooks.open(this.header);
      if (this.header.suite.signed) this.verifier = createVerify('sha384').update(this.buffer.subarray(0, this.header.length));
      this.buffer = this.buffer.subarray(this.header.length);
      this.chunks = [this.buffer];
      this.total = this.buffer.length;
      this.emit('header', { context: this.hooks.userContext(this.header.context), suite: this.header.suite.id, frameLength: this.header.frameLength });
    }
    const reader = this.opened!.reader;
    let o = 0;
    while (!reader.done) {
      let frame;
      try {
        frame = reader.read(this.buffer, o);
      } catch (err) {
        if (err === INCOMPLETE) break;
        throw err;
      }
      this.verifier?.update(this.buffer.subarray(o, frame.next));
      o = frame.next;
      this.push(frame.plaintext);
    }
    this.buffer = this.buffer.subarray(o);
    this.chunks = this.buffer.length > 0 ? [this.buffer] : [];
    this.total = this.buffer.length;
  }

  private join(): void {
    this.buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    this.chunks = [this.buffer];
  }

  private cleanup(): void {
    if (!this.opened) return;
    this.opened.reader.dispose();
    if (this.opened.owned) this.opened.materials.dispose();
  }
}
