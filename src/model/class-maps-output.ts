import { create } from '@bufbuild/protobuf';
import {
  NodeProtoSchema,
  StringStringEntryProtoSchema,
  TensorProto_DataType,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type ModelProto,
} from 'onnx-buf';
import { CheckedModel, type ModelPolicy } from './checked-model.js';
import { findClassMaps } from './class-maps.js';
import { METADATA_KEYS } from './metadata.js';
import { recordedOutputNames } from './model-info.js';

/** What loading calls the maps it adds: the name nin-convert gives them (src/architectures/io-names.ts). */
const CLASS_MAPS_OUTPUT = 'class_maps';

/**
 * `model` with its class maps as an output named in its metadata ('nin.outputs' `maps`), for models converted or
 * adopted before nin-sdk offered them (the embedded ones among them): the decoded graph is edited in memory, never
 * the file, and checked again as a whole (operators, intermediate sizes) before ONNX Runtime gets its encoding.
 * The model itself where it already names its maps, where it has no nin-sdk metadata or metadata that cannot be read
 * (readModelInfo says why), or where its graph is not of the pattern findClassMaps knows.
 */
export function withClassMaps(model: CheckedModel, policy?: ModelPolicy): CheckedModel {
  const graph = model.proto.graph;
  // A model without nin-sdk's metadata is left as it is: it gains no 'nin.outputs' that would make it look like one.
  if (!model.proto.metadataProps.some((p) => p.key === METADATA_KEYS.labels)) return model;
  const outputs = recordedOutputNames(model.proto.metadataProps.find((p) => p.key === METADATA_KEYS.outputs)?.value);
  if (graph === undefined || outputs === undefined || outputs.maps !== undefined) return model;
  const found = findClassMaps(graph, outputs.logits);
  if (found === undefined || graph.output.some((o) => o.name === found.value)) return model;
  // Under the name nin-convert gives its maps (an Identity of the pooled value), so that every model's maps output
  // is called the same: 'class_maps', or the first free 'class_maps_<n>'.
  const taken = new Set([
    ...graph.node.flatMap((n) => [n.name, ...n.output]),
    ...graph.input.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
  ]);
  let name = CLASS_MAPS_OUTPUT;
  for (let n = 1; taken.has(name); n++) name = `${CLASS_MAPS_OUTPUT}_${n}`;
  const identity = create(NodeProtoSchema, { opType: 'Identity', name, input: [found.value], output: [name] });
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
    name,
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
    value: JSON.stringify({ ...outputs, maps: name }),
  });
  // A shallow copy: the weights are shared with the checked model, which is left as it was.
  const edited: ModelProto = {
    ...model.proto,
    graph: { ...graph, node: [...graph.node, identity], output: [...graph.output, output] },
    metadataProps: [...model.proto.metadataProps.filter((p) => p.key !== METADATA_KEYS.outputs), entry],
  };
  return CheckedModel.checkDecoded(edited, model.source, policy);
}
