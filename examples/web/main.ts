/**
 * The example page: the default CIFAR-10 model or a dropped .pth/.onnx, an image, its top 5 classes, on WebGPU
 * when the browser has it and on WebAssembly otherwise; and a training panel (training-panel.ts) that fine-tunes
 * the model in use on class folders. Built by build.ts (esbuild); see README.md.
 */
import {
  ArchitectureError,
  checkImageFile,
  convertCheckpoint,
  detectWebGpu,
  explain,
  loadClassifier,
  type ArchitectureSummary,
  type Predictions,
  type ProgressEvent,
  type WebClassifier,
  type WebProvider,
} from 'nin-sdk/web';
import { setupTrainingPanel } from './training-panel.js';

// onnxruntime-web loads its WebAssembly loader and binary at run time; build.ts copies them into ./ort/.
const WASM_PATHS = new URL('ort/', document.baseURI).href;

const page = {
  notice: element('webgpu-notice', HTMLParagraphElement),
  busy: element('busy', HTMLParagraphElement),
  busyText: element('busy-text', HTMLSpanElement),
  busyProgress: element('busy-progress', HTMLProgressElement),
  modelStatus: element('model-status', HTMLParagraphElement),
  modelArchitecture: element('model-architecture', HTMLParagraphElement),
  modelAssumptions: element('model-assumptions', HTMLDivElement),
  modelAssumptionList: element('model-assumption-list', HTMLUListElement),
  modelDrop: element('model-drop', HTMLLabelElement),
  modelFile: element('model-file', HTMLInputElement),
  download: element('download', HTMLAnchorElement),
  imageDrop: element('image-drop', HTMLLabelElement),
  imageFile: element('image-file', HTMLInputElement),
  preview: element('preview', HTMLImageElement),
  predictions: element('predictions', HTMLOListElement),
  overlay: element('overlay', HTMLCanvasElement),
  overlayCaption: element('overlay-caption', HTMLParagraphElement),
  runInfo: element('run-info', HTMLParagraphElement),
  error: element('error', HTMLParagraphElement),
};

/** Where models run, in order of preference: WebGPU first, wasm the last resort. */
const PROVIDERS: readonly WebProvider[] = ['webgpu', 'wasm'];

let classifier: WebClassifier | undefined;
/** What detectWebGpu said: without WebGPU, training runs on wasm (a worker has its own navigator.gpu to try). */
let webgpuAvailable = false;
/** The bytes of the model in use (what the training panel starts from); undefined for the default model. */
let modelBytes: Uint8Array | undefined;
/** How the status line names the model in use. */
let modelDescription = '';
let image: File | undefined;
/** Whether the current model has run on WebGPU yet: its first run compiles the shaders, which takes seconds. */
let webgpuWarm = false;

/** Loads a model (undefined: the default one), replacing the current one, and classifies the current image with it. */
async function useModel(
  model: Uint8Array | undefined,
  description: string,
  readingLines?: readonly string[],
): Promise<void> {
  const next = await loadClassifier(model, {
    provider: PROVIDERS,
    wasmPaths: WASM_PATHS,
    onProgress: showLoadProgress,
  });
  await classifier?.dispose();
  classifier = next;
  modelBytes = model;
  modelDescription = description;
  webgpuWarm = false;
  page.modelStatus.textContent = `${description}: ${next.info.family}, ${next.labels.length} classes, running on ${next.provider}.`;
  showArchitecture(next, readingLines);
  const webgpuFailure = next.fallbacks.find((attempt) => attempt.provider === 'webgpu');
  // When detectWebGpu has already said why there is no WebGPU, ONNX Runtime's own words would add nothing.
  if (webgpuFailure && page.notice.hidden)
    showNotice(`WebGPU could not start: ${webgpuFailure.error}. The model runs on WebAssembly (wasm), on the CPU.`);
  if (image) await classifyImage(image);
}

/**
 * A new model replaces the old one's download link and results at once (they belong to the old model); should it
 * fail, the status says so and the previous model stays in use.
 */
async function openModelFile(file: File): Promise<void> {
  clearResults();
  hideDownload();
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (file.name.toLowerCase().endsWith('.onnx')) {
      page.modelStatus.textContent = `Loading ${file.name}…`;
      return await useModel(bytes, file.name);
    }
    page.modelStatus.textContent = `Converting ${file.name}…`;
    setBusy(`Converting ${file.name} to ONNX…`);
    // The file name breaks a tie between architectures with equal keys (pytorchcv nin_cifar10 / nin_svhn), said below.
    const converted = await convertCheckpoint(bytes, { fileName: file.name });
    // nin-convert's lines for this file (took, ignored, assumed), as the conversion returns them.
    await useModel(
      converted.onnx,
      `${file.name} (converted: ${converted.parameterCount.toLocaleString('en')} parameters)`,
      converted.lines,
    );
    offerDownload(converted.onnx, `${file.name.replace(/\.(pth|pt)(\.tar)?$|\.tar$/i, '')}.onnx`);
  } catch (error) {
    page.modelStatus.textContent =
      `Could not use ${file.name}` +
      (classifier ? `; still using ${modelDescription}, on ${classifier.provider}.` : '.');
    throw error;
  }
}

/** The chosen image's preview at once; its results replace the previous image's only when they are ready. */
async function classifyImage(file: File): Promise<void> {
  image = file;
  clearResults();
  URL.revokeObjectURL(page.preview.src);
  page.preview.hidden = true;
  // Before the preview: the <img> would decode whatever the file holds, a 144-megapixel PNG of 446 kB included.
  await checkImageFile(file);
  page.preview.src = URL.createObjectURL(file);
  page.preview.hidden = false;
  if (!classifier) return;
  const first = classifier.provider === 'webgpu' && !webgpuWarm;
  setBusy(
    `Classifying ${file.name} on ${classifier.provider}…` +
      (first ? ' (the first WebGPU run compiles its shaders: up to 20 s)' : ''),
  );
  const started = performance.now();
  let result: Predictions;
  try {
    result = await classifier.classify(file, { top: 5 });
  } catch (error) {
    // An image the browser cannot decode: no broken-image icon, and the error below says why.
    page.preview.hidden = true;
    throw error;
  }
  if (classifier.provider === 'webgpu') webgpuWarm = true;
  const milliseconds = performance.now() - started;
  showPredictions(result);
  page.runInfo.textContent = `Ran on ${result.provider} in ${milliseconds.toFixed(0)} ms (decoding, preprocessing and inference).`;
}

function clearResults(): void {
  page.predictions.replaceChildren();
  page.runInfo.textContent = '';
  hideOverlay();
}

function hideOverlay(): void {
  page.overlay.hidden = true;
  page.overlayCaption.hidden = true;
  page.predictions.querySelectorAll('.map-toggle').forEach((button) => button.setAttribute('aria-pressed', 'false'));
}

/**
 * The class's confidence map over the image the model saw (its centre crop, scaled up): where the model found that
 * class. One class at a time: pressing another class's button switches, pressing the shown one hides it.
 */
async function toggleOverlay(label: string, button: HTMLButtonElement): Promise<void> {
  if (button.getAttribute('aria-pressed') === 'true') return hideOverlay();
  if (!classifier || !image) return;
  const shown = await explain(classifier, image, { label });
  hideOverlay();
  page.overlay.width = shown.image.width;
  page.overlay.height = shown.image.height;
  page.overlay.getContext('2d')!.putImageData(shown.image, 0, 0);
  const { stride, receptiveField } = shown.maps.geometry;
  const size = shown.maps.inputSize;
  page.overlayCaption.textContent =
    `Map of ${label} (${(shown.probability * 100).toFixed(1)} %), from ${shown.low.toPrecision(3)} (dark) to ` +
    `${shown.high.toPrecision(3)} (yellow): each of its ${shown.maps.height}×${shown.maps.width} cells sees ` +
    `${receptiveField[0]}×${receptiveField[1]} of the ${size}×${size} pixels the model saw, ${stride[0]} apart.`;
  page.overlay.dataset['label'] = label;
  page.overlay.hidden = false;
  page.overlayCaption.hidden = false;
  button.setAttribute('aria-pressed', 'true');
}

function hideDownload(): void {
  URL.revokeObjectURL(page.download.href);
  page.download.removeAttribute('href');
  page.download.hidden = true;
}

/** What the page is doing, beside a spinner, with a progress bar when the amount is known. */
function setBusy(text: string, progress?: { readonly value: number; readonly max: number }): void {
  page.busyText.textContent = text;
  page.busyProgress.hidden = progress === undefined;
  if (progress !== undefined) Object.assign(page.busyProgress, progress);
  page.busy.hidden = false;
}

/** loadClassifier's progress: the model's download, then each provider's start (the first fetches ONNX Runtime). */
function showLoadProgress(event: ProgressEvent): void {
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
  if (event.stage === 'load') {
    const name = event.source.split('/').pop() ?? event.source;
    if (event.total === undefined) setBusy(`Downloading ${name}: ${megabytes(event.loaded)} MB…`);
    else
      setBusy(`Downloading ${name}: ${megabytes(event.loaded)} of ${megabytes(event.total)} MB…`, {
        value: event.loaded,
        max: event.total,
      });
  } else if (event.stage === 'session') {
    setBusy(
      event.provider === 'webgpu'
        ? 'Starting ONNX Runtime on WebGPU (the first start loads its 27 MB WebAssembly and can take several seconds)…'
        : `Starting ONNX Runtime on ${event.provider}…`,
    );
  }
}

/**
 * An error in this page's words: the converter's remedies name nin-convert's flags or API options, which a
 * page has neither of.
 */
function describeError(error: unknown): string {
  if (error instanceof ArchitectureError && error.remedy !== undefined) {
    const remedy =
      error.remedy.option === 'family'
        ? 'This page recognises a NIN by its layer names; a checkpoint whose layers were renamed converts with the nin-convert ' +
          `command and its family option (${error.remedy.choices.join(' or ')}), and the .onnx it writes can be dropped here.`
        : `This page uses the family's default labels; a model of ${error.remedy.count} classes needs its labels: convert it with the ` +
          'nin-convert command and its labels option, and drop the .onnx it writes here.';
    return `${error.detail}. ${remedy}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function showPredictions({ top }: Predictions): void {
  page.predictions.replaceChildren(
    ...top.map(({ label, probability }) => {
      const item = document.createElement('li');
      const name = Object.assign(document.createElement('span'), { textContent: label });
      const bar = Object.assign(document.createElement('span'), { className: 'bar' });
      bar.style.width = `${(probability * 100).toFixed(1)}%`;
      const percent = Object.assign(document.createElement('span'), {
        className: 'percent',
        textContent: `${(probability * 100).toFixed(1)} %`,
      });
      item.append(name, bar, percent);
      // A model whose scores are not the average of a last map (a Linear head) has no maps to show.
      if (classifier?.info.classMaps !== undefined) {
        const toggle = Object.assign(document.createElement('button'), {
          type: 'button',
          className: 'map-toggle',
          textContent: 'map',
          title: `Show where the model sees ${label}`,
        });
        toggle.setAttribute('aria-pressed', 'false');
        toggle.addEventListener('click', () => act(() => toggleOverlay(label, toggle)));
        item.append(toggle);
      }
      return item;
    }),
  );
}

function offerDownload(onnx: Uint8Array, name: string): void {
  URL.revokeObjectURL(page.download.href);
  page.download.href = URL.createObjectURL(
    new Blob([onnx as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
  page.download.download = name;
  page.download.textContent = `Download ${name} (${(onnx.length / 1024).toFixed(0)} kB)`;
  page.download.hidden = false;
}

/** `d2l NiN (Fashion-MNIST) [d2l-nin], 1×224×224 input, 30 layers (from …)`: as `nin-sdk info` words it. */
function architectureLine(summary: ArchitectureSummary): string {
  const { id, title, inputChannels, inputSize, layerCount, source } = summary;
  const parts = [title === undefined ? id : `${title} [${id}]`];
  if (inputChannels !== undefined && inputSize !== undefined)
    parts.push(`${inputChannels}×${inputSize}×${inputSize} input`);
  if (layerCount !== undefined) parts.push(`${layerCount} layers`);
  return parts.join(', ') + (source === undefined ? '' : ` (from ${source})`);
}

/**
 * The architecture the model was converted from and what its conversion said (where the weights were, what was left
 * aside, what was assumed rather than read): the conversion's own lines when this page converted it, else the same
 * lines from the model's metadata ('nin.source_entry', 'nin.ignored', 'nin.assumptions'), as text nodes: the metadata
 * is the dropped file's to write.
 */
function showArchitecture(model: WebClassifier, readingLines: readonly string[] | undefined): void {
  const summary = model.info.architectureSummary;
  page.modelArchitecture.textContent = summary === undefined ? '' : `Architecture: ${architectureLine(summary)}`;
  page.modelArchitecture.hidden = summary === undefined;
  const { sourceEntry, ignored } = model.info;
  // In nin-convert's words and order: where the weights were, what was left aside, then each assumption.
  const said = readingLines ?? [
    ...(sourceEntry === undefined ? [] : [`took ${sourceEntry}`]),
    ...(ignored === undefined ? [] : [`ignored: ${ignored.join(', ')}`]),
    ...(model.info.assumptions ?? []).map((assumption) => `assumed: ${assumption}`),
  ];
  page.modelAssumptionList.replaceChildren(
    ...said.map((line) => Object.assign(document.createElement('li'), { textContent: line })),
  );
  page.modelAssumptions.hidden = said.length === 0;
}

function showNotice(text: string): void {
  page.notice.textContent = text;
  page.notice.hidden = false;
}

let actions: Promise<void> = Promise.resolve();
let pendingActions = 0;

/**
 * Queues a user action behind the previous ones (a model swap must not dispose of a classifier mid-run). The
 * page's data-state is 'busy' from the moment an action is asked for until the queue is empty, then 'ready' or
 * 'error' after the last one: the browser tests wait on it.
 */
function act(action: () => Promise<void>): void {
  pendingActions++;
  document.body.dataset['state'] = 'busy';
  actions = actions.then(async () => {
    page.error.hidden = true;
    let outcome = 'ready';
    try {
      await action();
    } catch (error) {
      page.error.textContent = describeError(error);
      page.error.hidden = false;
      outcome = 'error';
    }
    if (--pendingActions === 0) {
      page.busy.hidden = true;
      document.body.dataset['state'] = outcome;
    }
  });
}

/** A file input inside a drop zone: choosing a file and dropping one do the same. */
function acceptFiles(zone: HTMLElement, input: HTMLInputElement, open: (file: File) => Promise<void>): void {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) act(() => open(file));
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) act(() => open(file));
  });
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
}

acceptFiles(page.modelDrop, page.modelFile, openModelFile);
setupTrainingPanel({
  act,
  setBusy,
  currentModel: () => modelBytes,
  providers: () => (webgpuAvailable ? PROVIDERS : ['wasm']),
  async useModel(model, description) {
    // The converted checkpoint's download belongs to the model this one replaces.
    hideDownload();
    await useModel(model, description);
  },
  wasmPaths: WASM_PATHS,
});
// The classifier in use, for the browser console (and the page's tests, which compare its probabilities with Node's).
Object.defineProperty(window, 'ninExample', { value: Object.freeze({ classifier: () => classifier }) });
acceptFiles(page.imageDrop, page.imageFile, classifyImage);
act(async () => {
  setBusy('Looking for WebGPU…');
  const webgpu = await detectWebGpu();
  webgpuAvailable = webgpu.available;
  if (!webgpu.available)
    showNotice(`WebGPU is not available: ${webgpu.reason}. The model runs on WebAssembly (wasm), on the CPU.`);
  await useModel(undefined, 'Default model (nin-cifar10.onnx)').catch((error: unknown) => {
    page.modelStatus.textContent = 'Could not load the default model: drop a .pth or .onnx model above.';
    throw error;
  });
});
