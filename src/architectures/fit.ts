import { pytorchPoolOutputSize } from './pytorch-ops/pooling-sizes.js';
import { isWeighted, OPTIONAL_SUFFIX, tensorSuffixes, type ArchLayer, type Architecture } from './architecture.js';
import { ArchitectureError } from './errors.js';
import { withInputChannelsOf } from './input-channels.js';

export interface ShapedTensor {
  readonly shape: readonly number[];
}

/** Where each weighted layer's tensors are: `<layer name>.<suffix>` → checkpoint key. */
export type KeyMap = ReadonlyMap<string, string>;

/** An architecture whose keys and shapes a checkpoint fits. */
export interface Fit {
  readonly architecture: Architecture;
  readonly keyOf: KeyMap;
  /** Output channels of the last layer with weights: the class count. */
  readonly classCount: number;
  readonly parameterCount: number;
}

/** How close a checkpoint's keys come to an architecture's when they do not fit exactly. */
export interface KeyMismatch {
  readonly architecture: Architecture;
  readonly prefix: string;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly matched: number;
}

/** The key maps an architecture may appear under: each key prefix, and without its optional container. */
export function keyMaps(
  architecture: Architecture,
): Array<{ readonly prefix: string; readonly keyOf: Map<string, string> }> {
  const variants: Array<(name: string) => string> = architecture.keyPrefixes.map(
    (prefix) => (name: string) => `${prefix}${name}`,
  );
  const container = architecture.optionalContainer;
  if (container !== undefined)
    variants.push((name) => (name.startsWith(container) ? name.slice(container.length) : name));
  const labels = [...architecture.keyPrefixes, container === undefined ? '' : `(no ${container})`];
  return variants.map((rename, n) => ({
    prefix: labels[n]!,
    keyOf: new Map(expectedTensors(architecture).map((t) => [t, rename(t)])),
  }));
}

/** `<layer>.<suffix>` for every tensor the architecture needs, in layer order. */
export function expectedTensors(architecture: Architecture): string[] {
  return architecture.layers
    .filter(isWeighted)
    .flatMap((layer) => tensorSuffixes(layer).map((suffix) => `${layer.name}.${suffix}`));
}

/** Keys a state_dict may have beyond the needed ones without changing the computation. */
function optionalKeys(architecture: Architecture, keyOf: KeyMap): Set<string> {
  const optional = new Set<string>();
  for (const layer of architecture.layers) {
    if (layer.kind !== 'batchNorm') continue;
    const mean = keyOf.get(`${layer.name}.running_mean`);
    if (mean !== undefined) optional.add(`${mean.slice(0, -'running_mean'.length)}${OPTIONAL_SUFFIX}`);
  }
  return optional;
}

/** Compares the checkpoint's key set with one key map: exact (apart from optional keys) or how far off. */
export function compareKeys(
  architecture: Architecture,
  prefix: string,
  keyOf: KeyMap,
  tensors: ReadonlyMap<string, ShapedTensor>,
): KeyMismatch {
  const wanted = new Set(keyOf.values());
  const optional = optionalKeys(architecture, keyOf);
  const missing = [...wanted].filter((key) => !tensors.has(key));
  const unexpected = [...tensors.keys()].filter((key) => !wanted.has(key) && !optional.has(key));
  return { architecture, prefix, missing, unexpected, matched: wanted.size - missing.length };
}

/**
 * Checks every tensor's shape against the layer list, following channels and spatial sizes from the input
 * (PyTorch's pooling sizes), and returns the fit. Throws an ArchitectureError naming the first tensor or layer
 * that does not fit.
 */
export function checkShapes(entry: Architecture, keyOf: KeyMap, tensors: ReadonlyMap<string, ShapedTensor>): Fit {
  const architecture = withInputChannelsOf(entry, firstConvInputChannels(entry, keyOf, tensors));
  const { title } = architecture;
  const shapeOf = (layer: ArchLayer, suffix: string) => {
    const key = keyOf.get(`${layer.name}.${suffix}`)!;
    return { key, shape: tensors.get(key)!.shape };
  };
  const describe = (shape: readonly number[]) => `[${shape.join(', ')}]`;
  const layerLabel = (layer: ArchLayer) =>
    architecture.optionalContainer !== undefined && layer.name.startsWith(architecture.optionalContainer)
      ? layer.name.slice(architecture.optionalContainer.length)
      : layer.name;

  let channels = architecture.inputChannels;
  let size: number | undefined = architecture.inputSize;
  let features: number | undefined;
  let classCount = 0;
  let parameterCount = 0;
  for (const layer of architecture.layers) {
    switch (layer.kind) {
      case 'conv': {
        if (size === undefined)
          throw new ArchitectureError(`${title}: layer ${layer.name} is a convolution after flatten`);
        const { key, shape } = shapeOf(layer, 'weight');
        if (shape.length !== 4 || shape[1] !== channels || shape[2] !== layer.kernel || shape[3] !== layer.kernel) {
          throw new ArchitectureError(
            `${key} has shape ${describe(shape)} but ${title} expects [out, ${channels}, ${layer.kernel}, ${layer.kernel}] at layer ${layerLabel(layer)}`,
          );
        }
        channels = shape[0]!;
        if (layer.bias) requireVector(shapeOf(layer, 'bias'), channels, title);
        parameterCount += channels * (shape[1]! * layer.kernel * layer.kernel + (layer.bias ? 1 : 0));
        size = Math.floor((size + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
        if (size < 1)
          throw new ArchitectureError(
            `${title}: the input is too small for layer ${layer.name} (kernel ${layer.kernel})`,
          );
        classCount = channels;
        break;
      }
      case 'batchNorm':
        for (const suffix of tensorSuffixes(layer)) requireVector(shapeOf(layer, suffix), channels, title);
        if (layer.affine) parameterCount += 2 * channels;
        break;
      case 'linear': {
        const { key, shape } = shapeOf(layer, 'weight');
        const inFeatures = features ?? channels;
        if (shape.length !== 2 || shape[1] !== inFeatures) {
          throw new ArchitectureError(
            `${key} has shape ${describe(shape)} but ${title} expects [out, ${inFeatures}] at layer ${layerLabel(layer)}`,
          );
        }
        channels = shape[0]!;
        features = channels;
        if (layer.bias) requireVector(shapeOf(layer, 'bias'), channels, title);
        parameterCount += channels * (inFeatures + (layer.bias ? 1 : 0));
        classCount = channels;
        break;
      }
      case 'maxPool':
      case 'avgPool':
        if (size === undefined) throw new ArchitectureError(`${title}: layer ${layer.name} pools after flatten`);
        try {
          size = pytorchPoolOutputSize({
            inputSize: size,
            kernel: layer.kernel,
            stride: layer.stride,
            padding: layer.padding,
            ceilMode: layer.ceilMode,
          });
        } catch {
          throw new ArchitectureError(
            `${title}: the ${size}×${size} map reaching layer ${layer.name} is smaller than its ${layer.kernel}×${layer.kernel} kernel`,
          );
        }
        break;
      case 'adaptiveAvgPool':
        size = 1;
        break;
      case 'flatten':
        features = channels * (size ?? 1) * (size ?? 1);
        size = undefined;
        break;
      case 'relu':
      case 'leakyRelu':
      case 'sign':
      case 'dropout':
      case 'softmax':
        break;
    }
  }
  if (size !== undefined && size !== 1) {
    throw new ArchitectureError(`${title} should end in a 1×1 map, but its last layer leaves ${size}×${size}`);
  }
  return { architecture, keyOf, classCount, parameterCount };
}

/** What the first convolution's weight says the input has, if the keys reach it. */
function firstConvInputChannels(
  architecture: Architecture,
  keyOf: KeyMap,
  tensors: ReadonlyMap<string, ShapedTensor>,
): number | undefined {
  const first = architecture.layers.find((layer) => layer.kind === 'conv');
  const key = first === undefined ? undefined : keyOf.get(`${first.name}.weight`);
  const shape = key === undefined ? undefined : tensors.get(key)?.shape;
  return shape?.length === 4 ? shape[1] : undefined;
}

function requireVector({ key, shape }: { key: string; shape: readonly number[] }, length: number, title: string): void {
  if (shape.length !== 1 || shape[0] !== length) {
    throw new ArchitectureError(`${key} has shape [${shape.join(', ')}] but ${title} expects [${length}]`);
  }
}

/**
 * Renamed keys matched to the layers in checkpoint order: each weighted layer takes the next keys ending in its
 * suffixes (weight, bias, running_mean …; num_batches_tracked skipped). Undefined when the keys do not line up.
 */
export function keysInOrder(architecture: Architecture, keys: readonly string[]): Map<string, string> | undefined {
  const keyOf = new Map<string, string>();
  let next = 0;
  const skipOptional = () => {
    while (next < keys.length && lastPart(keys[next]!) === OPTIONAL_SUFFIX) next += 1;
  };
  for (const layer of architecture.layers.filter(isWeighted)) {
    for (const suffix of tensorSuffixes(layer)) {
      skipOptional();
      const key = keys[next];
      if (key === undefined || lastPart(key) !== suffix) return undefined;
      keyOf.set(`${layer.name}.${suffix}`, key);
      next += 1;
    }
  }
  skipOptional();
  return next === keys.length ? keyOf : undefined;
}

function lastPart(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}
