import type * as ort from 'onnxruntime-node';

/**
 * Session options for two ONNX Runtime sessions timed against each other in one process, run by run (A B B A …).
 * Each session has its own intra-op pool, and by default a pool's threads spin for a while after a run: the idle
 * session's spinning threads then take the cores from the session being timed. Measured here (2 vCPUs, 2 threads
 * each, batch 32, the embedded model's fp32 and int8 files alternating): with spinning, fp32 325-362 and int8
 * 949-985 images/s; without, 451 and 1549, what each gives when timed alone (445 and 1501-1563). So both sides
 * sleep between runs; a single run is long enough (20-90 ms) that waking the pool costs nothing measurable.
 */
export function pairedSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
