/**
 * A NIN trained with BatchNorm (architectureFromWidths(…, { batchNorm: true }), `nin-sdk train --batch-norm`)
 * against PyTorch's nn.BatchNorm2d in train mode (fixtures/make_batchnorm_fixtures.py): one step's loss, every
 * gradient (through the batch statistics) and the running statistics the step leaves; then eval mode, which folds the
 * BatchNorms into the convolutions in the graph, with those statistics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { hashDropoutMask } from '../../src/train/hash-dropout-mask.js';
import { initialCheckpoint } from '../../src/train/checkpoint/state.js';
import { exportedModel } from '../../src/train/export/exported-model.js';
import { exportInferenceOnnx } from '../../src/train/export/onnx.js';
import { recipeOptimizer } from '../../src/train/loop/recipe.js';
import { nextValueName } from '../../src/train/model/batch-norm.js';
import { trainableParameters } from '../../src/train/model/forward-model.js';
import { architectureFromWidths, isRunningStatistic, ninParameters } from '../../src/train/nin/architecture.js';
import { buildNinTrainingArtifacts, ninForwardModel } from '../../src/train/nin/forward.js';
import { Bundle, cifarInput, relativeError, runOnce, tensor, type Feeds } from './helpers.js';

/** Against float64 PyTorch: ours are within 4e-6 of it; PyTorch's own float32 ones are up to 1.2e-3 off (fixture script). */
const TOLERANCE = 2e-5;

function setUp(): { bundle: Bundle; feeds: Feeds; artifacts: ReturnType<typeof buildNinTrainingArtifacts> } {
  const bundle = new Bundle('cifar-batchnorm');
  const widths = bundle.meta['widths'] as number[];
  const architecture = architectureFromWidths(NIN_CIFAR10, widths, { batchNorm: true });
  const artifacts = buildNinTrainingArtifacts(architecture, { optimizer: 'sgd' });
  const feeds: Feeds = {};
  for (const p of artifacts.parameters) feeds[p.name] = tensor(bundle.float32(`param.${p.name}`), p.shape);
  const batch = bundle.meta['batch'] as number;
  feeds['input'] = tensor(cifarInput(bundle.uint8('images')), bundle.shape('images'));
  feeds['labels'] = tensor(bundle.float32('labels'), bundle.shape('labels'));
  const key = bundle.meta['mask_key'] as [number, number];
  for (const m of artifacts.dropoutMasks) {
    // PyTorch's masks are keyed by the plain NIN's layer index, which the layer's name keeps (`classifier.7.mask`).
    const plainIndex = Number(m.name.split('.')[1]);
    const shape = m.shape.map((d) => (typeof d === 'number' ? d : batch));
    const mask = hashDropoutMask(
      shape.reduce((a, b) => a * b, 1),
      m.p,
      [...key, plainIndex],
    );
    assert.deepEqual(Uint8Array.from(mask), bundle.uint8(`mask.${plainIndex}`));
    feeds[m.name] = tensor(mask, shape);
  }
  return { bundle, feeds, artifacts };
}

describe('BatchNorm trained with batch statistics', () => {
  it('lays out each BatchNorm after its conv, running statistics as buffers the optimizer never sees', () => {
    const architecture = architectureFromWidths(NIN_CIFAR10, [4, 4, 4, 4, 4, 4, 4, 4, 10], { batchNorm: true });
    const names = ninParameters(architecture).map((p) => p.name);
    assert.deepEqual(names.slice(0, 7), [
      'classifier.0.weight',
      'classifier.0.bias',
      'classifier.0.bn.weight',
      'classifier.0.bn.bias',
      'classifier.0.bn.running_mean',
      'classifier.0.bn.running_var',
      'classifier.2.weight',
    ]);
    assert.deepEqual(names.slice(-2), ['classifier.20.weight', 'classifier.20.bias']);
    const model = ninForwardModel(architecture);
    assert.equal(model.buffers?.length, 16);
    assert.ok(trainableParameters(model).every((p) => !isRunningStatistic(p.name)));
    assert.equal(trainableParameters(model).length, names.length - 16);
  });

  it('one training step equals PyTorch: loss, gradients, running statistics', async () => {
    const { bundle, feeds, artifacts } = setUp();
    const out = await runOnce(artifacts.trainingModel, feeds);
    assert.ok(relativeError(out['loss']!, bundle.float32('loss')) <= TOLERANCE, 'loss');
    // A conv's bias before a BatchNorm has no effect (the batch mean takes it away): its gradient is 0 up to
    // rounding on both sides, which a relative error cannot compare.
    const beforeBatchNorm = (name: string): boolean =>
      name.endsWith('.bias') && artifacts.parameterNames.includes(name.replace(/\.bias$/, '.bn.bias'));
    let checked = 0;
    for (const name of artifacts.trainableNames) {
      const gradient = out[`${name}_grad`]!;
      if (beforeBatchNorm(name)) {
        const weight = out[`${name.replace(/\.bias$/, '.weight')}_grad`]!;
        const largest = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        assert.ok(largest(gradient) <= 1e-5 * largest(weight), `${name}_grad is 0 up to rounding`);
        continue;
      }
      const error = relativeError(gradient, bundle.float32(`grad.${name}`));
      assert.ok(error <= TOLERANCE, `${name}_grad relative error ${error}`);
      checked += 1;
    }
    assert.equal(checked, 8 * 3 + 2);
    for (const name of artifacts.parameterNames.filter(isRunningStatistic)) {
      const error = relativeError(out[nextValueName(name)]!, bundle.float32(`next.${name}`));
      assert.ok(error <= 1e-5, `${name} after the step: relative error ${error}`);
    }
  });

  it('eval mode folds the BatchNorms with the running statistics, as model.eval() computes', async () => {
    const { bundle, feeds, artifacts } = setUp();
    for (const m of artifacts.dropoutMasks) delete feeds[m.name];
    for (const name of artifacts.parameterNames.filter(isRunningStatistic))
      feeds[name] = tensor(bundle.float32(`next.${name}`), feeds[name]!.dims);
    const out = await runOnce(artifacts.evalModel, feeds);
    assert.ok(relativeError(out['logits']!, bundle.float32('eval.logits')) <= TOLERANCE, 'logits');
    assert.ok(relativeError(out['loss']!, bundle.float32('eval.loss')) <= TOLERANCE, 'loss');
  });

  it('exports as the plain NIN, each BatchNorm folded into its conv, computing what model.eval() does', async () => {
    const { bundle, feeds, artifacts } = setUp();
    const widths = bundle.meta['widths'] as number[];
    const architecture = architectureFromWidths(NIN_CIFAR10, widths, { batchNorm: true });
    const parameters = new Map(
      artifacts.parameters.map((p) => {
        const key = isRunningStatistic(p.name) ? `next.${p.name}` : `param.${p.name}`;
        return [p.name, { shape: p.shape, data: bundle.float32(key) }];
      }),
    );
    const names = artifacts.parameterNames;
    const checkpoint = initialCheckpoint(
      architecture,
      recipeOptimizer(
        'sgd',
        names.filter((n) => !isRunningStatistic(n)),
        'classifier.20',
        0.1,
      ),
      parameters,
    );
    const exported = exportedModel(checkpoint);
    assert.deepEqual(exported.architecture, { family: 'cifar10', widths });
    const plain = architectureFromWidths(NIN_CIFAR10, widths);
    assert.deepEqual(
      [...exported.parameters.keys()],
      ninParameters(plain).map((p) => p.name),
    );
    const onnx = exportInferenceOnnx(plain, exported.parameters, {
      labels: NIN_CIFAR10.labels!,
      preprocessing: NIN_CIFAR10.preprocessing!,
    });
    const out = await runOnce(onnx, { input: feeds['input']! });
    assert.ok(relativeError(out['logits']!, bundle.float32('eval.logits')) <= TOLERANCE, 'logits');
  });
});
