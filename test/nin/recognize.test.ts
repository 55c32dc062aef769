import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ArchitectureError, convertCheckpoint, recognizeArchitecture } from '../../src/convert/index.js';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { CHECKPOINTS } from '../support/fixtures.js';
import { ninOfTensors } from '../support/nin-architecture.js';

const shapes = (entries: [string, number[]][]) => new Map(entries.map(([key, shape]) => [key, { shape }]));

/** The shapes of a CIFAR-family state_dict with the given widths, under `prefix`. */
function cifarShapes(
  prefix: string,
  widths = [192, 160, 96, 192, 192, 192, 192, 192, 10],
): Map<string, { shape: number[] }> {
  const kernels = [5, 1, 1, 5, 1, 1, 3, 1, 1];
  const indices = [0, 2, 4, 8, 10, 12, 16, 18, 20];
  let inChannels = 3;
  const entries: [string, number[]][] = [];
  indices.forEach((index, n) => {
    entries.push(
      [`${prefix}${index}.weight`, [widths[n]!, inChannels, kernels[n]!, kernels[n]!]],
      [`${prefix}${index}.bias`, [widths[n]!]],
    );
    inChannels = widths[n]!;
  });
  return shapes(entries);
}

describe('recognizing the pytorch-nin entries (the registry, as --family names them)', () => {
  test('finds the CIFAR entry under classifier., as a bare Sequential, and by order with --family', () => {
    const contained = recognizeArchitecture(cifarShapes('classifier.'));
    assert.deepEqual([contained.architecture.id, contained.matchedBy], ['cifar10', 'keys']);
    assert.equal(contained.keyOf.get('classifier.8.weight'), 'classifier.8.weight');
    const bare = recognizeArchitecture(cifarShapes(''));
    assert.deepEqual([bare.architecture.id, bare.matchedBy], ['cifar10', 'keys']);
    assert.equal(bare.keyOf.get('classifier.8.weight'), '8.weight');
    const renamed = new Map(
      [...cifarShapes('classifier.')].map(([key, value]) => [key.replace('classifier.', 'net.layer'), value]),
    );
    // Other names, the shapes of several entries: no guess.
    assert.throws(() => recognizeArchitecture(renamed), ArchitectureError);
    const byOrder = recognizeArchitecture(renamed, { family: 'cifar10' });
    assert.deepEqual([byOrder.architecture.id, byOrder.matchedBy], ['cifar10', 'by-order']);
    assert.equal(byOrder.keyOf.get('classifier.8.weight'), 'net.layer8.weight');
    assert.match(byOrder.assumptions.join('\n'), /took the layers of cifar10 as given by --family/);
  });

  test('--family takes the pytorch-nin ids only, as before', () => {
    assert.throws(() => recognizeArchitecture(cifarShapes('classifier.'), { family: 'pytorchcv-nin-cifar10' }), {
      name: 'ArchitectureError',
      message: "unknown family 'pytorchcv-nin-cifar10': should be one of cifar10, imagenet",
    });
  });

  test('reads channel counts from the weights, so width variants are recognised', () => {
    const tensors = cifarShapes('classifier.', [32, 24, 16, 32, 32, 32, 32, 32, 10]);
    assert.deepEqual(
      ninOfTensors(tensors).convs.map((c) => c.outChannels),
      [32, 24, 16, 32, 32, 32, 32, 32, 10],
    );
    assert.equal(recognizeArchitecture(tensors).classCount, 10);
  });

  test("a kernel size that is not the family's is named precisely", () => {
    const wrong = cifarShapes('classifier.');
    wrong.set('classifier.16.weight', { shape: [192, 192, 5, 5] });
    assert.throws(() => recognizeArchitecture(wrong), {
      name: 'ArchitectureError',
      message:
        'classifier.16.weight has shape [192, 192, 5, 5] but pytorch-nin-cifar10 expects [out, 192, 3, 3] at layer 16',
    });
  });

  test('a broken channel chain is named precisely', () => {
    const wrong = cifarShapes('classifier.');
    wrong.set('classifier.2.weight', { shape: [160, 100, 1, 1] });
    assert.throws(() => recognizeArchitecture(wrong), {
      message:
        'classifier.2.weight has shape [160, 100, 1, 1] but pytorch-nin-cifar10 expects [out, 192, 1, 1] at layer 2',
    });
  });

  test('a state_dict of another architecture says what was expected, what was found, and how to name the family', async () => {
    await assert.rejects(convertCheckpoint(readFileSync(join(CHECKPOINTS, 'other-arch.pth'))), {
      name: 'ArchitectureError',
      message:
        'not a Network-in-Network checkpoint: expected keys of pytorch-nin-cifar10: classifier.0.weight, classifier.0.bias, ' +
        'classifier.2.weight, classifier.2.bias, … (18 keys) or pytorch-nin (ImageNet): features.0.weight, features.0.bias, ' +
        'features.2.weight, features.2.bias, … (24 keys); found conv1.weight, bn1.weight, bn1.bias, bn1.running_mean, … (20 keys). ' +
        "If the keys were renamed, name the family in the family option: 'cifar10' or 'imagenet'",
    });
  });

  test("naming the wrong family explicitly fails with that family's expectations", () => {
    const checkpoint = readCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')));
    assert.throws(() => recognizeArchitecture(checkpoint.tensors, { family: 'imagenet' }), {
      message:
        'not a imagenet checkpoint: expected features.0.weight, features.0.bias, features.2.weight, features.2.bias, … (24 keys), ' +
        'or the same tensors renamed in layer order; found classifier.0.weight, classifier.0.bias, classifier.2.weight, classifier.2.bias, … (18 keys)',
    });
  });

  test("a class count other than the labels' is refused with the fix", async () => {
    const bytes = readFileSync(join(CHECKPOINTS, 'cifar-small.pth'));
    await assert.rejects(convertCheckpoint(bytes, { labels: ['a', 'b'] }), {
      message: "the checkpoint's last convolution has 10 outputs but 2 labels were given",
    });
  });
});
