/**
 * Image → tensor without Node dependencies (usable in browsers): torchvision-exact geometry and resampling,
 * normalisation, batching. Decoding files and encoded bytes is Node's part, in ./node.ts (sharp).
 */
export { checkPreprocessSpec, PREPROCESS_SPEC } from './check-spec.js';
export { cropPixels } from './crop.js';
export { ImageError } from './errors.js';
export { toGrey } from './grey.js';
export {
  centreCropBox,
  preprocessGeometry,
  resizeShorterSideTo,
  roundHalfToEven,
  type CropBox,
  type PreprocessGeometry,
  type Size,
} from './geometry.js';
export { pixelsToTensor, stackImages, type ImageBatch, type PreprocessedImage } from './normalize.js';
export { preprocessPixels, resizeAndCropPixels } from './pipeline.js';
export { checkPixels, SUPPORTED_CHANNELS, type RawPixels, withoutAlpha } from './pixels.js';
export { resizeBilinear } from './resample.js';
export {
  CIFAR10_PREPROCESSING,
  IMAGENET_CAFFE_PREPROCESSING,
  specChannels,
  type PreprocessSpec,
  CIFAR10_COPIED_STD_PREPROCESSING,
} from './spec.js';
export { decodeBmp } from './bmp/decode-bmp.js';
export { checkEncodedImage } from './check-encoded-image.js';
export type { ImageFormat, ImageHeader } from './header/image-header.js';
export { IMAGE_EXTENSIONS } from './image-extensions.js';
export { DEFAULT_MAX_PIXELS, checkMaxPixels, describePixels } from './image-limits.js';
