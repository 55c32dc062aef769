import type { ShapeRule } from '../inference.js';
import { inferAdd, inferDiv, inferEqual, inferGreater, inferMul, inferSub, inferWhere } from './binary.js';
import { inferCast } from './cast.js';
import { inferConcat } from './concat.js';
import { inferConstant } from './constant.js';
import { inferConv } from './conv.js';
import { inferConvTranspose } from './conv-transpose.js';
import { inferExpand } from './expand.js';
import { inferFlatten } from './flatten.js';
import { inferMatMul } from './matmul.js';
import { inferPad } from './pad.js';
import { inferAveragePool, inferGlobalAveragePool, inferMaxPool } from './pool.js';
import { inferDequantizeLinear, inferQuantizeLinear } from './quantize.js';
import { inferReduce } from './reduce.js';
import { inferReshape } from './reshape.js';
import { inferShape } from './shape.js';
import { inferSlice } from './slice.js';
import { inferSoftmax } from './softmax.js';
import { inferTranspose } from './transpose.js';
import {
  inferExp,
  inferIdentity,
  inferLeakyRelu,
  inferLog,
  inferNeg,
  inferRelu,
  inferSign,
  inferSqrt,
} from './unary.js';

/**
 * Shape rules by ONNX op type (default domain). This table is the list of
 * ops the IR supports: the builder, the ONNX reader and the passes all type
 * nodes through it, and an op missing here is refused by name.
 */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = {
  Add: inferAdd,
  AveragePool: inferAveragePool,
  Cast: inferCast,
  Concat: inferConcat,
  Constant: inferConstant,
  Conv: inferConv,
  ConvTranspose: inferConvTranspose,
  DequantizeLinear: inferDequantizeLinear,
  Div: inferDiv,
  Equal: inferEqual,
  Exp: inferExp,
  Expand: inferExpand,
  Flatten: inferFlatten,
  GlobalAveragePool: inferGlobalAveragePool,
  Greater: inferGreater,
  Identity: inferIdentity,
  Log: inferLog,
  MatMul: inferMatMul,
  MaxPool: inferMaxPool,
  Mul: inferMul,
  Neg: inferNeg,
  Pad: inferPad,
  QuantizeLinear: inferQuantizeLinear,
  ReduceLogSumExp: inferReduce,
  ReduceMax: inferReduce,
  ReduceMean: inferReduce,
  ReduceSum: inferReduce,
  ReduceSumSquare: inferReduce,
  Relu: inferRelu,
  LeakyRelu: inferLeakyRelu,
  Reshape: inferReshape,
  Shape: inferShape,
  Sign: inferSign,
  Slice: inferSlice,
  Softmax: inferSoftmax,
  Sqrt: inferSqrt,
  Sub: inferSub,
  Transpose: inferTranspose,
  Where: inferWhere,
};
