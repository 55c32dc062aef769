/**
 * The names every NIN graph uses for its input, outputs and dynamic batch dimension: the converter's inference
 * graph (build-graph.ts) and training's forward graphs (src/train/nin/forward.ts) are fed and read by these.
 */
export const INPUT_NAME = 'input';
export const LOGITS_NAME = 'logits';
export const PROBABILITIES_NAME = 'probabilities';
/** The last map before global average pooling, [batch, classes, h, w], where the architecture has one. */
export const CLASS_MAPS_NAME = 'class_maps';
export const BATCH_DIM = 'batch';
