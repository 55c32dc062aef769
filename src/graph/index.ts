/**
 * nin-sdk's graph IR: typed values, one builder function per ONNX op with
 * shape inference at build time, passes, a text printer and ONNX I/O.
 * Browser-safe: no Node APIs anywhere under src/graph.
 */
export type {
  Attribute,
  Attributes,
  DataType,
  Dim,
  Graph,
  Initializer,
  Node,
  Shape,
  TensorData,
  TensorDataMap,
  TensorType,
  Value,
} from './types.js';
export { attr } from './attributes.js';
export { GraphBuilder, type GraphBuilderOptions, type NodeOptions } from './builder.js';
export { DATA_TYPES, dataTypeFromOnnxCode, isDataType, isFloatType } from './dtypes.js';
export { ShapeInferenceError } from './errors.js';
export {
  float16ArrayToFloat32,
  float16BitsToFloat32,
  float32ArrayToFloat16,
  float32ToFloat16Bits,
} from '../numeric/index.js';
export { formatGraph, formatNode } from './format.js';
export { InferenceContext, type ShapeRule } from './inference.js';
export { DEFAULT_IR_VERSION, DEFAULT_OPSET_VERSION, MIN_OPSET_VERSION } from './opset.js';
export * as ops from './ops/index.js';
export { SHAPE_RULES } from './ops/shape-rules.js';
export * from './passes/index.js';
export { broadcastShapes, formatShape, formatType, isStaticDim, isStaticShape } from './shape.js';
export {
  boolTensor,
  elementCount,
  float32Tensor,
  int32Tensor,
  int64Tensor,
  int8Tensor,
  tensorData,
  tensorToNumbers,
  uint8Tensor,
} from './tensor-data.js';
export { validateGraph } from './validate.js';
export { readOnnx, readOnnxProto, readOnnxMetadata, type OnnxModel, type OnnxModelInfo } from './onnx/read.js';
export { decodeOnnx, encodeOnnx, canonicalOnnxBytes } from './onnx/decode.js';
export { writeOnnx, type WriteOnnxOptions, joinOnnxParts, writeOnnxParts } from './onnx/write.js';
export { attributeFromProto, tensorFromProto } from './onnx/from-proto.js';
export { constantNodeValue } from './ops/constant.js';
