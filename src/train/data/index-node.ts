/** Node entry of training data: everything of ./index.ts, plus loading datasets from folders and tars with a cache. */
export * from './index.js';
export { datasetCacheKey } from './dataset-cache-node.js';
export { decodeToInputSize } from './decode-node.js';
export { loadImageDataset, type LoadedImageDataset, type LoadImageDatasetOptions } from './load-dataset-node.js';
