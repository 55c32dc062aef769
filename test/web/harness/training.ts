/**
 * nin-sdk/train in the page, for test/web/train.test.ts: builds the artifacts from a checkpoint file with the
 * page's own autodiff, opens a TrainingSession on onnxruntime-web (the build nin-sdk/web uses) and takes one
 * training step and one optimizer step, returning what Node compares with its CPU run.
 */
import { decodeTrainingCheckpoint, TrainingSession } from '../../../src/train/index.js';
import { buildNinTrainingArtifacts } from '../../../src/train/nin/forward.js';
import { checkpointArchitecture } from '../../../src/train/checkpoint/state.js';
import type { WebProvider } from '../../../src/web/index.js';
import { ort, setWasmPaths, type WasmPaths } from '../../../src/web/ort-web.js';
import { base64, bytesOf, float32sOf } from './base64.js';

export interface TrainStepRequest {
  /** A training checkpoint file (encodeTrainingCheckpoint), base64. */
  readonly checkpoint: string;
  /** runTrainStep's feeds: float32 data as base64, with dims. */
  readonly feeds: Readonly<Record<string, { readonly data: string; readonly dims: readonly number[] }>>;
  readonly provider: WebProvider;
  readonly learningRateScale: number;
}

export interface TrainStepRun {
  /** The provider the session reports. */
  readonly provider: string;
  readonly fallbacks: readonly string[];
  /** SHA-256 (hex) of the training, eval and optimizer models built in the page. */
  readonly artifactDigests: readonly string[];
  readonly loss: number;
  /** getContiguousParameters after the optimizer step, base64 of float32 bytes. */
  readonly parameters: string;
  /** getState's optimizer state after the step, per key, base64 of float32 bytes. */
  readonly optimizerState: Readonly<Record<string, string>>;
  /** saveCheckpoint after the step, base64. */
  readonly checkpoint: string;
  readonly milliseconds: { readonly create: number; readonly trainStep: number; readonly optimizerStep: number };
}

export async function trainStep(request: TrainStepRequest, wasmPaths: WasmPaths): Promise<TrainStepRun> {
  setWasmPaths(wasmPaths);
  const checkpointBytes = bytesOf(request.checkpoint);
  const { architecture, optimizer } = decodeTrainingCheckpoint(checkpointBytes);
  const artifacts = buildNinTrainingArtifacts(checkpointArchitecture(architecture), {
    optimizer: optimizer.kind,
    ...(optimizer.kind === 'sgd' ? { nesterov: optimizer.nesterov } : {}),
  });
  const models = [artifacts.trainingModel, artifacts.evalModel, artifacts.optimizerModel];

  let started = performance.now();
  const session = await TrainingSession.create(
    { checkpointState: checkpointBytes, trainModel: models[0]!, evalModel: models[1], optimizerModel: models[2] },
    {
      ort,
      platform: 'web',
      providers: [request.provider],
      strict: true,
      // On WebGPU, a node without a WebGPU kernel must fail the session rather than run on wasm unnoticed.
      sessionOptions: request.provider === 'webgpu' ? { extra: { session: { disable_cpu_ep_fallback: '1' } } } : {},
    },
  );
  const create = performance.now() - started;
  try {
    const feeds = Object.fromEntries(
      Object.entries(request.feeds).map(([name, { data, dims }]) => [
        name,
        new ort.Tensor('float32', float32sOf(data), dims),
      ]),
    );
    started = performance.now();
    await session.lazyResetGrad();
    const loss = await session.runTrainStep(feeds);
    const trainStep = performance.now() - started;
    started = performance.now();
    await session.runOptimizerStep({ learningRateScale: request.learningRateScale });
    const optimizerStep = performance.now() - started;

    const parameters = (await session.getContiguousParameters()).data as Float32Array;
    const state = await session.getState();
    return {
      provider: session.provider,
      fallbacks: session.fallbacks.map((attempt) => `${attempt.provider}: ${attempt.error}`),
      artifactDigests: await Promise.all(models.map(sha256)),
      loss,
      parameters: base64(parameters),
      optimizerState: Object.fromEntries(
        Object.entries(state.optimizerState).map(([key, values]) => [key, base64(values)]),
      ),
      checkpoint: base64(await session.saveCheckpoint()),
      milliseconds: { create, trainStep, optimizerStep },
    };
  } finally {
    await session.release();
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
