import { specArchitecture } from '../checkpoint/forward.js';
import { checkpointArchitecture, isNinArchitectureSpec, type TrainingCheckpoint } from '../checkpoint/state.js';
import { exportedModel } from './exported-model.js';
import { exportInferenceOnnx, exportTrainedOnnx } from './onnx.js';

/**
 * A training checkpoint's model as the inference ONNX that predict, eval, serve and the web page take (a run's
 * best.onnx): a NIN as nin-convert builds it (one trained with BatchNorms folded into the plain NIN: exportedModel), any other
 * architecture as its BatchNorm-folded copy, with the run's
 * labels and preprocessing in the metadata.
 */
export function checkpointOnnx(checkpoint: TrainingCheckpoint): Uint8Array {
  const { progress } = checkpoint;
  if (progress === undefined) throw new Error("internal: an exported model needs the run's labels and preprocessing");
  const { architecture: spec, parameters } = exportedModel(checkpoint);
  const options = { labels: progress.labels, preprocessing: progress.preprocessing };
  return isNinArchitectureSpec(spec)
    ? exportInferenceOnnx(checkpointArchitecture(spec), parameters, options)
    : exportTrainedOnnx(specArchitecture(spec), parameters, options);
}
