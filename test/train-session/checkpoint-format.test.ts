/**
 * The training checkpoint file across versions: version 3 is keyed by parameter names and shapes (any architecture)
 * and stores a registry architecture whole; version 2 (a registry entry by id only) and version 1 (a NIN's, written
 * before generic training) are still read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import {
  CHECKPOINT_VERSION,
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
} from '../../src/train/checkpoint/format.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { architectureById, architectureToJson } from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { initialModelCheckpoint, type TrainingCheckpoint } from '../../src/train/checkpoint/state.js';
import { fineTuneStart } from '../../src/train/fine-tune.js';
import { TrainingSession } from '../../src/train/training-session.js';
import { FIXTURES } from '../support/fixtures.js';
import { assertBitEqual, pseudoRandom, sessionOptions, tinyCheckpoint, tinyOptimizer } from './helpers.js';

/** The checkpoint's zip with checkpoint.json edited. */
function withJson(bytes: Uint8Array, edit: (json: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const entries = unzipSync(bytes);
  const json = JSON.parse(strFromU8(entries['checkpoint.json']!)) as Record<string, unknown>;
  return zipSync({ ...entries, 'checkpoint.json': strToU8(JSON.stringify(edit(json))) }, { level: 0 });
}

describe('training checkpoint format', () => {
  const checkpoint = tinyCheckpoint('sgd');
  const bytes = encodeTrainingCheckpoint(checkpoint);

  it('writes version 3 with every tensor by name, shape and offset', () => {
    const json = JSON.parse(strFromU8(unzipSync(bytes)['checkpoint.json']!)) as {
      version: number;
      tensors: Array<{ name: string; shape: number[]; offset: number }>;
    };
    assert.equal(json.version, CHECKPOINT_VERSION);
    assert.equal(json.version, 3);
    assert.deepEqual(
      json.tensors.map(({ name, shape }) => ({ name, shape })),
      checkpoint.tensors,
    );
    assert.deepEqual(json.tensors.slice(0, 2), [
      { name: 'classifier.0.weight', shape: [8, 3, 5, 5], offset: 0 },
      { name: 'classifier.0.bias', shape: [8], offset: 600 },
    ]);
  });

  it('refuses deflated entries (a zip bomb could inflate past the file) and too many entries, before inflating', () => {
    const deflated = zipSync(unzipSync(bytes), { level: 6 });
    assert.throws(() => decodeTrainingCheckpoint(deflated), {
      name: 'TrainingCheckpointError',
      message: /checkpoint\.json is compressed; a training checkpoint stores its entries$/,
    });
    const extra = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x${i}`, new Uint8Array(1)]));
    assert.throws(() => decodeTrainingCheckpoint(zipSync({ ...unzipSync(bytes), ...extra }, { level: 0 })), {
      name: 'TrainingCheckpointError',
      message: /more than 16 zip entries$/,
    });
  });

  it('reads a version 1 file (a NIN, no frozen list) to the same state', () => {
    const v1 = withJson(bytes, (json) => ({ ...json, version: 1 }));
    const decoded = decodeTrainingCheckpoint(v1);
    assert.deepEqual(decoded.architecture, checkpoint.architecture);
    assert.deepEqual(decoded.tensors, checkpoint.tensors);
    assert.deepEqual(decoded.parameters, checkpoint.parameters);
    assert.equal(decoded.frozen, undefined);
  });

  it('refuses a layout that is not its NIN’s, an unknown architecture and a later version, naming each', () => {
    const swapped = withJson(bytes, (json) => {
      const tensors = json['tensors'] as Array<{ name: string }>;
      return { ...json, tensors: tensors.map((t, i) => (i === 0 ? { ...t, name: 'classifier.0.w' } : t)) };
    });
    assert.throws(
      () => decodeTrainingCheckpoint(swapped),
      /^TrainingCheckpointError: damaged training checkpoint: tensors do not match the cifar10 NIN of widths 8,8,8,8,8,8,8,8,10$/,
    );
    const unknown = withJson(bytes, (json) => ({ ...json, architecture: { registry: 'resnet-50' } }));
    assert.throws(
      () => decodeTrainingCheckpoint(unknown),
      /^TrainingCheckpointError: damaged training checkpoint: unknown architecture 'resnet-50'$/,
    );
    const v1Registry = withJson(bytes, (json) => ({ ...json, version: 1, architecture: { registry: 'd2l-nin' } }));
    assert.throws(
      () => decodeTrainingCheckpoint(v1Registry),
      /^TrainingCheckpointError: damaged training checkpoint: architecture must be \{ family, widths \}$/,
    );
    const later = withJson(bytes, (json) => ({ ...json, version: 4 }));
    assert.throws(
      () => decodeTrainingCheckpoint(later),
      /^TrainingCheckpointError: training checkpoint version 4; this nin-sdk reads versions 1, 2, 3$/,
    );
    const gap = withJson(bytes, (json) => {
      const tensors = json['tensors'] as Array<{ offset: number }>;
      return { ...json, tensors: tensors.map((t, i) => (i === 1 ? { ...t, offset: 601 } : t)) };
    });
    assert.throws(
      () => decodeTrainingCheckpoint(gap),
      /^TrainingCheckpointError: damaged training checkpoint: tensor classifier\.0\.bias: offset should be 600$/,
    );
  });
});

describe('a registry architecture in the checkpoint', () => {
  // rasbt's BatchNorm NIN, fine-tuned as its folded convs: a registry entry that is not a NIN family.
  const start = fineTuneStart(
    readCheckpoint(readFileSync(join(FIXTURES, 'arch', 'rasbt-nin-batchnorm-small.pth'))).tensors,
  );
  const entry = architectureById('rasbt-nin-batchnorm')!;
  const optimizer = {
    ...tinyOptimizer('sgd'),
    groups: [{ name: 'all', parameters: start.tensors.map((t) => t.name), lr: 0.01, weightDecay: 0 }],
  };
  const checkpoint = initialModelCheckpoint({ registry: entry.id }, start.tensors, optimizer, start.parameters);
  const bytes = encodeTrainingCheckpoint(checkpoint);

  /** The eval model's logits for a fixed batch of two: what the architecture computes with these weights. */
  async function logits(state: TrainingCheckpoint): Promise<Float32Array> {
    const session = await TrainingSession.fromCheckpoint(state, sessionOptions);
    try {
      const input = new ort.Tensor('float32', pseudoRandom(2 * 3 * 32 * 32, 9), [2, 3, 32, 32]);
      const labels = new ort.Tensor('float32', new Float32Array(20).fill(0.1), [2, 10]);
      return (await session.runEvalStep({ input, labels })).logits;
    } finally {
      await session.release();
    }
  }

  it('is stored whole, as --arch JSON, beside its id: a spec named by id only is written out too', () => {
    const json = JSON.parse(strFromU8(unzipSync(bytes)['checkpoint.json']!)) as { architecture: unknown };
    assert.deepEqual(json.architecture, { registry: 'rasbt-nin-batchnorm', architecture: architectureToJson(entry) });
    const decoded = decodeTrainingCheckpoint(bytes).architecture;
    assert.ok('registry' in decoded && decoded.architecture !== undefined);
    assert.equal(decoded.registry, 'rasbt-nin-batchnorm');
    assert.deepEqual(architectureToJson(decoded.architecture), architectureToJson(entry));
  });

  it('stays loadable, the same network, when the registry no longer has it', async () => {
    const retired = withJson(bytes, (json) => {
      const { architecture } = json['architecture'] as { architecture: Record<string, unknown> };
      return {
        ...json,
        architecture: { registry: 'retired-nin', architecture: { ...architecture, id: 'retired-nin' } },
      };
    });
    assert.equal(architectureById('retired-nin'), undefined);
    const decoded = decodeTrainingCheckpoint(retired);
    assert.equal('registry' in decoded.architecture && decoded.architecture.registry, 'retired-nin');
    assertBitEqual(await logits(decoded), await logits(checkpoint), 'logits');
  });

  it('reads a version 2 file, which names the entry only, from the registry', async () => {
    const v2 = withJson(bytes, (json) => ({ ...json, version: 2, architecture: { registry: 'rasbt-nin-batchnorm' } }));
    const decoded = decodeTrainingCheckpoint(v2);
    assert.deepEqual(decoded.architecture, { registry: 'rasbt-nin-batchnorm' });
    assertBitEqual(await logits(decoded), await logits(checkpoint), 'logits');
    const unknown = withJson(bytes, (json) => ({ ...json, version: 2, architecture: { registry: 'retired-nin' } }));
    assert.throws(
      () => decodeTrainingCheckpoint(unknown),
      /^TrainingCheckpointError: damaged training checkpoint: unknown architecture 'retired-nin'$/,
    );
    const mislabelled = withJson(bytes, (json) => ({
      ...json,
      architecture: { ...(json['architecture'] as Record<string, unknown>), registry: 'd2l-nin' },
    }));
    assert.throws(
      () => decodeTrainingCheckpoint(mislabelled),
      /^TrainingCheckpointError: damaged training checkpoint: architecture: the stored entry is 'rasbt-nin-batchnorm', not 'd2l-nin'$/,
    );
  });
});
