import { decodeImage, type PreprocessSpec } from '../../../preprocess/node/index.js';
import { fitPixels } from '../fit-pixels.js';

/**
 * An encoded image → RGB (or, for a 1-channel spec, grey) bytes of the spec's input size. Decoding is
 * src/preprocess's (read the way PIL's convert('RGB') reads files), so training pixels are the ones inference would
 * see.
 */
export async function decodeToInputSize(bytes: Uint8Array, spec: PreprocessSpec): Promise<Uint8Array> {
  const { pixels } = await decodeImage(bytes);
  return fitPixels(pixels, spec);
}
