import { buildNinGraph, LOGITS_NAME, PROBABILITIES_NAME, recognize } from '../../../converters/nin/index.js';
import type { CheckpointTensor } from '../../../converters/pth/index.js';
import { DEFAULT_OPSET_VERSION, writeOnnx } from '../../graph/index.js';
import { encodeMetadata, type NinModelMetadata } from '../../model/metadata.js';
import type { PreprocessSpec } from '../../preprocess/spec.js';
import { NIN_SDK_VERSION } from '../../version.js';
import type { NinArchitecture } from '../nin/architecture.js';
import type { StateDict } from './state-dict.js';

export interface InferenceExportOptions {
  /** Class names by output index; as many as the last convolution's outputs. */
  readonly labels: readonly string[];
  /** How images become inputs, as training fed them: the SDK preprocesses with it. */
  readonly preprocessing: PreprocessSpec;
  readonly opsetVersion?: number;
}

/**
 * Trained weights → the inference ONNX that nin-convert would write for the same weights: recognised and built by
 * the converter (converters/nin), labels and preprocessing in the nin metadata, so `nin-sdk predict --model` and
 * loadClassifier take it as they take a converted model.
 */
export function exportInferenceOnnx(
  architecture: NinArchitecture,
  parameters: StateDict,
  options: InferenceExportOptions,
): Uint8Array {
  const tensors = new Map<string, CheckpointTensor>(
    [...parameters].map(([name, t]) => [name, { dtype: 'float32', shape: t.shape, data: t.data }]),
  );
  const recognition = recognize(tensors, architecture.family.id);
  if (options.labels.length !== recognition.classCount) {
    throw new RangeError(
      `exportInferenceOnnx: ${options.labels.length} labels for a model of ${recognition.classCount} classes`,
    );
  }
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
  const metadata: NinModelMetadata = {
    family: architecture.family.id,
    labels: options.labels,
    preprocessing: options.preprocessing,
    outputs: { logits: LOGITS_NAME, probabilities: PROBABILITIES_NAME },
    converter: `nin-sdk ${NIN_SDK_VERSION} train`,
  };
  return writeOnnx(buildNinGraph(recognition, tensors, { opsetVersion }), {
    opsetVersion,
    producerName: 'nin-sdk',
    producerVersion: NIN_SDK_VERSION,
    docString: `${architecture.family.title}, trained by nin-sdk`,
    metadata: encodeMetadata(metadata),
  });
}
