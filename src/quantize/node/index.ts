/** The quantize layer's Node entry: quantizing a model file, calibrated on images from files. */
export {
  DEFAULT_CALIBRATION_IMAGES,
  quantizeModel,
  type QuantizeModelOptions,
  type QuantizedModel,
} from './quantize-model.js';
