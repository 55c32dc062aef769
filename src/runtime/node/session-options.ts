import type { InferenceSession } from 'onnxruntime-common';
import type { ModelDtype } from '../../model/index.js';
import { intraOpThreads } from '../../io/index.js';

export interface NodeSessionChoices {
  /** ONNX Runtime's intra-op threads (default: one per physical core). */
  readonly threads?: number;
  /** 'startup' for a run or two, 'throughput' (default) for many: see LoadClassifierOptions.optimize. */
  readonly optimize?: 'startup' | 'throughput';
  /** The session runs in a worker thread while this one decodes images (see LoadClassifierOptions.inWorker). */
  readonly inWorker?: boolean;
}

/**
 * The session options of nin-sdk's Node classifiers, for a model of precision `dtype`. 'startup' leaves out what costs
 * more to build than it saves on a few images: on float32 the NCHWc layout of the 'all' level (sessions build faster
 * without it and run slower); on int8 nothing, since there 'all' makes the NHWC QLinearConv chain, which builds no
 * slower than 'extended' and runs faster, one image included (the figures: docs/benchmarks.md). And it stops the pool's
 * threads from spinning while they wait for work, which for a run or two only takes the cores from the main thread
 * (docs/startup.md).
 */
export function nodeSessionOptions(choices: NodeSessionChoices, dtype: ModelDtype): InferenceSession.SessionOptions {
  const startup = choices.optimize === 'startup';
  return {
    intraOpNumThreads: intraOpThreads(choices.threads),
    // Warnings of nin-sdk's own sessions stay quiet; ONNX Runtime's process-wide logger (ort.env.logLevel) is the
    // application's, left as it is.
    logSeverityLevel: 3,
    ...(startup && dtype === 'fp32' ? { graphOptimizationLevel: 'extended' as const } : {}),
    ...(startup || choices.inWorker === true ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
}
