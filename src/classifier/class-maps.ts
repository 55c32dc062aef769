import { type MapGeometry, ModelError } from '../model/index.js';

export type { MapGeometry } from '../model/index.js';

/**
 * One image's class confidence maps (the NIN paper's): the last layer's map of each class before global average
 * pooling, whose mean is that class's logit. A cell says how strongly the part of the input it sees (geometry)
 * looks like the class: "roughly where", as each cell of the CIFAR-10 NIN sees 27 of 32 pixels. What
 * `classify(image, { maps: true })` puts in `predictions.maps`.
 *
 * @example
 * ```ts
 * import { classify, type ClassMaps } from 'nin-sdk';
 * const result = await classify('cat.jpg', { maps: true });
 * const maps: ClassMaps | undefined = result.maps;
 * if (maps !== undefined) {
 *   const k = result.top[0]!.index;
 *   const area = maps.height * maps.width;
 *   const map = maps.data.subarray(k * area, (k + 1) * area); // the top class's map, row after row
 *   console.log(maps.labels[k], maps.height, maps.width, map.length); // cat 8 8 64
 * }
 * ```
 */
export interface ClassMaps {
  /** Class names, in the model's order: map k is labels[k]'s. */
  readonly labels: readonly string[];
  /** Rows of each map. */
  readonly height: number;
  /** Columns of each map. */
  readonly width: number;
  /** All maps, [classes × height × width] row-major, as the model computed them. */
  readonly data: Float32Array;
  /** The model's logits for the image (each class's map averaged, as the model itself pools it). */
  readonly logits: Float32Array;
  /** Where the cells lie in the model's input (inputSize × inputSize pixels after preprocessing). */
  readonly geometry: MapGeometry;
  /** The side of the model's input, in pixels: what geometry is measured in. */
  readonly inputSize: number;
}

/** Class `index`'s map as rows of numbers (for JSON and drawing). */
export function mapRows(maps: ClassMaps, index: number): number[][] {
  const { height, width } = maps;
  const start = index * height * width;
  return Array.from({ length: height }, (_, r) =>
    Array.from(maps.data.subarray(start + r * width, start + (r + 1) * width)),
  );
}

/** Class `index`'s map averaged, in float64: equals its logit up to the model's float32 rounding. */
export function mapMean(maps: ClassMaps, index: number): number {
  const area = maps.height * maps.width;
  let sum = 0;
  for (let i = index * area; i < (index + 1) * area; i++) sum += maps.data[i]!;
  return sum / area;
}

/**
 * Refuses maps whose means are not the logits (beyond float32 summation's rounding): the graph was found to pool
 * them into the logits (findClassMaps), and this checks each run that it did, so that no map is shown for a score it
 * did not make (a Reshape whose computed shape reordered the batch, say).
 */
export function checkMapsAverageToLogits(maps: ClassMaps, source: string): void {
  let scale = 1e-6;
  for (const logit of maps.logits) scale = Math.max(scale, Math.abs(logit));
  for (let k = 0; k < maps.labels.length; k++) {
    const mean = mapMean(maps, k);
    if (!(Math.abs(mean - maps.logits[k]!) <= 1e-4 * scale)) {
      throw new ModelError(
        `${source}: the class maps of ${JSON.stringify(maps.labels[k])} average to ${mean}, not to its logit ` +
          `${maps.logits[k]}: they are not the maps the model pools`,
      );
    }
  }
}

/** The JSON form of one image's maps: what `nin-sdk explain --json` prints and serve's `?maps=1` answers. */
export interface ClassMapsJson {
  readonly geometry: {
    readonly inputSize: number;
    readonly rows: number;
    readonly columns: number;
    readonly cellStride: readonly number[];
    readonly receptiveField: readonly number[];
    readonly offset: readonly number[];
    readonly units: string;
  };
  /** label → the class's logit (its map's mean). */
  readonly logits: Readonly<Record<string, number>>;
  /** label → the class's map as rows of numbers. */
  readonly maps: Readonly<Record<string, number[][]>>;
}

/**
 * `maps` as JSON, keyed by label (Object.fromEntries: a label such as `__proto__` is a key like any other), with the
 * maps of `indices` only when given (all classes by default).
 */
export function classMapsJson(maps: ClassMaps, indices?: readonly number[]): ClassMapsJson {
  const shown = indices ?? maps.labels.map((_, i) => i);
  return {
    geometry: {
      inputSize: maps.inputSize,
      rows: maps.height,
      columns: maps.width,
      cellStride: maps.geometry.stride,
      receptiveField: maps.geometry.receptiveField,
      offset: maps.geometry.offset,
      units: 'input pixels: the model input after resizing and centre-cropping, inputSize × inputSize',
    },
    logits: Object.fromEntries(maps.labels.map((label, i) => [label, maps.logits[i]!])),
    maps: Object.fromEntries(shown.map((i) => [maps.labels[i]!, mapRows(maps, i)])),
  };
}
