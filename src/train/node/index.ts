/** The train layer's Node entry: a training run's files, training datasets read from files and their cache. */
export { loadImageDataset } from '../data/node/load-dataset.js';
export { RunFolder } from './run-folder.js';
