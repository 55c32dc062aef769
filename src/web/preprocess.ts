import { type PreprocessedImage, preprocessPixels, type PreprocessSpec } from '../preprocess/index.js';
import { decodeImage, type WebDecodeOptions, type WebImage } from './decode-image.js';

/**
 * A browser image → the [1, C, S, S] input tensor of a model with this preprocessing spec: decoded by the
 * browser, then the same pure pipeline as Node's sharp path (Pillow's bilinear resize, torchvision's centre crop,
 * float32 normalisation), so equal pixels give bit-identical tensors.
 *
 * @param image - the image, of any kind WebImage names
 * @param spec - the model's preprocessing (ModelInfo.preprocessing)
 * @param options - the largest encoded image decoded
 * @returns the normalised tensor and its dimensions
 * @throws ImageError for an image that cannot be decoded or is too large
 * @example
 * ```ts
 * import { loadClassifier, preprocessImage } from 'nin-sdk/web';
 * declare const file: File;
 * const classifier = await loadClassifier();
 * const { tensor } = await preprocessImage(file, classifier.info.preprocessing);
 * const probabilities = await classifier.probabilities([tensor]);
 * ```
 */
export async function preprocessImage(
  image: WebImage,
  spec: PreprocessSpec,
  options: WebDecodeOptions = {},
): Promise<PreprocessedImage> {
  return preprocessPixels(await decodeImage(image, options), spec, label(image));
}

/** How errors name the image: a file's name, else its kind ('HTMLImageElement', 'raw pixels' …). */
function label(image: WebImage): string {
  if (typeof File !== 'undefined' && image instanceof File) return image.name;
  const kind = image.constructor.name;
  return kind === 'Object' ? 'raw pixels' : kind;
}
