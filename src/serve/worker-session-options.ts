import type { InferenceSession } from 'onnxruntime-common';

/**
 * The ONNX Runtime session options of a serve inference worker (the bench's same-options ceiling uses them too).
 * The pool threads sleep instead of spinning between parallel sections and after each run: in a server they share
 * the cores with the HTTP thread (and, on one machine, with the clients), and spinning burnt more CPU per request
 * under load (docs/benchmarks.md; bench/results/serve-2026-12-04.txt).
 */
export function workerSessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
