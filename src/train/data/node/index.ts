/** Node entry of training data: everything of ./index.ts, plus loading datasets from folders and tars with a cache. */
export * from '../index.js';
export { datasetCacheKey } from './dataset-cache.js';
export { decodeToInputSize } from './decode.js';
export {
  loadImageDataset,
  sampledPositions,
  type LoadedImageDataset,
  type LoadImageDatasetOptions,
} from './load-dataset.js';
