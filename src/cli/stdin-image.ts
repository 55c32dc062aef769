import type { Readable } from 'node:stream';
import { ImageError } from '../preprocess/index.js';
import { UsageError } from './errors.js';

/** The operand that names standard input, as in cat(1) and most Unix tools. */
export const STDIN_OPERAND = '-';

/**
 * The most bytes read from standard input: an image larger than this is no photograph (a 100-megapixel PNG,
 * predict's pixel limit, compresses far below it). Bounding the read keeps a stream without end from filling memory.
 */
export const MAX_STDIN_IMAGE_BYTES = 256 * 1024 * 1024;

/**
 * The one image piped to a command as `-`, read whole. Refused when standard input is a terminal (nothing was piped:
 * the command would wait for typing) and when it holds more than `maxBytes`.
 */
export async function readStdinImage(
  stdin: Readable & { readonly isTTY?: boolean } = process.stdin,
  maxBytes: number = MAX_STDIN_IMAGE_BYTES,
): Promise<Uint8Array> {
  if (stdin.isTTY === true) {
    throw new UsageError("'-' reads an image from standard input, which is a terminal here: pipe one in (… < cat.jpg)");
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const bytes = chunk as Buffer;
    total += bytes.byteLength;
    if (total > maxBytes) {
      stdin.destroy();
      throw new ImageError(`standard input holds more than ${maxBytes / 1024 / 1024} MiB: not an image predict takes`);
    }
    chunks.push(bytes);
  }
  if (total === 0) throw new ImageError('standard input is empty: no image was piped in');
  return Buffer.concat(chunks, total);
}
