/**
 * Static int8 quantization of a float32 graph in QDQ form (browser-safe: no Node APIs). The calibration run itself
 * needs ONNX Runtime and images; Node's driver is src/quantize/node/quantize-model.ts.
 */
export { withObservedOutputs } from './calibration-graph.js';
export { quantizationMetadata, QUANTIZATION_METADATA_KEYS, type CalibrationRecord } from '../model/index.js';
export { MinMaxObserver } from './observer.js';
export {
  activationParameters,
  quantizeBias,
  quantizeWeightsPerChannel,
  roundHalfToEven,
  type ActivationParameters,
  type ChannelQuantizedWeights,
  type QuantizedBias,
  type ValueRange,
} from './parameters.js';
export { planQuantization, type ActivationSource, type QuantizationPlan } from './plan.js';
export { quantizeToQdq } from './qdq.js';
