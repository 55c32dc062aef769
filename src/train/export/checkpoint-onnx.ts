import { specArchitecture } from '../checkpoint/forward.js';
import {
  checkpointArchitecture,
  checkpointParameters,
  isNinArchitectureSpec,
  type TrainingCheckpoint,
} from '../checkpoint/state.js';
import { exportInferenceOnnx, exportTrainedOnnx } from './onnx.js';

/**
 * A training checkpoint's model as the inference ONNX that predict, eval, serve and the web page take (a run's
 * best.onnx): a NIN as nin-convert builds it, any other architecture as its BatchNorm-folded copy, with the run's
 * labels and preprocessing in the metadata.
 */
export function checkpointOnnx(checkpoint: TrainingCheckpoint): Uint8Array {
  const { progress } = checkpoint;
  if (progress === undefined) throw new Error("internal: an exported model needs the run's labels and preprocessing");
  const parameters = checkpointParameters(checkpoint);
  const options = { labels: progress.labels, preprocessing: progress.preprocessing };
  const spec = checkpoint.architecture;
  return isNinArchitectureSpec(spec)
    ? exportInferenceOnnx(checkpointArchitecture(spec), parameters, options)
    : exportTrainedOnnx(specArchitecture(spec), parameters, options);
}
