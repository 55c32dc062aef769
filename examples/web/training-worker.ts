/**
 * The training panel's worker: fineTune runs here, off the page's thread, so that the page keeps drawing its
 * progress and answering its Stop button while ONNX Runtime trains (a training step holds its thread for seconds).
 * One worker per run; the page ends it when the run is over.
 */
import { fineTune } from 'nin-sdk/web';
import type { FromTrainingWorker, ToTrainingWorker } from './training-messages.js';

const stop = new AbortController();

function send(message: FromTrainingWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

self.addEventListener('message', (event: MessageEvent<ToTrainingWorker>) => {
  const message = event.data;
  if (message.kind === 'stop') {
    stop.abort();
    return;
  }
  fineTune({
    images: message.images.map(({ file, folder }) => ({ image: file, folder })),
    ...(message.model === undefined ? {} : { model: message.model }),
    provider: message.providers,
    wasmPaths: message.wasmPaths,
    epochs: message.epochs,
    ...(message.validation === undefined ? {} : { validation: message.validation }),
    signal: stop.signal,
    onDecode: (decoded, total) => send({ kind: 'decode', decoded, total }),
    onBatch: (progress) => send({ kind: 'batch', progress }),
    onEpoch: (epoch) => send({ kind: 'epoch', epoch }),
  }).then(
    (result) => send({ kind: 'done', result }, [result.onnx.buffer as ArrayBuffer]),
    (error: unknown) => send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
