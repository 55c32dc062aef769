/**
 * File extensions taken as images in folders and archives, lower case: those of the accepted formats (JPEG, PNG,
 * WebP, GIF, TIFF, BMP; see src/preprocess/check-encoded-image.ts). What a file holds is checked from its bytes, whatever
 * its extension says.
 */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.bmp',
]);
