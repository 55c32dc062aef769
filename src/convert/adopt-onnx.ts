import { clone, create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type ModelProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { CheckedModel, checkModel, withClassMaps, encodeMetadata, METADATA_KEYS, ModelError } from '../model/index.js';
import { checkPreprocessSpec, specChannels, type PreprocessSpec } from '../preprocess/index.js';
import { NIN_SDK_VERSION } from '../version.js';
import { ArchitectureError } from '../architectures/index.js';

/**
 * What `adoptOnnxClassifier` writes into a foreign model: its labels and preprocessing, which ONNX cannot say.
 *
 * @example
 * ```ts
 * import { adoptOnnxClassifier, type AdoptOptions } from 'nin-sdk';
 * declare const exported: Uint8Array;
 * const options: AdoptOptions = {
 *   labels: ['cat', 'dog'],
 *   preprocessing: { inputSize: 32, resizeShorterSide: 32, channelOrder: 'RGB', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
 * };
 * const { onnx } = adoptOnnxClassifier(exported, options);
 * ```
 */
export interface AdoptOptions {
  /** Class names in the order of the model's output. */
  readonly labels: readonly string[];
  /** How an image becomes the model's input: what the model was trained with. */
  readonly preprocessing: PreprocessSpec;
  /** What `nin-sdk info` shows as the family (default 'onnx'). */
  readonly family?: string;
  /** SHA-256 (hex) of the file adopted, for provenance. */
  readonly sourceSha256?: string;
}

/**
 * A model adopted by `adoptOnnxClassifier`, and what was found in it.
 *
 * @example
 * ```ts
 * import { adoptOnnxClassifier, type AdoptionResult, type PreprocessSpec } from 'nin-sdk';
 * declare const exported: Uint8Array;
 * declare const preprocessing: PreprocessSpec;
 * const result: AdoptionResult = adoptOnnxClassifier(exported, { labels: ['cat', 'dog'], preprocessing });
 * console.log(result.classCount, result.endsInSoftmax, result.producer);
 * ```
 */
export interface AdoptionResult {
  readonly onnx: Uint8Array;
  readonly inputName: string;
  /** The preprocessing written into the model: the one given, with the model's input channel count. */
  readonly preprocessing: PreprocessSpec;
  readonly classCount: number;
  /** Whether the logits are a global average of a map, which is then the `maps` output (as nin-convert's are). */
  readonly classMaps: boolean;
  /** Whether the model's own output was already a softmax (else a Softmax node was appended). */
  readonly endsInSoftmax: boolean;
  /** The producer named in the file, e.g. 'pytorch 1.13.0'. */
  readonly producer: string;
}

/**
 * An image classifier in ONNX from elsewhere (torch.onnx.export of a NIN, say) → a nin-sdk model: the same graph
 * and weights, with the labels and preprocessing that nin-convert writes into its own models' metadata, and a
 * `probabilities` output (a Softmax appended unless the graph ends in one). The graph must take one float32
 * [N, C, S, S] image batch (C = 3, or 1 for grey images) and give one float32 [N, classes] output; weights must be inside the file.
 *
 * @param bytes - the ONNX model (torch.onnx.export's, say), weights inside the file
 * @param options - its labels and preprocessing
 * @returns the nin-sdk model's bytes and what was found in the graph
 * @throws ModelError for a model that is not such a classifier; ArchitectureError when labels and classes disagree
 * @example
 * ```ts
 * import { adoptOnnxClassifier, loadClassifier, type PreprocessSpec } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * declare const preprocessing: PreprocessSpec;
 * const { onnx } = adoptOnnxClassifier(readFileSync('exported.onnx'), { labels: ['cat', 'dog'], preprocessing });
 * const classifier = await loadClassifier(onnx);
 * ```
 */
export function adoptOnnxClassifier(bytes: Uint8Array, options: AdoptOptions): AdoptionResult {
  checkPreprocessSpec(options.preprocessing);
  let model: ModelProto;
  try {
    // The checks every model nin-sdk runs gets (nothing external, a classifier's operators, bounded sizes), on the
    // one decoding that the adopted model is then written from: a copy, as the graph is added to below.
    model = clone(ModelProtoSchema, checkModel(bytes, 'the ONNX model').proto);
  } catch (error) {
    // Said as nin-convert says what a file is not: 'not an ONNX model (…)', without a name for the file.
    if (error instanceof ModelError)
      throw new ArchitectureError(error.message.replace(/^the ONNX model is not/, 'not'));
    throw error;
  }
  const graph = model.graph;
  if (graph === undefined || graph.node.length === 0) throw new ArchitectureError('the ONNX model has no graph');
  // IR < 4 lists initializers among the inputs too: the image is the one input that is not a weight.
  const weights = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((v) => !weights.has(v.name));
  if (inputs.length !== 1 || graph.output.length !== 1) {
    throw new ArchitectureError(
      `an image classifier takes one input and gives one output; this model has inputs [${inputs.map((v) => v.name).join(', ')}] ` +
        `and outputs [${graph.output.map((v) => v.name).join(', ')}]`,
    );
  }
  const input = inputs[0]!;
  const output = graph.output[0]!;
  const [, channels, height, width] = float32Dims(input, 4, 'input');
  const [, classCount] = float32Dims(output, 2, 'output');
  const preprocessing = withModelChannels(options.preprocessing, input.name, channels);
  const size = preprocessing.inputSize;
  for (const side of [height, width]) {
    if (typeof side === 'number' && side !== size) {
      throw new ArchitectureError(
        `input ${input.name} is ${describeDim(height)}×${describeDim(width)}, but the preprocessing makes ${size}×${size} images`,
      );
    }
  }
  if (typeof classCount === 'number' && classCount !== options.labels.length) {
    throw new ArchitectureError(
      `output ${output.name} has ${classCount} classes but ${options.labels.length} labels were given`,
      {
        option: 'labels',
        count: classCount,
      },
    );
  }
  if (new Set(options.labels).size !== options.labels.length || options.labels.some((l) => l === '')) {
    throw new ArchitectureError('labels must be distinct and non-empty');
  }

  const producer = `${model.producerName} ${model.producerVersion}`.trim() || 'unknown';
  const last = graph.node.find((node) => node.output.includes(output.name));
  const endsInSoftmax = last?.opType === 'Softmax' && (last.domain === '' || last.domain === 'ai.onnx');
  let outputs = { logits: output.name, probabilities: output.name };
  if (!endsInSoftmax) {
    const taken = new Set(
      graph.node
        .flatMap((node) => [...node.output, ...node.input])
        .concat(
          graph.input.map((v) => v.name),
          [...weights],
        ),
    );
    let name = 'probabilities';
    for (let k = 1; taken.has(name); k++) name = `probabilities_${k}`;
    graph.node.push(
      create(NodeProtoSchema, {
        opType: 'Softmax',
        input: [output.name],
        output: [name],
        name: 'nin_sdk_softmax',
        attribute: [create(AttributeProtoSchema, { name: 'axis', type: AttributeProto_AttributeType.INT, i: 1n })],
      }),
    );
    graph.output.push(
      create(ValueInfoProtoSchema, {
        name,
        type: create(TypeProtoSchema, {
          value: {
            case: 'tensorType',
            value: create(TypeProto_TensorSchema, {
              elemType: TensorProto_DataType.FLOAT,
              shape: output.type?.value.case === 'tensorType' ? output.type.value.value.shape : undefined,
            }),
          },
        }),
      }),
    );
    outputs = { logits: output.name, probabilities: name };
  }

  const metadata = encodeMetadata({
    family: options.family ?? 'onnx',
    labels: options.labels,
    preprocessing,
    outputs,
    sourceSha256: options.sourceSha256,
    sourceFormat: 'onnx',
    converter: `nin-sdk ${NIN_SDK_VERSION} (adopted from ${producer})`,
  });
  const ours = new Set<string>(Object.values(METADATA_KEYS));
  model.metadataProps = [
    ...model.metadataProps.filter((entry) => !ours.has(entry.key)),
    ...Object.entries(metadata).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
  ];
  // Where the logits are a global average pool's, its map becomes the class maps output (src/model/class-maps.ts).
  const adopted = withClassMaps(CheckedModel.checkDecoded(model, 'the adopted model'));
  return {
    onnx: adopted.bytes,
    classMaps: adopted.proto.graph!.output.length > model.graph!.output.length,
    inputName: input.name,
    preprocessing,
    classCount: typeof classCount === 'number' ? classCount : options.labels.length,
    endsInSoftmax,
    producer,
  };
}

/**
 * The preprocessing with the channel count the model's input has: 3 (colour) or 1 (grey, as d2l's Fashion-MNIST
 * NiN takes). A spec that names another count is refused, and so is a grey model's spec whose three means or
 * stds differ (a colour normalisation, such as the cifar10 and imagenet presets').
 */
function withModelChannels(
  spec: PreprocessSpec,
  inputName: string,
  channels: number | string | undefined,
): PreprocessSpec {
  if (channels !== 1 && channels !== 3) {
    throw new ArchitectureError(
      `input ${inputName} must have 1 (grey) or 3 (colour) channels, has ${describeDim(channels)}`,
    );
  }
  if (spec.channels !== undefined && spec.channels !== channels) {
    throw new ArchitectureError(
      `input ${inputName} has ${channels} channel${channels === 1 ? '' : 's'}, but the preprocessing makes ${spec.channels}-channel images`,
    );
  }
  const adjusted: PreprocessSpec = specChannels(spec) === channels ? spec : { ...spec, channels };
  try {
    checkPreprocessSpec(adjusted);
  } catch (error) {
    throw new ArchitectureError(
      `input ${inputName} takes grey images (1 channel), so the preprocessing needs equal means and stds: ` +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return adjusted;
}

/** The dims of a float32 tensor value of the given rank: numbers where fixed, names where symbolic. */
function float32Dims(value: ValueInfoProto, rank: number, role: string): (number | string)[] {
  const type = value.type?.value;
  if (type?.case !== 'tensorType' || type.value.elemType !== TensorProto_DataType.FLOAT) {
    throw new ArchitectureError(`${role} ${value.name} must be a float32 tensor`);
  }
  const dims = (type.value.shape?.dim ?? []).map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : '?',
  );
  if (dims.length !== rank) {
    throw new ArchitectureError(
      `${role} ${value.name} must have ${rank} dimensions (${rank === 4 ? 'N, channels, height, width' : 'N, classes'}), has [${dims.join(', ')}]`,
    );
  }
  return dims;
}

function describeDim(dim: number | string | undefined): string {
  return typeof dim === 'number' ? String(dim) : `'${dim}'`;
}
