/**
 * Bundled next to the example page for the browser tests: exposes nin-sdk/web's work (from src/, so that the
 * tests check the current source; the example page checks the built package export) as a few calls that take
 * URLs and return plain data. The tests' page.evaluate callbacks then stay one-liners: tsx compiles the test
 * files with helpers such as __name that would not exist in the page. training.ts does the same for nin-sdk/train.
 */
import {
  classify,
  convert,
  detectWebGpu,
  loadClassifier,
  preprocessImage,
  type Prediction,
  type PreprocessSpec,
  type WebGpuSupport,
  type WebProvider,
} from '../../../src/web/index.js';
import { base64 } from './base64.js';
import { trainStep, type TrainStepRequest, type TrainStepRun } from './training.js';

/** build.ts copies onnxruntime-web's runtime files into ort/ next to the pages. */
const WASM_PATHS = new URL('ort/', document.baseURI).href;

export interface ModelRun {
  /** The provider that ran. */
  readonly provider: string;
  readonly fallbacks: readonly string[];
  /** Each image's preprocessed [3, S, S] tensor, as base64 of its float32 bytes. */
  readonly tensors: readonly string[];
  /** [images × classes] probabilities, base64 of float32 bytes. */
  readonly probabilities: string;
  readonly milliseconds: number;
}

export interface Harness {
  /** Converts the checkpoint at `url` in the page; the ONNX bytes as base64. */
  convert(url: string): Promise<string>;
  /** Preprocesses the images for the model and classifies them in one batch on `provider` (strictly). */
  run(modelUrl: string, provider: WebProvider, imageUrls: readonly string[]): Promise<ModelRun>;
  /**
   * The one-call API: `classify(blob, { model, provider })`, the default model when `modelUrl` is undefined.
   * Rejects with `<error name>: <message>` so that the tests see which error class was thrown.
   */
  classify(
    imageUrl: string,
    modelUrl: string | undefined,
    provider: WebProvider | undefined,
  ): Promise<{ top: Prediction[]; provider: string }>;
  /** What detectWebGpu says in this browser. */
  webgpu(): Promise<WebGpuSupport>;
  /** Preprocesses one image under a spec, from a Blob, an <img> and an ImageBitmap: base64 tensors of each. */
  preprocessSources(
    imageUrl: string,
    spec: PreprocessSpec,
  ): Promise<Readonly<Record<'blob' | 'image' | 'bitmap', string>>>;
  /** One training step and one optimizer step of a TrainingSession on onnxruntime-web (see training.ts). */
  trainStep(request: TrainStepRequest): Promise<TrainStepRun>;
}

const harness: Harness = {
  async convert(url) {
    return base64(await convert(await fetchBlob(url)));
  },

  async run(modelUrl, provider, imageUrls) {
    const classifier = await loadClassifier(modelUrl, { provider, strict: true, wasmPaths: WASM_PATHS });
    try {
      const spec = classifier.info.preprocessing;
      const tensors = await Promise.all(
        imageUrls.map(async (url) => (await preprocessImage(await fetchBlob(url), spec)).tensor),
      );
      const started = performance.now();
      const probabilities = await classifier.probabilities(tensors);
      const milliseconds = performance.now() - started;
      return {
        provider: classifier.provider,
        fallbacks: classifier.fallbacks.map((attempt) => `${attempt.provider}: ${attempt.error}`),
        tensors: tensors.map(base64),
        probabilities: base64(probabilities),
        milliseconds,
      };
    } finally {
      await classifier.dispose();
    }
  },

  async classify(imageUrl, modelUrl, provider) {
    try {
      const { top, provider: ran } = await classify(await fetchBlob(imageUrl), {
        model: modelUrl,
        provider,
        wasmPaths: WASM_PATHS,
      });
      return { top: [...top], provider: ran };
    } catch (error) {
      throw new Error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  },

  webgpu: detectWebGpu,

  async preprocessSources(imageUrl, spec) {
    const blob = await fetchBlob(imageUrl);
    const image = new Image();
    image.src = imageUrl;
    const bitmap = await createImageBitmap(blob);
    try {
      const [fromBlob, fromImage, fromBitmap] = await Promise.all(
        [blob, image, bitmap].map((source) => preprocessImage(source, spec)),
      );
      return { blob: base64(fromBlob!.tensor), image: base64(fromImage!.tensor), bitmap: base64(fromBitmap!.tensor) };
    } finally {
      bitmap.close();
    }
  },

  trainStep: (request) => trainStep(request, WASM_PATHS),
};

async function fetchBlob(url: string): Promise<Blob> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.blob();
}

declare global {
  interface Window {
    ninHarness: Harness;
  }
}
window.ninHarness = harness;
document.body.dataset['ready'] = 'true';
