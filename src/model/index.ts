/**
 * The model layer's entry (browser-safe): an ONNX model nin-sdk loads. The one decoding and its checks
 * (`checkModel`), metadata, model info, class maps, dtypes, typed errors.
 */
