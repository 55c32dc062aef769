/**
 * The page's training panel: class folders chosen with a folder picker, fine-tuned from the model in use with
 * nin-sdk/web's fineTune (the run `nin-sdk train --from <model> --data <folder>` makes, in the page) in a worker
 * (training-worker.ts), progress as it trains, a Stop button, and the result put in use by the page's classifier
 * and offered for download.
 */
import {
  classFolderImages,
  type ClassFolderImages,
  type FineTuneBatchProgress,
  type FineTuneEpoch,
  type WebFineTuneResult,
  type WebProvider,
} from 'nin-sdk/web';
import type { FromTrainingWorker, ToTrainingWorker } from './training-messages.js';

/** build.ts bundles training-worker.ts next to the page. */
const TRAINING_WORKER_URL = new URL('training-worker.js', document.baseURI);

/** What the panel needs of the page. */
export interface TrainingPanelHost {
  /** Queues an action behind the page's others (its busy state and error line). */
  act(action: () => Promise<void>): void;
  /** The busy line, with a progress bar when the amount is known. */
  setBusy(text: string, progress?: { readonly value: number; readonly max: number }): void;
  /** The model in use, as bytes; undefined for the default model. */
  currentModel(): Uint8Array | undefined;
  /** The providers the page runs models on, in order of preference. */
  providers(): readonly WebProvider[];
  /** Puts a model in use, as a dropped .onnx is, and classifies the current image with it. */
  useModel(model: Uint8Array, description: string): Promise<void>;
  readonly wasmPaths: string;
}

export function setupTrainingPanel(host: TrainingPanelHost): void {
  const panel = {
    folder: element('train-folder', HTMLInputElement),
    data: element('train-data', HTMLParagraphElement),
    epochs: element('train-epochs', HTMLInputElement),
    validation: element('train-validation', HTMLInputElement),
    start: element('train-start', HTMLButtonElement),
    stop: element('train-stop', HTMLButtonElement),
    warnings: element('train-warnings', HTMLDivElement),
    progress: element('train-progress', HTMLParagraphElement),
    epochList: element('train-epoch-list', HTMLOListElement),
    result: element('train-result', HTMLParagraphElement),
    download: element('train-download', HTMLAnchorElement),
  };
  let chosen: ClassFolderImages | undefined;
  let running: Worker | undefined;

  panel.folder.addEventListener('change', () => {
    chosen = classFolderImages(panel.folder.files ?? []);
    panel.data.textContent = describeChoice(chosen);
    panel.start.disabled = chosen.images.length === 0 || running !== undefined;
  });

  panel.stop.addEventListener('click', () => {
    running?.postMessage({ kind: 'stop' } satisfies ToTrainingWorker);
    panel.stop.disabled = true;
    panel.progress.textContent = `${panel.progress.textContent ?? ''} Stopping after this batch…`.trim();
  });

  panel.start.addEventListener('click', () => {
    const images = chosen?.images;
    if (images === undefined || images.length === 0) return;
    const epochs = Number(panel.epochs.value);
    const held = Number(panel.validation.value);
    const worker = new Worker(TRAINING_WORKER_URL, { type: 'module' });
    running = worker;
    panel.start.disabled = true;
    panel.stop.disabled = false;
    panel.warnings.hidden = true;
    panel.epochList.replaceChildren();
    panel.result.textContent = '';
    hideDownload(panel.download);
    panel.progress.textContent = 'Starting…';
    host.act(async () => {
      try {
        const run = await new Promise<WebFineTuneResult>((resolve, reject) => {
          worker.addEventListener('message', (event: MessageEvent<FromTrainingWorker>) => {
            const message = event.data;
            if (message.kind === 'decode')
              host.setBusy(`Decoding the training images: ${message.decoded} of ${message.total}…`, {
                value: message.decoded,
                max: message.total,
              });
            else if (message.kind === 'batch') {
              const progress = message.progress;
              panel.progress.textContent = describeBatch(progress);
              host.setBusy(`Fine-tuning: epoch ${progress.epoch} of ${progress.epochs}…`, {
                value: (progress.epoch - 1) * progress.batches + progress.batch,
                max: progress.epochs * progress.batches,
              });
            } else if (message.kind === 'epoch') panel.epochList.append(listItem(describeEpoch(message.epoch)));
            else if (message.kind === 'done') resolve(message.result);
            else reject(new Error(message.message));
          });
          worker.addEventListener('error', (event) =>
            reject(new Error(`the training worker failed: ${event.message}`)),
          );
          worker.postMessage({
            kind: 'start',
            images: images.map(({ image, folder }) => ({ file: image, folder })),
            model: host.currentModel(),
            providers: host.providers(),
            wasmPaths: host.wasmPaths,
            epochs,
            validation: held > 0 ? held : undefined,
          } satisfies ToTrainingWorker);
        });
        const warnings = [run.balance.emptyLabels, run.balance.imbalance].filter((w) => w !== undefined);
        panel.warnings.replaceChildren(
          ...warnings.map((w) => Object.assign(document.createElement('p'), { textContent: w })),
        );
        panel.warnings.hidden = warnings.length === 0;
        panel.result.textContent = describeRun(run);
        offerDownload(panel.download, run.onnx, 'nin-fine-tuned.onnx');
        await host.useModel(run.onnx, `Fine-tuned model (${run.labels.join(', ')})`);
      } catch (error) {
        panel.progress.textContent = 'Fine-tuning failed.';
        throw error;
      } finally {
        worker.terminate();
        running = undefined;
        panel.stop.disabled = true;
        panel.start.disabled = chosen === undefined || chosen.images.length === 0;
      }
    });
  });
}

/** `40 images in 2 class folders: plane 20, toad 20` (and what was left out). */
function describeChoice(chosen: ClassFolderImages): string {
  const counts = new Map<string, number>();
  for (const { folder } of chosen.images) counts.set(folder, (counts.get(folder) ?? 0) + 1);
  const skipped = chosen.skipped.length;
  const left = skipped === 0 ? '' : `; ${skipped} other file${skipped === 1 ? '' : 's'} left out`;
  if (chosen.images.length === 0)
    return `No images in class folders${left}: choose the folder that holds one folder per class.`;
  const classes = [...counts].map(([folder, count]) => `${folder} ${count}`).join(', ');
  return `${chosen.images.length} images in ${counts.size} class folder${counts.size === 1 ? '' : 's'}: ${classes}${left}.`;
}

/** `Epoch 2 of 3, batch 1 of 2: loss 0.4432, 1.9 images/s` (the rate once it is measured). */
function describeBatch(p: FineTuneBatchProgress): string {
  const rate = p.imagesPerSecond === undefined ? 'measuring images/s' : `${p.imagesPerSecond.toFixed(1)} images/s`;
  return `Epoch ${p.epoch} of ${p.epochs}, batch ${p.batch} of ${p.batches}: loss ${p.loss.toFixed(4)}, ${rate}.`;
}

/** `Epoch 1: training loss 0.6613; validation loss 0.3512, accuracy 7/8 (87.5 %)`. */
function describeEpoch(e: FineTuneEpoch): string {
  const validation =
    e.validation === undefined
      ? 'no validation split'
      : `validation loss ${e.validation.averageLoss.toFixed(4)}, accuracy ${e.validation.correct}/${e.validation.count} (${e.validation.accuracy.toFixed(1)} %)`;
  return `Epoch ${e.epoch}: training loss ${e.trainLoss.toFixed(4)}; ${validation}`;
}

function describeRun(run: WebFineTuneResult): string {
  const head =
    run.replacedClassifier === undefined
      ? `its classifier fine-tuned for ${run.labels.length} labels`
      : `a new classifier for ${run.labels.join(', ')} replaced ${run.replacedClassifier}`;
  const held = run.validationCount === 0 ? '' : ` (${run.validationCount} held out for validation)`;
  const kept =
    run.bestEpoch === undefined
      ? 'the weights at the stop are kept (no epoch finished: not validated)'
      : `the model of epoch ${run.bestEpoch} is kept` +
        (run.bestAccuracy === null ? '' : ` (validation accuracy ${run.bestAccuracy.toFixed(1)} %)`);
  const steps = `${run.steps} step${run.steps === 1 ? '' : 's'}`;
  const how = run.status === 'stopped' ? `Stopped after ${steps}` : `Fine-tuned in ${steps}`;
  return `${how} on ${run.trainCount} images${held}, ${run.seconds.toFixed(0)} s on ${run.provider}: ${head}; ${kept}.`;
}

function listItem(text: string): HTMLLIElement {
  return Object.assign(document.createElement('li'), { textContent: text });
}

function offerDownload(link: HTMLAnchorElement, onnx: Uint8Array, name: string): void {
  URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([onnx as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  link.download = name;
  link.textContent = `Download ${name} (${(onnx.length / 1024).toFixed(0)} kB)`;
  link.hidden = false;
}

function hideDownload(link: HTMLAnchorElement): void {
  URL.revokeObjectURL(link.href);
  link.removeAttribute('href');
  link.hidden = true;
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
}
