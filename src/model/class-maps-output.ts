import { create } from '@bufbuild/protobuf';
import {
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type ModelProto,
} from 'onnx-buf';
import { isRecord } from '../guards.js';
import { CheckedModel, type ModelPolicy } from './checked-model.js';
import { findClassMaps } from './class-maps.js';
import { METADATA_KEYS } from './metadata.js';

/** The outputs a model's metadata names when it names none (models converted before 'nin.outputs' existed). */
const DEFAULT_OUTPUTS = { logits: 'logits', probabilities: 'probabilities' };

/**
 * `model` with its class maps as an output named in its metadata ('nin.outputs' `maps`), for models converted or
 * adopted before nin-sdk offered them (the embedded ones among them): the decoded graph is edited in memory, never
 * the file, and checked again as a whole (operators, intermediate sizes) before ONNX Runtime gets its encoding.
 * The model itself where it already names its maps, where its metadata cannot be read (readModelInfo says why), or
 * where its graph is not of the pattern findClassMaps knows.
 */
export function withClassMaps(model: CheckedModel, policy?: ModelPolicy): CheckedModel {
  const graph = model.proto.graph;
  const outputs = recordedOutputs(model.proto);
  if (graph === undefined || outputs === undefined || 'maps' in outputs) return model;
  const found = findClassMaps(graph, outputs.logits);
  if (found === undefined || graph.output.some((o) => o.name === found.value)) return model;
  const batch = graph.input.find((v) => !graph.initializer.some((t) => t.name === v.name))?.type?.value;
  const batchDim =
    batch?.case === 'tensorType' ? batch.value.shape?.dim[0] : create(TensorShapeProto_DimensionSchema, {});
  const dims = [found.size[0], found.size[1]].map((d) =>
    create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(d) } }),
  );
  const classes = create(TensorShapeProto_DimensionSchema, {
    value: { case: 'dimValue', value: BigInt(found.classes) },
  });
  const output = create(ValueInfoProtoSchema, {
    name: found.value,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: TensorProto_DataType.FLOAT,
          shape: create(TensorShapeProtoSchema, {
            dim: [batchDim ?? create(TensorShapeProto_DimensionSchema, {}), classes, ...dims],
          }),
        }),
      },
    }),
  });
  const entry = create(StringStringEntryProtoSchema, {
    key: METADATA_KEYS.outputs,
    value: JSON.stringify({ ...outputs, maps: found.value }),
  });
  // A shallow copy: the weights are shared with the checked model, which is left as it was.
  const edited: ModelProto = {
    ...model.proto,
    graph: { ...graph, output: [...graph.output, output] },
    metadataProps: [...model.proto.metadataProps.filter((p) => p.key !== METADATA_KEYS.outputs), entry],
  };
  return CheckedModel.checkDecoded(edited, model.source, policy);
}

/** 'nin.outputs' as recorded (or the defaults where absent); undefined where it is not a readable record. */
function recordedOutputs(proto: ModelProto): { logits: string; probabilities: string } | undefined {
  const text = proto.metadataProps.find((p) => p.key === METADATA_KEYS.outputs)?.value;
  if (text === undefined) return DEFAULT_OUTPUTS;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || typeof parsed['logits'] !== 'string' || typeof parsed['probabilities'] !== 'string')
      return undefined;
    return parsed as { logits: string; probabilities: string };
  } catch {
    return undefined;
  }
}
