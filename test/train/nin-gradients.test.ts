/**
 * Whole-network gradients of both NIN families against PyTorch autograd:
 * the fixture checkpoints, the same batch and the same dropout masks, run
 * through training_model.onnx / eval_model.onnx on onnxruntime-node (CPU).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ninOfTensors } from '../support/nin-architecture.js';
import { type TrainingArtifacts } from '../../src/train/index.js';
import { buildNinTrainingArtifacts } from '../../src/train/nin/forward.js';
import { hashDropoutMask } from '../../src/train/hash-dropout-mask.js';
import {
  Bundle,
  checkpointTensors,
  cifarInput,
  imagenetInput,
  relativeError,
  runOnce,
  tensor,
  type Feeds,
} from './helpers.js';

const TOLERANCE = 1e-4;

interface Family {
  readonly fixture: string;
  readonly checkpoint: string;
  readonly toInput: (u8: Uint8Array) => Float32Array;
}

const FAMILIES: readonly Family[] = [
  { fixture: 'cifar-small', checkpoint: 'cifar-small.pth', toInput: cifarInput },
  { fixture: 'imagenet-small', checkpoint: 'imagenet-small.pth', toInput: imagenetInput },
];

/** Parameters, batch and masks as training_model.onnx takes them; masks remade by hashDropoutMask and checked against the fixture's. */
function trainingFeeds(family: Family, bundle: Bundle, artifacts: TrainingArtifacts): Feeds {
  const tensors = checkpointTensors(family.checkpoint);
  const feeds: Feeds = {};
  for (const p of artifacts.parameters) {
    const t = tensors.get(p.name);
    assert.ok(t, `checkpoint has ${p.name}`);
    assert.deepEqual(t.shape, p.shape);
    feeds[p.name] = tensor(t.data, p.shape);
  }
  const batch = bundle.meta['batch'] as number;
  feeds['input'] = tensor(family.toInput(bundle.uint8('images')), bundle.shape('images'));
  feeds['labels'] = tensor(bundle.float32('labels'), bundle.shape('labels'));
  const key = bundle.meta['mask_key'] as [number, number];
  for (const m of artifacts.dropoutMasks) {
    const shape = m.shape.map((d) => (typeof d === 'number' ? d : batch));
    const mask = hashDropoutMask(
      shape.reduce((a, b) => a * b, 1),
      m.p,
      [...key, m.layerIndex],
    );
    assert.deepEqual(
      Uint8Array.from(mask),
      bundle.uint8(`mask.${m.layerIndex}`),
      `${m.name} equals the mask PyTorch used`,
    );
    feeds[m.name] = tensor(mask, shape);
  }
  return feeds;
}

async function checkFamily(t: TestContext, family: Family): Promise<void> {
  const bundle = new Bundle(family.fixture);
  const architecture = ninOfTensors(checkpointTensors(family.checkpoint));
  const artifacts = buildNinTrainingArtifacts(architecture, { optimizer: 'sgd' });
  const feeds = trainingFeeds(family, bundle, artifacts);
  const out = await runOnce(artifacts.trainingModel, feeds);

  const lossError = relativeError(out['loss']!, bundle.float32('loss'));
  assert.ok(lossError <= TOLERANCE, `loss relative error ${lossError}`);
  let worst = { name: '', error: 0 };
  for (const name of artifacts.parameterNames) {
    const error = relativeError(out[`${name}_grad`]!, bundle.float32(`grad.${name}`));
    assert.ok(error <= TOLERANCE, `${name}_grad relative error ${error}`);
    if (error >= worst.error) worst = { name, error };
  }
  t.diagnostic(
    `${family.fixture}: loss ${out['loss']![0]} (rel. error ${lossError.toExponential(2)}), worst gradient ${worst.name} ${worst.error.toExponential(2)}`,
  );
}

describe('training_model.onnx gradients match PyTorch autograd', () => {
  for (const family of FAMILIES) it(family.fixture, (t) => checkFamily(t, family));
});

describe('eval_model.onnx matches PyTorch in eval mode', () => {
  it('cifar-small: loss and logits, no dropout', async () => {
    const family = FAMILIES[0]!;
    const bundle = new Bundle(family.fixture);
    const artifacts = buildNinTrainingArtifacts(ninOfTensors(checkpointTensors(family.checkpoint)), {
      optimizer: 'sgd',
    });
    const feeds = trainingFeeds(family, bundle, artifacts);
    for (const m of artifacts.dropoutMasks) delete feeds[m.name];
    const out = await runOnce(artifacts.evalModel, feeds);
    assert.ok(relativeError(out['logits']!, bundle.float32('eval.logits')) <= TOLERANCE);
    assert.ok(relativeError(out['loss']!, bundle.float32('eval.loss')) <= TOLERANCE);
  });
});
