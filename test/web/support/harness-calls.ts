import type { Page } from 'playwright-core';
import type { PreprocessSpec } from '../../../src/preprocess/spec.js';
import type { Prediction, WebGpuSupport, WebProvider } from '../../../src/web/index.js';
import type { ModelRun } from '../harness/harness.js';
import type { TrainStepRun } from '../harness/training.js';

/** Typed calls into test/web/harness (window.ninHarness) on a page showing harness.html, with results decoded. */
export class HarnessPage {
  private constructor(
    readonly page: Page,
    private readonly siteUrl: string,
  ) {}

  static async open(page: Page, siteUrl: string): Promise<HarnessPage> {
    await page.goto(`${siteUrl}harness.html`);
    await page.waitForSelector('body[data-ready]', { state: 'attached' });
    return new HarnessPage(page, siteUrl);
  }

  /** A site path ('models/x.onnx', 'fixtures/images/cat.jpg') as a URL the page can fetch. */
  url(path: string): string {
    return new URL(path, this.siteUrl).href;
  }

  async convert(checkpointPath: string): Promise<Buffer> {
    return Buffer.from(
      await this.page.evaluate((url) => window.ninHarness.convert(url), this.url(checkpointPath)),
      'base64',
    );
  }

  async run(modelPath: string, provider: WebProvider, imagePaths: readonly string[]): Promise<DecodedRun> {
    const args = [this.url(modelPath), provider, imagePaths.map((path) => this.url(path))] as const;
    const run: ModelRun = await this.page.evaluate(
      ([model, p, images]) => window.ninHarness.run(model, p, images),
      args,
    );
    return { ...run, tensors: run.tensors.map(float32s), probabilities: float32s(run.probabilities) };
  }

  /** `classify()` on a fixture image; the default model when `modelPath` is undefined. */
  classify(
    imagePath: string,
    modelPath?: string,
    provider?: WebProvider,
  ): Promise<{ top: Prediction[]; provider: string }> {
    const args = [this.url(imagePath), modelPath === undefined ? undefined : this.url(modelPath), provider] as const;
    return this.page.evaluate(([image, model, p]) => window.ninHarness.classify(image, model, p), args);
  }

  webgpu(): Promise<WebGpuSupport> {
    return this.page.evaluate(() => window.ninHarness.webgpu());
  }

  async preprocessSources(
    imagePath: string,
    spec: PreprocessSpec,
  ): Promise<Record<'blob' | 'image' | 'bitmap', Float32Array>> {
    const encoded = await this.page.evaluate(([url, s]) => window.ninHarness.preprocessSources(url, s), [
      this.url(imagePath),
      spec,
    ] as const);
    return { blob: float32s(encoded.blob), image: float32s(encoded.image), bitmap: float32s(encoded.bitmap) };
  }

  /** A TrainingSession in the page, from these checkpoint file bytes: one training step on `feeds`, one optimizer step. */
  async trainStep(request: TrainStepInput): Promise<DecodedTrainStep> {
    const encoded = {
      checkpoint: Buffer.from(request.checkpoint).toString('base64'),
      feeds: Object.fromEntries(
        Object.entries(request.feeds).map(([name, t]) => [name, { data: base64Of(t.data), dims: t.dims }]),
      ),
      provider: request.provider,
      learningRateScale: request.learningRateScale,
    };
    const run: TrainStepRun = await this.page.evaluate((r) => window.ninHarness.trainStep(r), encoded);
    return {
      ...run,
      parameters: float32s(run.parameters),
      optimizerState: Object.fromEntries(
        Object.entries(run.optimizerState).map(([key, values]) => [key, float32s(values)]),
      ),
      checkpoint: new Uint8Array(Buffer.from(run.checkpoint, 'base64')),
    };
  }
}

export interface TrainStepInput {
  readonly checkpoint: Uint8Array;
  readonly feeds: Readonly<Record<string, { readonly data: Float32Array; readonly dims: readonly number[] }>>;
  readonly provider: WebProvider;
  readonly learningRateScale: number;
}

export interface DecodedTrainStep extends Omit<TrainStepRun, 'parameters' | 'optimizerState' | 'checkpoint'> {
  readonly parameters: Float32Array;
  readonly optimizerState: Readonly<Record<string, Float32Array>>;
  readonly checkpoint: Uint8Array;
}

export interface DecodedRun extends Omit<ModelRun, 'tensors' | 'probabilities'> {
  readonly tensors: readonly Float32Array[];
  readonly probabilities: Float32Array;
}

function base64Of(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function float32s(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
