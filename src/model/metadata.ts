import type { PreprocessSpec } from '../preprocess/index.js';

/**
 * What nin-convert writes into an ONNX model's metadata_props and the SDK reads back: everything needed to
 * turn an image into scores without guessing. ONNX Runtime's JS API does not expose metadata_props, so the SDK
 * reads them from the ONNX bytes once at load.
 *
 * @example
 * ```ts
 * import { convertCheckpoint, type NinModelMetadata } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const metadata: NinModelMetadata = (await convertCheckpoint(readFileSync('nin.pth'))).metadata;
 * console.log(metadata.family, metadata.labels.slice(0, 3));
 * ```
 */
export interface NinModelMetadata {
  /** 'cifar10' | 'imagenet' for converted models; other producers may name their own. */
  readonly family: string;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
  /** Whether the graph's `probabilities` output is already a softmax (true for every nin-convert model). */
  readonly outputs: {
    readonly logits: string;
    readonly probabilities: string;
    /**
     * The class maps ([N, classes, h, w], the last layer's map before global average pooling: each logit is its
     * class's mean), where the graph has them (see src/model/class-maps.ts).
     */
    readonly maps?: string;
  };
  /** SHA-256 (hex) of the checkpoint file the model was converted from, for provenance. */
  readonly sourceSha256?: string;
  readonly sourceFormat?: string;
  readonly converter?: string;
  /** The architecture the graph was built from (JSON: id, title, source, input, layers), for provenance. */
  readonly architecture?: string;
  /** What the conversion assumed rather than read from the checkpoint (matched by order, on a hint …). */
  readonly assumptions?: readonly string[];
  /** Where in the checkpoint the weights were taken from, when not its bare root: `checkpoint['network']`. */
  readonly sourceEntry?: string;
  /** Classes the checkpoint pickled beside the weights, kept inert and left aside: `collections.Counter`. */
  readonly ignored?: readonly string[];
}

export const METADATA_KEYS = Object.freeze({
  family: 'nin.family',
  labels: 'nin.labels',
  preprocessing: 'nin.preprocessing',
  outputs: 'nin.outputs',
  sourceSha256: 'nin.source_sha256',
  sourceFormat: 'nin.source_format',
  converter: 'nin.converter',
  architecture: 'nin.architecture',
  assumptions: 'nin.assumptions',
  sourceEntry: 'nin.source_entry',
  ignored: 'nin.ignored',
});

/** The metadata_props entries for a model, in a stable order. */
export function encodeMetadata(metadata: NinModelMetadata): Record<string, string> {
  const entries: Record<string, string> = {
    [METADATA_KEYS.family]: metadata.family,
    [METADATA_KEYS.labels]: JSON.stringify(metadata.labels),
    [METADATA_KEYS.preprocessing]: JSON.stringify(metadata.preprocessing),
    [METADATA_KEYS.outputs]: JSON.stringify(metadata.outputs),
  };
  if (metadata.sourceSha256 !== undefined) entries[METADATA_KEYS.sourceSha256] = metadata.sourceSha256;
  if (metadata.sourceFormat !== undefined) entries[METADATA_KEYS.sourceFormat] = metadata.sourceFormat;
  if (metadata.converter !== undefined) entries[METADATA_KEYS.converter] = metadata.converter;
  if (metadata.architecture !== undefined) entries[METADATA_KEYS.architecture] = metadata.architecture;
  if (metadata.assumptions !== undefined) entries[METADATA_KEYS.assumptions] = JSON.stringify(metadata.assumptions);
  if (metadata.sourceEntry !== undefined) entries[METADATA_KEYS.sourceEntry] = metadata.sourceEntry;
  if (metadata.ignored !== undefined) entries[METADATA_KEYS.ignored] = JSON.stringify(metadata.ignored);
  return entries;
}
