/**
 * The training checkpoint file across versions: version 2 is keyed by parameter names and shapes (any architecture),
 * version 1 (a NIN's, written before generic training) is still read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import {
  CHECKPOINT_VERSION,
  decodeTrainingCheckpoint,
  encodeTrainingCheckpoint,
} from '../../src/train/checkpoint/format.js';
import { tinyCheckpoint } from './helpers.js';

/** The checkpoint's zip with checkpoint.json edited. */
function withJson(bytes: Uint8Array, edit: (json: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const entries = unzipSync(bytes);
  const json = JSON.parse(strFromU8(entries['checkpoint.json']!)) as Record<string, unknown>;
  return zipSync({ ...entries, 'checkpoint.json': strToU8(JSON.stringify(edit(json))) }, { level: 0 });
}

describe('training checkpoint format', () => {
  const checkpoint = tinyCheckpoint('sgd');
  const bytes = encodeTrainingCheckpoint(checkpoint);

  it('writes version 2 with every tensor by name, shape and offset', () => {
    const json = JSON.parse(strFromU8(unzipSync(bytes)['checkpoint.json']!)) as {
      version: number;
      tensors: Array<{ name: string; shape: number[]; offset: number }>;
    };
    assert.equal(json.version, CHECKPOINT_VERSION);
    assert.equal(json.version, 2);
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
    const later = withJson(bytes, (json) => ({ ...json, version: 3 }));
    assert.throws(
      () => decodeTrainingCheckpoint(later),
      /^TrainingCheckpointError: training checkpoint version 3; this nin-sdk reads versions 1, 2$/,
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
