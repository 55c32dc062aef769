export { pytorchAvgPool2d, pytorchMaxPool2d, type PytorchAvgPool2dOptions, type PytorchPool2dOptions } from './pool.js';
export {
  pytorchPool2dPads,
  pytorchPoolAxisPads,
  pytorchPoolOutputSize,
  type Pool2dPads,
  type PoolAxisPads,
  type PytorchPool2d,
  type PytorchPoolAxis,
} from './pooling-sizes.js';
