import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { ClassifierSession, OpenedClassifierSession } from '../../classifier-session.js';
import type { CheckedModel } from '../../../model/index.js';
import type { OpenSessionOptions } from '../../open-session.js';
import { InferenceWorkerHandle } from './inference-worker-handle.js';
import type { WireValueInfo } from './worker-messages.js';
import { wireTensor, wireTensorData } from './wire-tensor.js';

/**
 * A classifier's session in a worker thread of its own (loadClassifier's inWorker): onnxruntime-node's run() blocks
 * the thread that calls it, so on this thread nothing else could happen during a batch. Providers are tried in the
 * worker as openSession tries them; what fails there arrives here with its message and its error's name.
 */
export async function openWorkerSession(
  model: CheckedModel,
  options: OpenSessionOptions,
): Promise<OpenedClassifierSession> {
  // The providers are tried inside the worker, which tells nothing back until one has started: the first is named here.
  options.onAttempt?.(options.providers[0] ?? 'cpu');
  const handle = await InferenceWorkerHandle.start({
    model: model.bytes,
    source: model.source,
    providers: options.providers,
    strict: options.strict ?? false,
    sessionOptions: options.sessionOptions ?? {},
  });
  const { provider, fallbacks } = handle.ready;
  return { session: new WorkerSession(handle), provider, fallbacks };
}

class WorkerSession implements ClassifierSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];

  constructor(private readonly handle: InferenceWorkerHandle) {
    const { inputs, outputs } = handle.ready;
    this.inputNames = inputs.map((v) => v.name);
    this.outputNames = outputs.map((v) => v.name);
    this.inputMetadata = inputs.map(valueMetadata);
    this.outputMetadata = outputs.map(valueMetadata);
  }

  async run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Pick<Tensor, 'data'>>> {
    const entries = Object.entries(feeds);
    if (entries.length !== 1) throw new Error(`internal: a worker session runs one input, got ${entries.length}`);
    const [name, tensor] = entries[0]!;
    const { outputs } = await this.handle.run([wireTensor(name, tensor)]);
    return Object.fromEntries(outputs.map((output) => [output.name, { data: wireTensorData(output) }]));
  }

  release(): Promise<void> {
    return this.handle.stop();
  }
}

/** Symbolic or unknown dims cross threads as -1; here they become a name again, so that no check takes them as sizes. */
function valueMetadata(value: WireValueInfo): InferenceSession.ValueMetadata {
  if (value.ortType === 'non-tensor') return { name: value.name, isTensor: false };
  return {
    name: value.name,
    isTensor: true,
    type: value.ortType as Tensor.Type,
    shape: value.shape.map((dim) => (dim < 0 ? 'unknown' : dim)),
  };
}
