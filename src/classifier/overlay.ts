import { preprocessGeometry, type CropBox, type PreprocessSpec } from '../preprocess/index.js';
import type { ClassMaps } from './class-maps.js';

/** How a class map is drawn over the image the model saw: the same on both platforms (Node's explain, the page). */
export interface OverlayLayout {
  /** Side of the square image panel, in pixels: the model's input scaled up (at least 256). */
  readonly side: number;
  /** Width of the colour scale drawn right of the panel. */
  readonly scaleWidth: number;
  /** Height of the caption below the panel (label and probability). */
  readonly captionHeight: number;
}

/** The smallest long side of an explanation image (CIFAR-10's 32-pixel inputs are drawn 8 times larger). */
export const MIN_OVERLAY_SIDE = 256;

/** The panel for a model input of `inputSize` pixels: a whole multiple of it, at least MIN_OVERLAY_SIDE. */
export function overlayLayout(inputSize: number): OverlayLayout {
  return { side: inputSize * Math.ceil(MIN_OVERLAY_SIDE / inputSize), scaleWidth: 56, captionHeight: 32 };
}

/** How strongly the map shows over the image (0: not at all, 1: only the map). */
const HEAT_ALPHA = 0.55;

/**
 * Class `index`'s map at each pixel of a side × side panel over the model's input: each cell's value sits at the
 * centre of the input pixels it sees (geometry), and values between cells are interpolated bilinearly (held at the
 * edges). Row-major, side × side.
 */
export function upsampledMap(maps: ClassMaps, index: number, side: number): Float32Array {
  const { height, width, geometry, inputSize } = maps;
  const area = height * width;
  const map = maps.data.subarray(index * area, (index + 1) * area);
  const cellAt = (pixel: number, axis: 0 | 1, cells: number): [number, number, number] => {
    const input = ((pixel + 0.5) * inputSize) / side - 0.5;
    const centre0 = geometry.offset[axis] + (geometry.receptiveField[axis] - 1) / 2;
    const f = Math.min(cells - 1, Math.max(0, (input - centre0) / geometry.stride[axis]));
    const low = Math.floor(f);
    return [low, Math.min(cells - 1, low + 1), f - low];
  };
  const columns = Array.from({ length: side }, (_, x) => cellAt(x, 1, width));
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const [r0, r1, fy] = cellAt(y, 0, height);
    for (let x = 0; x < side; x++) {
      const [c0, c1, fx] = columns[x]!;
      const top = map[r0 * width + c0]! * (1 - fx) + map[r0 * width + c1]! * fx;
      const bottom = map[r1 * width + c0]! * (1 - fx) + map[r1 * width + c1]! * fx;
      out[y * side + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The range the colours span: the map's own, from its lowest to its highest cell (a flat map spans one unit). */
export function mapRange(maps: ClassMaps, index: number): { readonly low: number; readonly high: number } {
  const area = maps.height * maps.width;
  let low = Infinity;
  let high = -Infinity;
  for (let i = index * area; i < (index + 1) * area; i++) {
    low = Math.min(low, maps.data[i]!);
    high = Math.max(high, maps.data[i]!);
  }
  return high > low ? { low, high } : { low, high: low + 1 };
}

/**
 * A perceptual dark-blue → green → yellow scale (viridis' end and middle points, linearly between), t in [0, 1]:
 * readable for the colour-blind and in greyscale print, unlike a rainbow.
 */
export function heatColour(t: number): readonly [number, number, number] {
  const stops: readonly (readonly [number, number, number])[] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const at = clamped * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(at));
  const f = at - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as unknown as readonly [number, number, number];
}

/**
 * The map blended over the panel's pixels: `base` is side × side × `channels` (3 or 4; alpha kept), changed in place
 * and returned.
 */
export function blendMap(
  base: Uint8Array | Uint8ClampedArray,
  channels: 3 | 4,
  values: Float32Array,
  range: { readonly low: number; readonly high: number },
): Uint8Array | Uint8ClampedArray {
  const span = range.high - range.low;
  for (let p = 0; p < values.length; p++) {
    const colour = heatColour((values[p]! - range.low) / span);
    for (let c = 0; c < 3; c++) {
      const at = p * channels + c;
      base[at] = Math.round(base[at]! * (1 - HEAT_ALPHA) + colour[c]! * HEAT_ALPHA);
    }
  }
  return base;
}

/** A vertical colour scale, high at the top, `width` × `height` RGB. */
export function colourScale(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const colour = heatColour(1 - y / Math.max(1, height - 1));
    for (let x = 0; x < width; x++) out.set(colour, (y * width + x) * 3);
  }
  return out;
}

/** A number for a caption: three significant digits, no exponent for ordinary magnitudes. */
export function formatValue(value: number): string {
  return Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 0.01)
    ? value.toExponential(2)
    : value.toPrecision(3);
}

/**
 * The part of a width × height image the model classified (the preprocessing's resize and centre crop, mapped back
 * onto the image's own pixels), as a box in whole pixels: what an overlay draws the map over.
 */
export function modelViewBox(width: number, height: number, spec: PreprocessSpec): CropBox {
  const geometry = preprocessGeometry(width, height, spec);
  const sx = width / geometry.resize.width;
  const sy = height / geometry.resize.height;
  const left = Math.min(width - 1, Math.floor(geometry.crop.left * sx));
  const top = Math.min(height - 1, Math.floor(geometry.crop.top * sy));
  return {
    left,
    top,
    width: Math.max(1, Math.min(width - left, Math.round(spec.inputSize * sx))),
    height: Math.max(1, Math.min(height - top, Math.round(spec.inputSize * sy))),
  };
}
