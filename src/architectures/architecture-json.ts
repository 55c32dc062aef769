import type { PreprocessSpec } from '../preprocess/index.js';
import { describeValue, parseUntrusted } from '../schema/index.js';
import type { ArchLayer, Architecture } from './architecture.js';
import { ARCHITECTURE_JSON, type ArchitectureJson, type LayerJson } from './architecture-schema.js';
import { ArchitectureError } from './errors.js';

/**
 * A user's own architecture (`nin-convert --arch my-net.json`), in the registry's vocabulary. Every problem is an
 * ArchitectureError in the shared style, `<source>: <field path> must be …, got <value>`, naming the layer by its
 * index (`layers[3].kernel`). The fields, their bounds and defaults are the schema's (architecture-schema.ts);
 * what needs more than one field is checked here. Defaults are PyTorch's: conv stride 1, padding 0, bias true; pool
 * stride = kernel, padding 0, ceil_mode false, count_include_pad true; BatchNorm eps 1e-5, affine true; dropout p
 * 0.5. See docs/architectures.md for a full example.
 */

/** Far above any real file (ImageNet-21k's labels are about 1 MB), far below what would stall a parse. */
const MAX_JSON_CHARACTERS = 16 * 1024 * 1024;

export function parseArchitectureJson(text: string, source = 'architecture'): Architecture {
  if (text.length > MAX_JSON_CHARACTERS)
    throw new ArchitectureError(
      `${source}: must be at most ${MAX_JSON_CHARACTERS} characters of JSON, got ${text.length}`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ArchitectureError(
      `${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return validateArchitecture(value, source);
}

/**
 * An architecture as the JSON that validateArchitecture reads back (what a training checkpoint keeps of a custom
 * one): its own fields only, the preprocessing without the input size (the architecture's).
 */
export function architectureToJson(architecture: Architecture): Record<string, unknown> {
  const { id, title, source, notes, inputSize, inputChannels, labels, keyPrefixes, layers } = architecture;
  const { resizeShorterSide, channelOrder, scale, mean, std } = architecture.preprocessing;
  return {
    id,
    title,
    source,
    ...(notes === undefined ? {} : { notes }),
    inputSize,
    inputChannels,
    labels,
    preprocessing: { resizeShorterSide, channelOrder, scale, mean, std },
    keyPrefixes,
    layers,
  };
}

export function validateArchitecture(value: unknown, source = 'architecture'): Architecture {
  let json: ArchitectureJson;
  try {
    json = parseUntrusted(ARCHITECTURE_JSON, value, source);
  } catch (error) {
    if (error instanceof RangeError) throw new ArchitectureError(error.message);
    throw error;
  }
  const fail = (message: string): never => {
    throw new ArchitectureError(`${source}: ${message}`);
  };
  const { id, inputSize, inputChannels } = json;
  const preprocessing = checkPreprocessing(json, fail);
  const names = new Map<string, number>();
  const layers = json.layers.map((raw, index) => {
    const seen = names.get(raw.name);
    if (seen !== undefined)
      fail(`layers[${index}].name must be unique, got ${describeValue(raw.name)} (as layers[${seen}])`);
    names.set(raw.name, index);
    return toLayer(raw, index, fail);
  });
  if (!layers.some((l) => l.kind === 'conv' || l.kind === 'linear'))
    fail('layers must hold a conv or linear layer (the weights to read from the checkpoint), got none');
  return {
    id,
    title: json.title ?? id,
    source: json.source ?? `${source} (--arch)`,
    layers,
    inputSize,
    inputChannels,
    labels: Object.freeze([...json.labels]),
    preprocessing,
    keyPrefixes: Object.freeze([...json.keyPrefixes]),
    ...(json.notes === undefined ? {} : { notes: json.notes }),
  };
}

/** The preprocessing's fields that depend on others: the resize against the input size, one plane's mean and std. */
function checkPreprocessing(json: ArchitectureJson, fail: (message: string) => never): PreprocessSpec {
  const { inputSize } = json;
  const { resizeShorterSide, channelOrder, scale, mean, std } = json.preprocessing;
  const resize = resizeShorterSide ?? inputSize;
  if (resize < inputSize)
    fail(`preprocessing.resizeShorterSide must be at least inputSize (${inputSize}), got ${resize}`);
  if (json.inputChannels === 1) {
    // One grey plane takes one mean and one std (the SDK's spec check refuses a grey spec with three different ones).
    for (const [field, values] of [
      ['mean', mean],
      ['std', std],
    ] as const) {
      if (!values.every((x) => x === values[0]))
        fail(`preprocessing.${field} must be three equal numbers for inputChannels 1, got [${values.join(', ')}]`);
    }
  }
  return { inputSize, resizeShorterSide: resize, channelOrder, scale, mean, std };
}

/** A parsed layer as the registry writes it: a pool's stride filled in, fields at their defaults left as given. */
function toLayer(layer: LayerJson, index: number, fail: (message: string) => never): ArchLayer {
  switch (layer.kind) {
    case 'conv': {
      const { weights, ...conv } = layer;
      return weights === 'xnor-binarized' ? { ...conv, weights } : conv;
    }
    case 'batchNorm': {
      const { minWeight, ...bn } = layer;
      return minWeight === undefined ? bn : { ...bn, minWeight };
    }
    case 'maxPool':
    case 'avgPool': {
      const { kernel, padding } = layer;
      if (2 * padding > kernel)
        fail(
          `layers[${index}].padding must be at most half the kernel (PyTorch's rule), got ${padding} for kernel ${kernel}`,
        );
      return { ...layer, stride: layer.stride ?? kernel };
    }
    default:
      return layer;
  }
}
