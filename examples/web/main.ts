/**
 * The example page: the default CIFAR-10 model or a dropped .pth/.onnx, an image, its top 5 classes, on WebGPU
 * when the browser has it and on WebAssembly otherwise. Built by build.ts (esbuild); see README.md.
 */
import { convertCheckpoint, detectWebGpu, loadClassifier, type Predictions, type WebClassifier } from 'nin-sdk/web';

// onnxruntime-web loads its WebAssembly loader and binary at run time; build.ts copies them into ./ort/.
const WASM_PATHS = new URL('ort/', document.baseURI).href;

const page = {
  notice: element('webgpu-notice', HTMLParagraphElement),
  modelStatus: element('model-status', HTMLParagraphElement),
  modelDrop: element('model-drop', HTMLLabelElement),
  modelFile: element('model-file', HTMLInputElement),
  download: element('download', HTMLAnchorElement),
  imageDrop: element('image-drop', HTMLLabelElement),
  imageFile: element('image-file', HTMLInputElement),
  preview: element('preview', HTMLImageElement),
  predictions: element('predictions', HTMLOListElement),
  runInfo: element('run-info', HTMLParagraphElement),
  error: element('error', HTMLParagraphElement),
};

let classifier: WebClassifier | undefined;
let image: File | undefined;

/** Loads a model (undefined: the default one), replacing the current one, and classifies the current image with it. */
async function useModel(model: Uint8Array | undefined, description: string): Promise<void> {
  const next = await loadClassifier(model, { provider: ['webgpu', 'wasm'], wasmPaths: WASM_PATHS });
  await classifier?.dispose();
  classifier = next;
  page.modelStatus.textContent = `${description}: ${next.info.family}, ${next.labels.length} classes, running on ${next.provider}.`;
  const webgpuFailure = next.fallbacks.find((attempt) => attempt.provider === 'webgpu');
  // When detectWebGpu has already said why there is no WebGPU, ONNX Runtime's own words would add nothing.
  if (webgpuFailure && page.notice.hidden) showNotice(`WebGPU could not start: ${webgpuFailure.error}. The model runs on WebAssembly (wasm), on the CPU.`);
  if (image) await classifyImage(image);
}

async function openModelFile(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.name.toLowerCase().endsWith('.onnx')) {
    page.download.hidden = true;
    return useModel(bytes, file.name);
  }
  page.modelStatus.textContent = `Converting ${file.name}…`;
  // The file name breaks a tie between architectures with equal keys (pytorchcv nin_cifar10 / nin_svhn), said below.
  const converted = await convertCheckpoint(bytes, { fileName: file.name });
  if (converted.assumptions.length > 0) console.warn(`nin-convert assumed: ${converted.assumptions.join('; ')}`);
  offerDownload(converted.onnx, `${file.name.replace(/\.(pth|pt)(\.tar)?$|\.tar$/i, '')}.onnx`);
  await useModel(converted.onnx, `${file.name} (converted: ${converted.parameterCount.toLocaleString('en')} parameters)`);
}

async function classifyImage(file: File): Promise<void> {
  image = file;
  URL.revokeObjectURL(page.preview.src);
  page.preview.src = URL.createObjectURL(file);
  page.preview.hidden = false;
  if (!classifier) return;
  const started = performance.now();
  const top = await classifier.classify(file, { top: 5 });
  const milliseconds = performance.now() - started;
  showPredictions(top);
  page.runInfo.textContent = `Ran on ${top.provider} in ${milliseconds.toFixed(0)} ms (decoding, preprocessing and inference).`;
}

function showPredictions(top: Predictions): void {
  page.predictions.replaceChildren(
    ...top.map(({ label, probability }) => {
      const item = document.createElement('li');
      const name = Object.assign(document.createElement('span'), { textContent: label });
      const bar = Object.assign(document.createElement('span'), { className: 'bar' });
      bar.style.width = `${(probability * 100).toFixed(1)}%`;
      const percent = Object.assign(document.createElement('span'), { className: 'percent', textContent: `${(probability * 100).toFixed(1)} %` });
      item.append(name, bar, percent);
      return item;
    }),
  );
}

function offerDownload(onnx: Uint8Array, name: string): void {
  URL.revokeObjectURL(page.download.href);
  page.download.href = URL.createObjectURL(new Blob([onnx as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  page.download.download = name;
  page.download.textContent = `Download ${name} (${(onnx.length / 1024).toFixed(0)} kB)`;
  page.download.hidden = false;
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
      page.error.textContent = error instanceof Error ? error.message : String(error);
      page.error.hidden = false;
      outcome = 'error';
    }
    if (--pendingActions === 0) document.body.dataset['state'] = outcome;
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
acceptFiles(page.imageDrop, page.imageFile, classifyImage);
act(async () => {
  const webgpu = await detectWebGpu();
  if (!webgpu.available) showNotice(`WebGPU is not available: ${webgpu.reason}. The model runs on WebAssembly (wasm), on the CPU.`);
  await useModel(undefined, 'Default model (nin-cifar10.onnx)');
});
