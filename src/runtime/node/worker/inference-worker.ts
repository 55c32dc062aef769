/**
 * An inference worker thread: one ONNX Runtime session, running the batches the main thread sends. Its own
 * thread because onnxruntime-node's run() blocks the thread that calls it: a server would stall every connection,
 * and `nin-sdk predict` could not decode the next images while a batch runs.
 */
import * as ort from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-common';
import { parentPort, workerData } from 'node:worker_threads';
import { openSession } from '../../open-session.js';
import { providerLibraryMissing } from '../provider-libraries.js';
import { ortErrorLine } from '../../ort-error.js';
import { DATATYPES, datatypeOfOrt, type NumericArray } from '../../datatypes.js';
import {
  RunState,
  type RunReply,
  type RunRequest,
  type WireTensor,
  type WireValueInfo,
  type WorkerReady,
  type WorkerSetup,
} from './worker-messages.js';

function valueInfo(metadata: readonly InferenceSession.ValueMetadata[]): WireValueInfo[] {
  return metadata.map((m) =>
    m.isTensor
      ? { name: m.name, ortType: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }
      : { name: m.name, ortType: 'non-tensor', shape: [] },
  );
}

async function main(port: NonNullable<typeof parentPort>, setup: WorkerSetup): Promise<void> {
  if (setup.runtimeLogLevel !== undefined) ort.env.logLevel = setup.runtimeLogLevel;
  const state = new Int32Array(setup.runState);
  let session: InferenceSession;
  try {
    // Building the session is native work too: an exit waits for it as for a run.
    const opened = await whileRunning(state, () =>
      // The bytes of a CheckedModel of the thread that started this worker (WorkerSetup's type says so).
      openSession(
        ort,
        { bytes: setup.model, source: setup.source },
        {
          providers: setup.providers,
          strict: setup.strict,
          platform: 'node',
          sessionOptions: setup.sessionOptions,
          unavailable: providerLibraryMissing,
        },
      ),
    );
    session = opened.session;
    const ready: WorkerReady = {
      type: 'ready',
      provider: opened.provider,
      fallbacks: opened.fallbacks,
      inputs: valueInfo(session.inputMetadata),
      outputs: valueInfo(session.outputMetadata),
    };
    port.postMessage(ready);
  } catch (error) {
    port.postMessage({
      type: 'failed',
      message: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : 'Error',
    } satisfies WorkerReady);
    return;
  }
  port.on('message', (request: RunRequest | { readonly type: 'stop' }) => {
    if ('type' in request) {
      // Runs are awaited by the main thread before it asks to stop: release the session and let the thread end.
      void whileRunning(state, () => session.release())
        .catch(() => undefined)
        .finally(() => port.close());
      return;
    }
    void run(session, request, state).then((reply) => {
      const buffers = reply.type === 'result' ? reply.outputs.map((o) => o.buffer) : [];
      port.postMessage(reply, buffers);
    });
  });
}

/** The process is exiting: the main thread closed this worker between two runs (see RunState). */
class ExitingError extends Error {
  override readonly name = 'ExitingError';
  constructor() {
    super('the process is exiting');
  }
}

/** Runs native work marked in the shared state, which only an idle, unclosed worker may start. */
async function whileRunning<T>(state: Int32Array, work: () => Promise<T>): Promise<T> {
  if (Atomics.compareExchange(state, 0, RunState.idle, RunState.running) !== RunState.idle) throw new ExitingError();
  try {
    return await work();
  } finally {
    Atomics.store(state, 0, RunState.idle);
    Atomics.notify(state, 0);
  }
}

async function run(session: InferenceSession, { id, inputs }: RunRequest, state: Int32Array): Promise<RunReply> {
  try {
    const feeds = Object.fromEntries(
      inputs.map((input) => [
        input.name,
        new ort.Tensor(input.ortType as 'float32', typedArrayOf(input) as Float32Array, [...input.dims]),
      ]),
    );
    const started = performance.now();
    const results = await whileRunning(state, () => session.run(feeds));
    const seconds = (performance.now() - started) / 1000;
    const outputs: WireTensor[] = Object.entries(results).map(([name, value]) => {
      const data = value.data as ArrayBufferView;
      // ONNX Runtime's output may view a larger buffer: copy exactly its bytes so that the move is safe.
      const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
      return { name, ortType: value.type, dims: [...value.dims], buffer };
    });
    return { type: 'result', id, outputs, seconds };
  } catch (error) {
    // ONNX Runtime's message in one line, as a run on the main thread tells it (its first line may be empty).
    return { type: 'error', id, message: ortErrorLine(error) };
  }
}

function typedArrayOf(tensor: WireTensor): NumericArray {
  const datatype = datatypeOfOrt(tensor.ortType);
  if (datatype === undefined) throw new Error(`tensor type ${tensor.ortType} is not supported`);
  return DATATYPES[datatype].create(tensor.buffer);
}

if (parentPort !== null) void main(parentPort, workerData as WorkerSetup);
