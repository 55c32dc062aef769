import { readCheckpoint } from '../pth/index.js';
import type { CheckpointFormat } from '../pth/types.js';
import { convertInitializersToFloat16, writeOnnx, DEFAULT_OPSET_VERSION } from '../../src/graph/index.js';
import { encodeMetadata, type NinModelMetadata } from '../../src/model/metadata.js';
import { NIN_SDK_VERSION } from '../../src/version.js';
import { buildNinGraph, LOGITS_NAME, PROBABILITIES_NAME } from './build-graph.js';
import { ArchitectureError } from './errors.js';
import { recognize } from './recognize.js';
import type { FamilyId, FamilySpec } from './spec.js';

import { SUPPORTED_OPSETS } from './opsets.js';

export { SUPPORTED_OPSETS };

export interface ConvertOptions {
  /** Skip recognition and treat the checkpoint as this family (renamed keys then match in layer order). */
  readonly family?: FamilyId;
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

export interface ConversionResult {
  readonly onnx: Uint8Array;
  readonly family: FamilySpec;
  readonly checkpointFormat: CheckpointFormat;
  readonly parameterCount: number;
  readonly classCount: number;
  readonly metadata: NinModelMetadata;
}

/**
 * PyTorch checkpoint bytes → ONNX bytes, the whole converter: read (converters/pth), recognise
 * (converters/nin), build the graph IR, write ONNX with labels and preprocessing in its metadata.
 * Throws CheckpointError for unreadable files and ArchitectureError for readable ones that are not a NIN.
 */
export async function convertCheckpoint(bytes: Uint8Array, options: ConvertOptions = {}): Promise<ConversionResult> {
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
  if (!Number.isInteger(opsetVersion) || opsetVersion < SUPPORTED_OPSETS.min || opsetVersion > SUPPORTED_OPSETS.max) {
    throw new RangeError(`opset must be from ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max}, got ${opsetVersion}`);
  }
  const checkpoint = readCheckpoint(bytes);
  const recognition = recognize(checkpoint.tensors, options.family);
  const { family, classCount } = recognition;
  const labels = options.labels ?? family.labels;
  if (labels.length !== classCount) {
    const detail = `the checkpoint's last convolution has ${classCount} outputs but ${labels.length} labels were given`;
    throw options.labels
      ? new ArchitectureError(detail)
      : new ArchitectureError(`${detail} (the ${family.title} defaults)`, { option: 'labels', count: classCount });
  }

  let graph = buildNinGraph(recognition, checkpoint.tensors, { opsetVersion });
  if (options.float16) graph = convertInitializersToFloat16(graph).graph;
  const metadata: NinModelMetadata = {
    family: family.id,
    labels,
    preprocessing: family.preprocessing,
    outputs: { logits: LOGITS_NAME, probabilities: PROBABILITIES_NAME },
    sourceSha256: options.sourceSha256 ?? (await sha256Hex(bytes)),
    sourceFormat: checkpoint.format,
    converter: `nin-sdk ${NIN_SDK_VERSION}`,
  };
  const onnx = writeOnnx(graph, {
    opsetVersion,
    producerName: 'nin-sdk',
    producerVersion: NIN_SDK_VERSION,
    docString: `${family.title}, converted by nin-sdk from a ${checkpoint.format} PyTorch checkpoint`,
    metadata: encodeMetadata(metadata),
  });
  const parameterCount = recognition.convs.reduce((sum, c) => sum + c.outChannels * (c.inChannels * kernelArea(family, c.layerIndex) + 1), 0);
  return { onnx, family, checkpointFormat: checkpoint.format, parameterCount, classCount, metadata };
}

function kernelArea(family: FamilySpec, layerIndex: number): number {
  const layer = family.layers[layerIndex];
  return layer?.kind === 'conv' ? layer.kernel * layer.kernel : 0;
}

/** Web Crypto, present in Node 20 and every browser, keeps the converter free of Node-only modules. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
