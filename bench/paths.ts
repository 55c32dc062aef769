import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file runs from dist/bench/, two levels below the project root. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST_BENCH = fileURLToPath(new URL('./', import.meta.url));

/** The bundled CLIs that package.json's bin entries name (scripts/bundle-cli.ts; npm run build makes them). */
export const CONVERT_CLI = join(PROJECT_ROOT, 'dist/cli/nin-convert.mjs');
export const PROCESS_PROBE = join(DIST_BENCH, 'process-probe.js');
export const MEMORY_STAGES_SCRIPT = join(DIST_BENCH, 'memory-stages.js');
export const TORCH_EXPORT_SCRIPT = join(PROJECT_ROOT, 'bench/torch_export.py');
export const SDK_CLI = join(PROJECT_ROOT, 'dist/cli/nin-sdk.mjs');
export const TORCH_PREDICT_SCRIPT = join(PROJECT_ROOT, 'bench/torch_predict.py');
export const TORCH_MODEL_WORKER_SCRIPT = join(PROJECT_ROOT, 'bench/torch_model_worker.py');
export const TORCH_TRAIN_WORKER_SCRIPT = join(PROJECT_ROOT, 'bench/torch_train_worker.py');
export const RESULTS_DIR = join(PROJECT_ROOT, 'bench/results');
export const LATEST_RESULTS = join(RESULTS_DIR, 'latest.json');

/** Debian's python3-torch; the pyenv python3 on PATH has no torch. */
export const PYTHON = process.env.NIN_BENCH_PYTHON ?? '/usr/bin/python3';

export interface BenchCheckpoint {
  /** Short name used in tables and the JSON results. */
  readonly id: string;
  readonly family: 'cifar10' | 'imagenet';
  readonly path: string;
}

const LARGE = join(PROJECT_ROOT, 'fixtures/generated-large/checkpoints');
export const IMAGENET_ZIP: BenchCheckpoint = {
  id: 'imagenet-full (zip)',
  family: 'imagenet',
  path: join(LARGE, 'imagenet-full.pth'),
};
export const IMAGENET_LEGACY_V1: BenchCheckpoint = {
  id: 'imagenet-full (legacy-v1)',
  family: 'imagenet',
  path: join(LARGE, 'imagenet-full-legacy-v1.pth'),
};
export const CIFAR_FULL: BenchCheckpoint = {
  id: 'cifar-full',
  family: 'cifar10',
  path: join(PROJECT_ROOT, 'fixtures/checkpoints/cifar-full.pth.tar'),
};

/** Fails early, with the command that makes the missing file, rather than midway through the bench. */
export function assertCheckpointsExist(checkpoints: readonly BenchCheckpoint[]): void {
  const missing = checkpoints.filter((c) => !existsSync(c.path));
  if (missing.length > 0) {
    throw new Error(
      `missing checkpoint${missing.length > 1 ? 's' : ''}: ${missing.map((c) => c.path).join(', ')}\n` +
        `make the full-width ImageNet ones with: ${PYTHON} fixtures/make_fixtures.py --large`,
    );
  }
}

/** The SDK's embedded default model, and the PyTorch checkpoint it was converted from (same weights). */
export const DEFAULT_MODEL = join(PROJECT_ROOT, 'models/nin-cifar10.onnx');
export const DEFAULT_MODEL_CHECKPOINT = join(PROJECT_ROOT, 'fixtures/sdk-train/nin-cifar10-sdk.pth');
export const CIFAR10_TEST_TAR =
  process.env.NIN_BENCH_CIFAR10_TEST ?? join(PROJECT_ROOT, '../shared/data/cifar10/test.tar');
/** The README's first command: `nin-sdk predict cat.jpg`. */
export const CAT_IMAGE = join(PROJECT_ROOT, 'fixtures/images/cat.jpg');
