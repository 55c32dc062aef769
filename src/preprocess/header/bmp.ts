import { isBmpProblem, readBmpLayout } from '../bmp/bmp-layout.js';
import type { HeaderReading } from './image-header.js';

/**
 * A BMP's size from its information header, or why it cannot be decoded (a damaged header, or a kind Pillow
 * refuses too: JPEG or PNG inside, unknown bit fields, 2 bits a pixel …). A BMP is one frame; its decoding work
 * is linear in the file and the image (RLE included), so the pixel limit bounds it.
 */
export function readBmp(bytes: Uint8Array): HeaderReading {
  const layout = readBmpLayout(bytes);
  if (isBmpProblem(layout)) return { format: 'bmp', ...layout };
  return { format: 'bmp', width: layout.width, height: layout.height, frames: 1, scans: 1 };
}
