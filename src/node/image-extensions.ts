/** File extensions taken as images in folders and archives (what nin-sdk decodes and PIL opens), lower case. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
  '.bmp',
]);
