/** The datasets layer's entry (Node-only): labelled images from folders and tars. */
export { countLabeledImages, listLabeledImages, readLabeledImages, type LabeledImage } from './dataset.js';
