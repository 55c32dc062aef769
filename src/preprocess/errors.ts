/**
 * A problem with an input image: a file that cannot be read, bytes that are not a decodable image, a damaged
 * image, one too large to decode safely, or raw pixels whose fields disagree. The message is one line and names
 * the image (its path, `image buffer (N bytes)` or `raw pixels`), so a CLI can print it as it is.
 *
 * @example
 * ```ts
 * import { classify, ImageError } from 'nin-sdk';
 * try {
 *   await classify('not-an-image.txt');
 * } catch (error) {
 *   if (error instanceof ImageError) console.error(error.message);
 * }
 * ```
 */
export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
