import { DEFAULT_MODEL_CHECKPOINT, PYTHON, SDK_CLI, TORCH_PREDICT_SCRIPT } from './paths.js';
import { runChild, type ChildRun } from './run-child.js';

/** Timed runs send the lines to /dev/null; the untimed check run keeps them to compare the two pipelines' answers. */
export type PredictOutput = 'capture' | 'discard';

/** `nin-sdk predict <paths…>` in a fresh node process: the real CLI with its defaults (embedded model, top 3, batch 32, CPU). */
export function runSdkPredict(paths: readonly string[], output: PredictOutput): Promise<ChildRun> {
  return runChild(process.execPath, [SDK_CLI, 'predict', ...paths], { stdout: output });
}

/** bench/torch_predict.py on the default model's checkpoint: PIL + torchvision + torch, the same defaults. */
export function runTorchPredict(paths: readonly string[], threads: number, output: PredictOutput): Promise<ChildRun> {
  return runChild(PYTHON, [TORCH_PREDICT_SCRIPT, DEFAULT_MODEL_CHECKPOINT, ...paths, '--threads', String(threads)], {
    stdout: output,
  });
}
