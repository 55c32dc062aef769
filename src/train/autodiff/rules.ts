import { averagePoolGradient, globalAveragePoolGradient } from '../rules/average-pool.js';
import { convGradient } from '../rules/conv.js';
import {
  addGradient,
  divGradient,
  identityGradient,
  mulGradient,
  negGradient,
  subGradient,
} from '../rules/elementwise.js';
import { matMulGradient, transposeGradient } from '../rules/matmul.js';
import { maxPoolGradient } from '../rules/max-pool.js';
import { padGradient } from '../rules/pad.js';
import { reduceSumGradient, reduceSumSquareGradient } from '../rules/reduce.js';
import { reluGradient } from '../rules/relu.js';
import { reshapeGradient } from '../rules/reshape.js';
import { sqrtGradient } from '../rules/sqrt.js';
import type { GradientRule } from './rule.js';

/**
 * Gradient rules by ONNX op type: the list of ops autodiff supports. Every
 * rule emits standard ONNX ops only (no ONNX Runtime training kernels, no
 * ScatterElements, MaxUnpool, OneHot or LogSoftmax), so the gradient graphs
 * run on ONNX Runtime's inference builds and on WebGPU/JSEP.
 */
export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = {
  Add: addGradient,
  AveragePool: averagePoolGradient,
  Conv: convGradient,
  Div: divGradient,
  Flatten: reshapeGradient,
  GlobalAveragePool: globalAveragePoolGradient,
  Identity: identityGradient,
  MatMul: matMulGradient,
  MaxPool: maxPoolGradient,
  Mul: mulGradient,
  Neg: negGradient,
  Pad: padGradient,
  ReduceSum: reduceSumGradient,
  ReduceSumSquare: reduceSumSquareGradient,
  Relu: reluGradient,
  Reshape: reshapeGradient,
  Sqrt: sqrtGradient,
  Sub: subGradient,
  Transpose: transposeGradient,
};
