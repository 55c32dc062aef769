import { startsWith, viewOf, type HeaderReading } from './image-header.js';

const ANIMATION_FLAG = 0x02;

/**
 * A WebP's size from its first chunk (VP8 lossy, VP8L lossless, or the VP8X extended header's canvas) and, for an
 * animated one, its ANMF frames counted up to `maxFrames + 1`. libwebp decodes an animation's frames onto that
 * canvas and refuses frames that overhang it, so the canvas bounds every frame.
 */
export function readWebp(bytes: Uint8Array, maxFrames: number): HeaderReading {
  if (bytes.length < 30) return { format: 'webp', problem: 'it ends inside its first chunk' };
  const view = viewOf(bytes);
  const data = 20;
  if (startsWith(bytes, 'VP8 ', 12)) {
    if (!startsWith(bytes, [0x9d, 0x01, 0x2a], data + 3)) return { format: 'webp', problem: 'no VP8 start code' };
    const width = view.getUint16(data + 6, true) & 0x3fff;
    const height = view.getUint16(data + 8, true) & 0x3fff;
    return { format: 'webp', width, height, frames: 1, scans: 1 };
  }
  if (startsWith(bytes, 'VP8L', 12)) {
    if (bytes[data] !== 0x2f) return { format: 'webp', problem: 'no VP8L signature' };
    const bits = view.getUint32(data + 1, true);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, frames: 1, scans: 1 };
  }
  if (startsWith(bytes, 'VP8X', 12)) {
    const width = 1 + (view.getUint32(data + 4, true) & 0xffffff);
    const height = 1 + (view.getUint32(data + 7, true) & 0xffffff);
    const animated = (bytes[data]! & ANIMATION_FLAG) !== 0;
    return { format: 'webp', width, height, frames: animated ? countFrames(bytes, view, maxFrames) : 1, scans: 1 };
  }
  return { format: 'webp', problem: 'no VP8, VP8L or VP8X chunk first' };
}

/** ANMF chunks at the top level of the RIFF container, up to `maxFrames + 1`. */
function countFrames(bytes: Uint8Array, view: DataView, maxFrames: number): number {
  let frames = 0;
  for (let pos = 12; pos + 8 <= bytes.length && frames <= maxFrames;) {
    if (startsWith(bytes, 'ANMF', pos)) frames += 1;
    const size = view.getUint32(pos + 4, true);
    pos += 8 + size + (size % 2); // chunks are padded to an even size
  }
  return frames;
}
