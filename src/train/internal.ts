/**
 * The train layer's surface to the layers above (nin-sdk/web's `fineTune`, the CLI), browser-safe. The public
 * nin-sdk/train is ./index.ts, the core only; this also gives the training loop, checkpoints, data and the fine-tuning
 * plan to those who run them. Node's parts (run folders, datasets from files): ./node/index.ts.
 */
