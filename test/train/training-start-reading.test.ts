/**
 * readTrainingStart reads a PyTorch checkpoint as nin-convert does (readCheckpointModel), and says what nin-convert
 * would refuse to guess: a class count other than its entry's labels gets numbered labels, said as an assumption.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertCheckpoint } from '../../src/convert/index.js';
import {
  architectureFromWidths,
  exportPytorchCheckpoint,
  initialParameters,
  NIN_CIFAR10,
} from '../../src/train/index.js';
import { readTrainingStart } from '../../src/train/training-start.js';

describe('readTrainingStart on a PyTorch checkpoint', () => {
  const five = architectureFromWidths(NIN_CIFAR10, [8, 8, 8, 8, 8, 8, 8, 8, 5]);
  const bytes = exportPytorchCheckpoint(initialParameters(five, 'he', 1));

  it('a class count other than the entry’s: numbered labels, said; nin-convert asks for --labels instead', async () => {
    const start = readTrainingStart(bytes, 'five.pth');
    assert.deepEqual(start.labels, ['class_0', 'class_1', 'class_2', 'class_3', 'class_4']);
    assert.deepEqual(start.architecture, { family: 'cifar10', widths: [8, 8, 8, 8, 8, 8, 8, 8, 5] });
    assert.equal(start.taken, "took checkpoint['state_dict']");
    assert.equal(
      start.assumptions.at(-1),
      "labels: class_0, class_1, …, class_4 (the checkpoint has 5 classes, the cifar10 entry's labels are 10; class " +
        'names are not in a checkpoint): override with --labels <file>',
    );
    await assert.rejects(convertCheckpoint(bytes), {
      name: 'ArchitectureError',
      message:
        "the checkpoint's last convolution has 5 outputs but 10 labels were given (the pytorch-nin-cifar10 defaults); " +
        'pass 5 labels in the labels option',
    });
  });

  it('labels given: taken, not assumed; the same assumptions as nin-convert with them', async () => {
    const labels = ['a', 'b', 'c', 'd', 'e'];
    const start = readTrainingStart(bytes, 'five.pth', { labels });
    assert.deepEqual(start.labels, labels);
    assert.deepEqual(start.assumptions, (await convertCheckpoint(bytes, { labels })).assumptions);
    assert.ok(!start.assumptions.some((line) => line.startsWith('labels:')));
    assert.throws(() => readTrainingStart(bytes, 'five.pth', { labels: ['a'] }), {
      name: 'ArchitectureError',
      message: "five.pth: the checkpoint's last convolution has 5 outputs but 1 labels were given",
    });
  });
});
