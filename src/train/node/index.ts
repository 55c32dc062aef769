/**
 * The train layer's Node entry: a training run's files, training datasets read from files and their cache, and
 * training sessions whose training model runs as replicas in worker threads.
 */
export { loadImageDataset } from '../data/node/load-dataset.js';
export { RunFolder } from './run-folder.js';
export { openNodeTrainingSession, type NodeTrainingSession } from './node-training-session.js';
