/**
 * What this project writes by default: opset 17 with IR version 8.
 *
 * Both onnxruntime-node 1.30 and onnxruntime-web 1.30 load this pair (the
 * tests load every model they write with onnxruntime-node). It is deliberately
 * older than what ORT 1.30 accepts: IR 8 is the version released with opset 17,
 * so older tools (python onnx 1.12, Debian's) read these files too. Opset 17 is
 * also where ReduceSum already takes axes as an input while ReduceMean,
 * ReduceMax and ReduceLogSumExp still take them as an attribute; the builder
 * and `validateForOpset` handle both forms.
 */
export const DEFAULT_OPSET_VERSION = 17;
export const DEFAULT_IR_VERSION = 8;

/** The lowest opset whose semantics the shape rules follow (Softmax and ReduceSum changed at 13). */
export const MIN_OPSET_VERSION = 13;
