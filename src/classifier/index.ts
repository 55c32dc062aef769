/**
 * The classifier layer's entry (browser-safe): a model and its preprocessing → scores. The public `Classifier`
 * interface apart from its implementation, predictions, progress, class maps, window scans.
 */
