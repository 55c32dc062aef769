import { ArchitectureError, foldedArchitecture, validateArchitecture, type Architecture } from '../convert/index.js';
import type { OnnxModel } from '../graph/index.js';
import { METADATA_KEYS } from '../model/index.js';

/**
 * The metadata keeps the layers, not the labels or preprocessing (nin.labels and nin.preprocessing hold those):
 * stand-ins let --arch's validator read the rest, and the caller puts the model's own in their place.
 */
const STAND_INS = { labels: [], preprocessing: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] } };

/**
 * The architecture an ONNX model of nin-convert or nin-sdk train records in `nin.architecture` (what its graph was
 * built from), read through the --arch JSON validator, so hostile metadata meets the same checks and bounds.
 * Undefined when the model records none (older files). Unreadable: an ArchitectureError naming the file and the
 * field, never a quiet fall back to today's registry.
 */
export function recordedArchitecture(model: OnnxModel, source: string): Architecture | undefined {
  const text = model.metadata[METADATA_KEYS.architecture];
  if (text === undefined) return undefined;
  const field = `${source}: ${METADATA_KEYS.architecture}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ArchitectureError(`${field}: not valid JSON`);
  }
  const record =
    typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...STAND_INS, ...value } : value;
  return validateArchitecture(record, field);
}

/** Whether two architectures compute the same once BatchNorm is folded (names, kinds, every hyper-parameter). */
export function sameFoldedLayers(a: Architecture, b: Architecture): boolean {
  // Keys sorted: a registry literal and a validated record may list a layer's fields in different orders.
  const layers = (architecture: Architecture) =>
    JSON.stringify(foldedArchitecture(architecture).layers.map((l) => JSON.stringify(l, Object.keys(l).sort())));
  return a.inputChannels === b.inputChannels && a.inputSize === b.inputSize && layers(a) === layers(b);
}
