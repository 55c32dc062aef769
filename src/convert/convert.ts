import type { CheckpointFormat } from '../formats/index.js';
import type { PreprocessSpec } from '../preprocess/index.js';
// Not src/graph's index: it also exports readOnnx, which brings the protobuf runtime into nin-convert's bundle.
import { convertInitializersToFloat16, joinOnnxParts, writeOnnxParts, DEFAULT_OPSET_VERSION } from '../graph/index.js';
import { encodeMetadata, type NinModelMetadata } from '../model/index.js';
import { NIN_SDK_VERSION } from '../version.js';
import {
  architectureMetadata,
  type Architecture,
  CLASS_MAPS_NAME,
  LOGITS_NAME,
  PROBABILITIES_NAME,
} from '../architectures/index.js';
import { buildArchitectureGraph } from './build-graph.js';
import { readCheckpointModel, readingLines } from './checkpoint-reading.js';

import { SUPPORTED_OPSETS } from './opsets.js';

export { SUPPORTED_OPSETS };

/**
 * How `convertCheckpoint` reads a checkpoint and what it writes: recognition overrides, labels, preprocessing,
 * opset, weight precision.
 *
 * @example
 * ```ts
 * import { convertCheckpoint, type ConvertOptions } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const options: ConvertOptions = { fileName: 'nin.pth', float16: true, labels: ['cat', 'dog'] };
 * const { onnx } = await convertCheckpoint(readFileSync('nin.pth'), options);
 * ```
 */
export interface ConvertOptions {
  /**
   * Skip recognition and take the pytorch-nin registry entry of this id (`cifar10`, `imagenet`: PYTORCH_NIN_IDS), as
   * `architecture` does, said as given by --family (renamed keys then match in layer order).
   */
  readonly family?: string;
  /**
   * Skip recognition and take this architecture (a registry entry, or one read with parseArchitectureJson):
   * its keys, or renamed keys in layer order. What that assumes is reported in `assumptions`.
   */
  readonly architecture?: Architecture;
  /** The checkpoint's file name: breaks a tie between registry entries with equal keys (and says so). */
  readonly fileName?: string;
  /**
   * Which of the checkpoint's tensor dictionaries to convert, where several fit (`network`, `models.0`, `.` for the
   * root): the dotted path a refusal names. Without it the one that fits an architecture is taken.
   */
  readonly key?: string;
  /** The preprocessing to record instead of the architecture's (then it is not an assumption). */
  readonly preprocessing?: PreprocessSpec;
  /** Class names to use instead of the family's (needed when the last layer has another class count). */
  readonly labels?: readonly string[];
  /** ONNX opset; default 17, which onnxruntime-node and onnxruntime-web 1.30 both load. */
  readonly opsetVersion?: number;
  /** Store the weights as float16 (half the file); the model still computes in float32. */
  readonly float16?: boolean;
  /**
   * SHA-256 (hex) of `bytes`, when the caller already has it. Web Crypto's digest copies its whole input, which
   * is the largest transient allocation of a conversion; Node's hash does not, so the CLI hashes and passes it.
   */
  readonly sourceSha256?: string;
}

/**
 * A converted model: the ONNX bytes, and what was read, assumed and left aside on the way.
 *
 * @example
 * ```ts
 * import { convertCheckpoint, type ConversionResult } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const result: ConversionResult = await convertCheckpoint(readFileSync('nin.pth'));
 * console.log(result.family.id, result.parameterCount, result.assumptions);
 * ```
 */
export interface ConversionResult {
  /** The ONNX file's bytes, joined from onnxParts on first use. */
  readonly onnx: Uint8Array;
  /**
   * The same bytes as consecutive pieces, the weights as views of the checkpoint's tensors (often of the
   * checkpoint's bytes): writing these one after the other never holds the model twice in memory.
   */
  readonly onnxParts: readonly Uint8Array[];
  readonly onnxByteLength: number;
  /** The architecture converted (`family` for compatibility: the families are registry entries too). */
  readonly family: Architecture;
  /** What was assumed rather than read (matched by order, on a hint, tie broken by file name); empty otherwise. */
  readonly assumptions: readonly string[];
  /**
   * Class names of the objects the file pickled beside the weights, kept as inert placeholders (never imported or
   * run) and left aside: `collections.Counter`, `torch.nn.modules.loss.CrossEntropyLoss`.
   */
  readonly placeholders: readonly string[];
  /** Where the weights were taken from when not a bare state_dict: `took checkpoint['network']`. */
  readonly taken: string | undefined;
  /**
   * What to show the user, in order, as nin-convert prints them (after `nin-convert: `): `took …`, `ignored: …`, then
   * `assumed: …` for each assumption. nin-sdk train --from, info and the browser page show the same lines.
   */
  readonly lines: readonly string[];
  /** The checkpoint key of each tensor the architecture's layers use (`<layer>.<suffix>` → key), for --print-arch. */
  readonly keyOf: ReadonlyMap<string, string>;
  readonly checkpointFormat: CheckpointFormat;
  readonly parameterCount: number;
  readonly classCount: number;
  readonly metadata: NinModelMetadata;
}

/**
 * PyTorch checkpoint bytes → ONNX bytes, the whole converter: read (src/formats/pth), recognise (src/architectures),
 * build the graph IR, write ONNX with labels and preprocessing in its metadata.
 *
 * @param bytes - the checkpoint's bytes (.pth, .pth.tar, .pt, .params; zip or legacy)
 * @param options - overrides of what recognition would decide, labels, preprocessing, output format
 * @returns the ONNX model's bytes and what the conversion read and assumed
 * @throws CheckpointError for unreadable files; ArchitectureError for readable ones that are not a NIN it knows
 * @example
 * ```ts
 * import { convertCheckpoint } from 'nin-sdk';
 * import { readFileSync, writeFileSync } from 'node:fs';
 * const { onnx, family, assumptions } = await convertCheckpoint(readFileSync('nin.pth'), { fileName: 'nin.pth' });
 * writeFileSync('nin.onnx', onnx);
 * console.log(family.title, assumptions);
 * ```
 */
export async function convertCheckpoint(bytes: Uint8Array, options: ConvertOptions = {}): Promise<ConversionResult> {
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
  if (!Number.isInteger(opsetVersion) || opsetVersion < SUPPORTED_OPSETS.min || opsetVersion > SUPPORTED_OPSETS.max) {
    throw new RangeError(`opset must be from ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max}, got ${opsetVersion}`);
  }
  // Which dict of tensors, which architecture, what was assumed, the preprocessing and labels: as every reader has it.
  const reading = readCheckpointModel(bytes, options);
  const { checkpoint, match, taken, assumptions, preprocessing, labels } = reading;
  const { architecture: family, classCount } = match;
  let graph = buildArchitectureGraph(match, checkpoint.tensors, { opsetVersion });
  if (options.float16) graph = convertInitializersToFloat16(graph).graph;
  const metadata: NinModelMetadata = {
    family: family.id,
    labels,
    preprocessing,
    outputs: {
      logits: LOGITS_NAME,
      probabilities: PROBABILITIES_NAME,
      ...(graph.outputs.some((o) => o.name === CLASS_MAPS_NAME) ? { maps: CLASS_MAPS_NAME } : {}),
    },
    sourceSha256: options.sourceSha256 ?? (await sha256Hex(bytes)),
    sourceFormat: checkpoint.format,
    converter: `nin-sdk ${NIN_SDK_VERSION}`,
    architecture: architectureMetadata(family),
    ...(assumptions.length > 0 ? { assumptions } : {}),
    ...(taken === undefined ? {} : { sourceEntry: taken.replace(/^took /, '') }),
    ...(checkpoint.placeholders.length > 0 ? { ignored: checkpoint.placeholders } : {}),
  };
  const onnxParts = writeOnnxParts(graph, {
    opsetVersion,
    producerName: 'nin-sdk',
    producerVersion: NIN_SDK_VERSION,
    docString: `${family.title}, converted by nin-sdk from a ${checkpoint.format} PyTorch checkpoint`,
    metadata: encodeMetadata(metadata),
  });
  let joined: Uint8Array | undefined;
  return {
    get onnx(): Uint8Array {
      joined ??= joinOnnxParts(onnxParts);
      return joined;
    },
    onnxParts,
    onnxByteLength: onnxParts.reduce((sum, part) => sum + part.byteLength, 0),
    family,
    assumptions,
    placeholders: checkpoint.placeholders,
    taken,
    lines: readingLines(reading),
    keyOf: match.keyOf,
    checkpointFormat: checkpoint.format,
    parameterCount: match.parameterCount,
    classCount,
    metadata,
  };
}

/** Web Crypto, present in Node 20 and every browser, keeps the converter free of Node-only modules. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
