/**
 * Why resizing is not left to sharp: resizes every fixture that needs it with each of sharp's kernels and
 * compares the cropped bytes with PIL's (recovered from the reference tensors), next to src/preprocess's own
 * resampler. Not a test; run it to re-measure the table in src/preprocess/README.md:
 *   node --import tsx test/preprocess/compare-sharp-kernels.ts
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { cropPixels } from '../../src/preprocess/crop.js';
import { decodeImage } from '../../src/preprocess/node/decode-sharp.js';
import { preprocessGeometry } from '../../src/preprocess/geometry.js';
import { resizeBilinear } from '../../src/preprocess/resample.js';
import type { PreprocessSpec } from '../../src/preprocess/spec.js';
import { IMAGES, manifest, readReferenceTensor, SPECS, type ImageReference, type SpecName } from './reference.js';

const KERNELS = ['nearest', 'linear', 'cubic', 'mitchell', 'lanczos2', 'lanczos3', 'mks2013', 'mks2021'] as const;

/** The 0–255 RGB bytes (HWC) that PIL produced after the crop, recovered from the normalised reference tensor. */
function referenceBytes(reference: ImageReference, spec: PreprocessSpec): Uint8Array {
  const tensor = readReferenceTensor(reference);
  const area = reference.crop.size * reference.crop.size;
  const bytes = new Uint8Array(area * 3);
  for (let plane = 0; plane < 3; plane++) {
    const channel = spec.channelOrder === 'BGR' ? 2 - plane : plane;
    for (let i = 0; i < area; i++) {
      const value = (tensor[plane * area + i]! * spec.std[plane]! + spec.mean[plane]!) / spec.scale;
      bytes[i * 3 + channel] = Math.round(value);
    }
  }
  return bytes;
}

interface Stats {
  max: number;
  sum: number;
  count: number;
}

const add = (stats: Stats, a: Uint8Array, b: Uint8Array): void => {
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    stats.max = Math.max(stats.max, d);
    stats.sum += d;
  }
  stats.count += a.length;
};

const columns = ['ours', ...KERNELS] as const;
const table = new Map<string, Map<string, Stats>>();
for (const entry of manifest.images) {
  const { pixels } = await decodeImage(join(IMAGES, entry.file));
  for (const specName of ['cifar10', 'imagenet'] as SpecName[]) {
    const spec = SPECS[specName];
    const geometry = preprocessGeometry(pixels.width, pixels.height, spec);
    if (!geometry.needsResize) continue;
    const { width, height } = geometry.resize;
    const group = `${specName}, ${width > pixels.width ? 'enlarging' : 'shrinking'}`;
    const row = table.get(group) ?? new Map<string, Stats>(columns.map((c) => [c, { max: 0, sum: 0, count: 0 }]));
    table.set(group, row);
    const want = referenceBytes(entry.references[specName], spec);
    add(row.get('ours')!, cropPixels(resizeBilinear(pixels, width, height), geometry.crop).data as Uint8Array, want);
    for (const kernel of KERNELS) {
      const data = await sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 3 } })
        .resize(width, height, { kernel, fit: 'fill' })
        .raw()
        .toBuffer();
      add(row.get(kernel)!, cropPixels({ data, width, height, channels: 3 }, geometry.crop).data as Uint8Array, want);
    }
  }
}
console.log(`| resize (fixtures) | ${columns.join(' | ')} |`);
console.log(`| --- | ${columns.map(() => '---').join(' | ')} |`);
for (const [group, row] of table) {
  const cells = columns.map((c) => {
    const s = row.get(c)!;
    return `${s.max} / ${(s.sum / s.count).toFixed(2)}`;
  });
  console.log(`| ${group} | ${cells.join(' | ')} |`);
}
