import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { OpenedSession } from './open-session.js';

/**
 * What a classifier needs of its ONNX Runtime session: onnxruntime's own InferenceSession on this thread, or one
 * that runs in a worker thread (./node/worker/worker-session.ts).
 */
export interface ClassifierSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  /** Runs the model; the input tensor's data may be moved to another thread and must not be used afterwards. */
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Readonly<Record<string, Pick<Tensor, 'data'>>>>;
  release(): Promise<void>;
}

export interface OpenedClassifierSession extends Omit<OpenedSession, 'session'> {
  readonly session: ClassifierSession;
}
