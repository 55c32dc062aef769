/** Numbers in the log as Python's str.format writes them (values checked against CPython 3). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pythonFixed, pythonRepr, testLogLine, trainLogLine } from '../../src/train/loop/log-format.js';

it("'{:.Nf}': exact ties round to even, everything else as toFixed", () => {
  // '{:.0f}'.format(12.5) == '12', 13.5 → '14', 0.5 → '0', 2.675 (really 2.67499…) → '2.67' at 2 digits.
  assert.deepEqual(
    [pythonFixed(12.5, 0), pythonFixed(13.5, 0), pythonFixed(0.5, 0), pythonFixed(2.675, 2)],
    ['12', '14', '0', '2.67'],
  );
  assert.deepEqual(
    [pythonFixed(12.125, 2), pythonFixed(12.375, 2), pythonFixed(-0.125, 2), pythonFixed(2.302401234, 6)],
    ['12.12', '12.38', '-0.12', '2.302401'],
  );
});

it("repr: shortest round-trip digits, Python's notation", () => {
  assert.deepEqual([0.2, 0.1 * 0.2, 1, 1e-4, 1e-5, 2e-7, 1e16, 123.456].map(pythonRepr), [
    '0.2',
    '0.020000000000000004',
    '1.0',
    '0.0001',
    '1e-05',
    '2e-07',
    '1e+16',
    '123.456',
  ]);
});

it('the two lines of pytorch-nin-cifar10', () => {
  assert.equal(
    trainLogLine({
      epoch: 1,
      batchIndex: 100,
      batchSize: 128,
      datasetSize: 50000,
      batchesPerEpoch: 391,
      loss: 2.3024011,
      learningRate: 0.2,
    }),
    'Train Epoch: 1 [12800/50000 (26%)]\tLoss: 2.302401\tLR: 0.2',
  );
  assert.equal(testLogLine(2.70081, 2161, 10000), 'Test set: Average loss: 2.7008, Accuracy: 2161/10000 (21.61%)');
});
