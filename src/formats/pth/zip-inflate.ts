import { Inflate } from 'fflate';
import { CheckpointError, quote } from './errors.js';

/**
 * Inflating a deflated zip entry without trusting its header. fflate's
 * unzipSync inflates into a buffer of the size the central directory
 * declares and, when the stream holds more, silently drops the excess while
 * still decoding all of it: a 48 KB entry declaring 100 bytes decoded 50 MB
 * (deflate reaches 1032:1, so CPU time grows a thousandfold over the file).
 * Here the stream is fed in small chunks and stopped as soon as it passes the
 * declared size, and a stream that ends short of it is refused too.
 *
 * Where the entry's data starts comes from zip-archive.ts's walk of the
 * central directory; this is the only use of fflate when reading a zip.
 */

/** Compressed bytes fed per step: at most ~1032 × this comes out before the size check. */
const CHUNK = 4 * 1024;

function malformed(what: string): never {
  throw new CheckpointError('malformed-zip', `malformed zip archive: ${what}`);
}

/**
 * Inflates `compressed` into exactly `declaredSize` bytes, stopping as soon as
 * the stream would produce more.
 */
export function inflateExactly(compressed: Uint8Array, declaredSize: number, name: string): Uint8Array {
  const out = new Uint8Array(declaredSize);
  let produced = 0;
  let finished = false;
  const inflate = new Inflate((chunk, final) => {
    if (produced + chunk.length > declaredSize) {
      throw new CheckpointError(
        'malformed-zip',
        `malformed zip archive: entry ${quote(name)} inflates past the ${declaredSize} bytes its header declares`,
      );
    }
    out.set(chunk, produced);
    produced += chunk.length;
    if (final) finished = true;
  });
  try {
    for (let at = 0; at < compressed.length && !finished; at += CHUNK) {
      const end = Math.min(compressed.length, at + CHUNK);
      inflate.push(compressed.subarray(at, end), end === compressed.length);
    }
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    malformed(`entry ${quote(name)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!finished || produced !== declaredSize) {
    malformed(`entry ${quote(name)} inflates to ${produced} bytes but its header declares ${declaredSize}`);
  }
  return out;
}
