import type { InferenceSession } from 'onnxruntime-common';
import { specChannels } from '../preprocess/index.js';
import { ModelError, type ModelInfo } from './model-info.js';

/**
 * Checks a classifier's metadata against its graph before any image is touched: the input must be [N, C, S, S]
 * with C the spec's channels (1 or 3) and S its inputSize (what the preprocessing makes), the scores output [N, C] with C the
 * label count. Dims the graph leaves symbolic are not checked here; ONNX Runtime checks them on every run.
 */
export function checkClassifierShapes(
  info: ModelInfo,
  session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata' | 'outputNames'>,
  outputName: string,
  source: string,
): void {
  const size = info.preprocessing.inputSize;
  const planes = specChannels(info.preprocessing);
  const input = session.inputMetadata[0];
  if (input?.isTensor) {
    const [, channels, height, width] = input.shape;
    const mismatch =
      input.shape.length !== 4 || isOther(channels, planes) || isOther(height, size) || isOther(width, size);
    if (mismatch) {
      throw new ModelError(
        `${source}: the graph's input ${input.name} is [${input.shape.join(', ')}], but its preprocessing metadata makes ` +
          `[N, ${planes}, ${size}, ${size}] (${planes === 1 ? 'one grey plane' : 'three colour planes'} of inputSize ${size})`,
      );
    }
  }
  const output = session.outputMetadata[session.outputNames.indexOf(outputName)];
  if (output?.isTensor) {
    const classes = output.shape[output.shape.length - 1];
    if (output.shape.length !== 2 || isOther(classes, info.labels.length)) {
      throw new ModelError(
        `${source}: the graph's output ${output.name} is [${output.shape.join(', ')}], but its metadata has ` +
          `${info.labels.length} labels ([N, ${info.labels.length}] expected)`,
      );
    }
  }
}

/** A dim the graph fixes to something else than `expected` (symbolic dims, strings, are left to ONNX Runtime). */
function isOther(dim: number | string | undefined, expected: number): boolean {
  return typeof dim === 'number' && dim !== expected;
}
