import { Readable } from 'stream';

/** A readable that yields `data` in chunks of `size` bytes. */
export function chunked(data: Buffer, size: number): Readable {
  return Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));
}
