import {
  architectureMetadata,
  buildTrainedGraph,
  foldedArchitecture,
  LOGITS_NAME,
  PROBABILITIES_NAME,
  type Architecture,
} from '../../convert/index.js';
import type { CheckpointTensor } from '../../formats/index.js';
import { DEFAULT_OPSET_VERSION, writeOnnx } from '../../graph/index.js';
import { encodeMetadata, type NinModelMetadata } from '../../model/index.js';
import type { PreprocessSpec } from '../../preprocess/index.js';
import { NIN_SDK_VERSION } from '../../version.js';
import { classCount, type NinArchitecture } from '../nin/architecture.js';
import type { StateDict } from './state-dict.js';

/**
 * What an exported inference model records beside its weights: labels and preprocessing, and its opset.
 *
 * @example
 * ```ts
 * import { NIN_CIFAR10, type InferenceExportOptions } from 'nin-sdk/train';
 * const options: InferenceExportOptions = { labels: NIN_CIFAR10.labels, preprocessing: NIN_CIFAR10.preprocessing };
 * ```
 */
export interface InferenceExportOptions {
  /** Class names by output index; as many as the last convolution's outputs. */
  readonly labels: readonly string[];
  /** How images become inputs, as training fed them: the SDK preprocesses with it. */
  readonly preprocessing: PreprocessSpec;
  readonly opsetVersion?: number;
}

/**
 * Trained weights → the inference ONNX that nin-convert would write for the same weights: recognised and built by
 * the converter (src/architectures), labels and preprocessing in the nin metadata, so `nin-sdk predict --model` and
 * loadClassifier take it as they take a converted model.
 *
 * @param architecture - the NIN trained
 * @param parameters - its trained weights by state_dict name
 * @param options - labels and preprocessing to record
 * @returns the inference model's ONNX bytes
 * @example
 * ```ts
 * import { exportInferenceOnnx, initialParameters } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * declare const preprocessing: import('nin-sdk').PreprocessSpec;
 * declare const labels: string[]; // ten class names
 * const onnx = exportInferenceOnnx(architecture, initialParameters(architecture, 'normal', 0), { labels, preprocessing });
 * ```
 */
export function exportInferenceOnnx(
  architecture: NinArchitecture,
  parameters: StateDict,
  options: InferenceExportOptions,
): Uint8Array {
  const tensors = new Map<string, CheckpointTensor>(
    [...parameters].map(([name, t]) => [name, { dtype: 'float32', shape: t.shape, data: t.data }]),
  );
  const classes = classCount(architecture);
  if (options.labels.length !== classes) {
    throw new RangeError(`exportInferenceOnnx: ${options.labels.length} labels for a model of ${classes} classes`);
  }
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
  // The entry's own layer names are the parameters' (ninParameters): its graph is the converter's for these weights.
  const graph = buildTrainedGraph(architecture.family, tensors, { opsetVersion });
  const metadata: NinModelMetadata = {
    family: architecture.family.id,
    labels: options.labels,
    preprocessing: options.preprocessing,
    outputs: { logits: LOGITS_NAME, probabilities: PROBABILITIES_NAME },
    converter: `nin-sdk ${NIN_SDK_VERSION} train`,
  };
  return writeOnnx(graph, {
    opsetVersion,
    producerName: 'nin-sdk',
    producerVersion: NIN_SDK_VERSION,
    docString: `${architecture.family.title}, trained by nin-sdk`,
    metadata: encodeMetadata(metadata),
  });
}

/**
 * exportInferenceOnnx for any converted architecture: trained weights → the ONNX nin-convert would write.
 *
 * @param architecture - any architecture the converter knows (a fine-tuned start's)
 * @param parameters - its trained weights by state_dict name
 * @param options - labels and preprocessing to record
 * @returns the inference model's ONNX bytes
 * @example
 * ```ts
 * import { exportTrainedOnnx, type FineTuneStart } from 'nin-sdk/train';
 * declare const start: FineTuneStart;
 * declare const preprocessing: import('nin-sdk').PreprocessSpec;
 * const onnx = exportTrainedOnnx(start.architecture, start.parameters, { labels: ['cat', 'dog'], preprocessing });
 * ```
 */
export function exportTrainedOnnx(
  architecture: Architecture,
  parameters: StateDict,
  options: InferenceExportOptions,
): Uint8Array {
  const tensors = new Map<string, CheckpointTensor>(
    [...parameters].map(([name, t]) => [name, { dtype: 'float32', shape: t.shape, data: t.data }]),
  );
  const opsetVersion = options.opsetVersion ?? DEFAULT_OPSET_VERSION;
  const graph = buildTrainedGraph(architecture, tensors, { opsetVersion });
  const classes = graph.outputs[0]?.shape[1];
  if (options.labels.length !== classes)
    throw new RangeError(
      `exportTrainedOnnx: ${options.labels.length} labels for a model of ${String(classes)} classes`,
    );
  const metadata: NinModelMetadata = {
    family: architecture.id,
    labels: options.labels,
    preprocessing: options.preprocessing,
    outputs: { logits: LOGITS_NAME, probabilities: PROBABILITIES_NAME },
    converter: `nin-sdk ${NIN_SDK_VERSION} train`,
    architecture: architectureMetadata(foldedArchitecture(architecture)),
  };
  return writeOnnx(graph, {
    opsetVersion,
    producerName: 'nin-sdk',
    producerVersion: NIN_SDK_VERSION,
    docString: `${architecture.title}, fine-tuned by nin-sdk (BatchNorm folded)`,
    metadata: encodeMetadata(metadata),
  });
}
