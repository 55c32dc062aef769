/**
 * Small hostile images made in the tests themselves, each a few kB to a few hundred kB that would cost a decoder
 * far more than its size: readable next to the outcome the tests expect.
 */
import sharp from 'sharp';

/**
 * An SVG of `size`×`size` whose filters chain `filters` blurs: librsvg renders each over the whole canvas. At
 * 2000×2000 and 100 filters (4.9 kB) it took a server to 3.3 GB; the tests' default is small, so that a run against a
 * build without the format check fails in a moment instead of taking gigabytes: the refusal does not depend on it.
 */
export function filterChainSvg(size = 200, filters = 3): Buffer {
  const chain = Array.from(
    { length: filters },
    (_, i) => `<feGaussianBlur in="${i === 0 ? 'SourceGraphic' : `b${i - 1}`}" stdDeviation="50" result="b${i}"/>`,
  ).join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><filter id="f" x="0" y="0" width="1" height="1">${chain}</filter>` +
      `<rect width="100%" height="100%" fill="red" filter="url(#f)"/></svg>`,
  );
}

/**
 * A real progressive JPEG of `size`×`size` with `extraScans` empty AC scans of its luma inserted before its end: each
 * is a header of 10 bytes that makes libjpeg walk every block of the image once more.
 */
export async function manyScanJpeg(extraScans: number, size = 512): Promise<Buffer> {
  const jpeg = await sharp({
    create: { width: size, height: size, channels: 3, background: { r: 90, g: 120, b: 200 } },
  })
    .jpeg({ progressive: true, quality: 80 })
    .toBuffer();
  // SOS, length 8, one component (id 1, tables 0/0), spectral selection 1–63, successive approximation 0/0.
  const emptyScan = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x00]);
  return Buffer.concat([
    jpeg.subarray(0, -2),
    Buffer.alloc(emptyScan.length * extraScans, emptyScan),
    jpeg.subarray(-2),
  ]);
}

/** A GIF whose logical screen is `screen` square and that holds `frames` frames of `frame`×`frame` pixels each. */
export function manyFrameGif(frames: number, screen = 1, frame = 1): Buffer {
  const u16 = (n: number): number[] => [n & 0xff, n >> 8];
  const header = Buffer.from([
    ...Buffer.from('GIF89a'),
    ...u16(screen),
    ...u16(screen),
    0x80,
    0,
    0,
    0,
    0,
    0,
    255,
    255,
    255,
  ]);
  // Image descriptor at (0, 0), no local colour table, then a 2-bit LZW stream of one pixel (a 1×1 GIF's).
  const image = Buffer.from([0x2c, 0, 0, 0, 0, ...u16(frame), ...u16(frame), 0, 2, 2, 0x44, 0x01, 0]);
  return Buffer.concat([header, Buffer.alloc(image.length * frames, image), Buffer.from([0x3b])]);
}

/** An animated WebP header (VP8X, 1×1 canvas) followed by `frames` empty ANMF chunks: enough for the header reader. */
export function manyFrameWebp(frames: number): Buffer {
  const chunk = (fourcc: string, data: Buffer): Buffer => {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(data.length);
    return Buffer.concat([Buffer.from(fourcc), size, data, Buffer.alloc(data.length % 2)]);
  };
  const vp8x = Buffer.from([0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // animation flag, canvas 1×1
  const anmf = chunk('ANMF', Buffer.alloc(16));
  const body = Buffer.concat([Buffer.from('WEBP'), chunk('VP8X', vp8x), Buffer.alloc(anmf.length * frames, anmf)]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

/** A little-endian TIFF header and a chain of `pages` directories, each saying `width`×`height` (no pixel data). */
export function manyPageTiff(pages: number, width = 1, height = 1): Buffer {
  const entries = 2;
  const ifdSize = 2 + 12 * entries + 4;
  const out = Buffer.alloc(8 + ifdSize * pages);
  out.write('II*\0', 0, 'latin1');
  out.writeUInt32LE(8, 4);
  for (let page = 0; page < pages; page++) {
    const at = 8 + page * ifdSize;
    out.writeUInt16LE(entries, at);
    [
      [256, width],
      [257, height],
    ].forEach(([tag, value], k) => {
      const entry = at + 2 + 12 * k;
      out.writeUInt16LE(tag!, entry);
      out.writeUInt16LE(4, entry + 2); // LONG
      out.writeUInt32LE(1, entry + 4);
      out.writeUInt32LE(value!, entry + 8);
    });
    out.writeUInt32LE(page + 1 < pages ? at + ifdSize : 0, at + ifdSize - 4);
  }
  return out;
}
