import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { convertCheckpoint } from '../../src/convert/index.js';
import {
  argmaxRows,
  CHECKPOINTS,
  LARGE_FIXTURES,
  largeManifest,
  maxAbsDiff,
  readFloat32,
  readManifest,
  readReference,
  type ManifestEntry,
} from '../support/fixtures.js';
import { largeFixturesMissing } from '../support/prerequisites.js';

const TOLERANCE = 1e-4;

/** Converts a fixture checkpoint, runs it on ONNX Runtime (CPU) and compares with PyTorch's outputs. */
async function checkParity(entry: ManifestEntry, folder: string, referenceFolder: string): Promise<void> {
  const converted = await convertCheckpoint(readFileSync(join(folder, entry.file)));
  assert.equal(converted.family.id, entry.family);
  assert.equal(converted.checkpointFormat, entry.format);
  const reference = readReference(entry.reference!, referenceFolder);
  const session = await ort.InferenceSession.create(converted.onnx);
  try {
    const input = new ort.Tensor('float32', readFloat32(reference.input, referenceFolder), reference.input.shape);
    const outputs = await session.run({ input });
    const logits = outputs['logits']!;
    const probabilities = outputs['probabilities']!;
    assert.deepEqual(logits.dims, reference.logits.shape);
    assert.deepEqual(probabilities.dims, reference.probabilities.shape);
    const expectedLogits = readFloat32(reference.logits, referenceFolder);
    const expectedProbabilities = readFloat32(reference.probabilities, referenceFolder);
    const logitsDiff = maxAbsDiff(logits.data as Float32Array, expectedLogits);
    const probabilitiesDiff = maxAbsDiff(probabilities.data as Float32Array, expectedProbabilities);
    assert.ok(logitsDiff <= TOLERANCE, `logits differ from PyTorch's by ${logitsDiff}`);
    assert.ok(probabilitiesDiff <= TOLERANCE, `probabilities differ from PyTorch's by ${probabilitiesDiff}`);
    // ImageNet probabilities are ~1e-3 each, where an absolute 1e-4 says little: the ranking must agree too.
    const classes = reference.logits.shape[1]!;
    assert.deepEqual(
      argmaxRows(probabilities.data as Float32Array, classes),
      argmaxRows(expectedProbabilities, classes),
    );
  } finally {
    await session.release();
  }
}

describe('ONNX Runtime outputs of converted fixtures equal PyTorch outputs', () => {
  for (const entry of readManifest().filter((e) => e.reference !== null)) {
    test(`${entry.file} (${entry.format}, ${entry.dtype})`, () =>
      checkParity(entry, CHECKPOINTS, join(CHECKPOINTS, '..', 'reference')));
  }

  describe('full width', { skip: largeFixturesMissing() }, () => {
    for (const entry of largeManifest() ?? []) {
      test(`${entry.file} (${entry.format})`, () =>
        checkParity(entry, LARGE_FIXTURES, join(LARGE_FIXTURES, '..', 'reference')));
    }
  });
});
