/**
 * Training data without Node dependencies (browsers too): the seeded generator, shuffling, augmentation, Dropout
 * masks, the in-memory dataset and its cache format, and the resumable batch iterator. Loading datasets from
 * folders and tars is Node's part, in ./node/index.ts.
 */
export { cropFlipPlanes, drawCropFlip, type CropFlip } from './augment.js';
export {
  BatchIterator,
  CIFAR10_AUGMENTATION,
  type BatchIteratorOptions,
  type TrainingBatch,
} from './batch-iterator.js';
export { checkBatchIteratorState, type BatchIteratorState } from './batch-iterator-state.js';
export { decodeDatasetCache, encodeDatasetCache } from './dataset-cache-format.js';
export { dropoutMask } from './dropout-mask.js';
export { fitPixels } from './fit-pixels.js';
export { checkImageDataset, imageBytes, type ImageDataset } from './image-dataset.js';
export { Random, type RandomState } from '../../numeric/index.js';
export { shuffledIndices } from './shuffle.js';
export { classCounts, datasetSubset, stratifiedSplit, type ValidationSplit } from './subset.js';
export {
  LIMIT_SAMPLE_STREAM,
  stratifiedQuotas,
  stratifiedSample,
  VALIDATION_SPLIT_STREAM,
} from './stratified-sample.js';
export { labelFolderName, labelIndexByFolder } from './label-folders.js';
export { foldersAreLabels, relabelDataset, UnknownClassFolderError } from './relabel.js';
