/**
 * The training bench's fraction of the fp32 peak counts the multiply-adds a step really does: per image, each conv's
 * forward product and weight gradient, and its input gradient except for the first conv (the image needs none).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainingMultiplyAdds } from '../../bench/training-flops.js';
import { NIN_CIFAR10 } from '../../src/convert/index.js';
import { architectureFromWidths, ninForwardModel } from '../../src/train/index.js';

test('a full-width pytorch-nin-cifar10 training step is 652,713,984 multiply-adds an image', () => {
  const widths = [192, 160, 96, 192, 192, 192, 192, 192, 10];
  const forward = ninForwardModel(architectureFromWidths(NIN_CIFAR10, widths)).train;
  // Conv by conv: M · C · k² · Ho · Wo, × 2 for the first conv (forward, weight gradient), × 3 for the others.
  const perConv = [
    [192 * 3 * 25 * 1024, 2],
    [160 * 192 * 1024, 3],
    [96 * 160 * 1024, 3],
    [192 * 96 * 25 * 256, 3],
    [192 * 192 * 256, 3],
    [192 * 192 * 256, 3],
    [192 * 192 * 9 * 64, 3],
    [192 * 192 * 64, 3],
    [10 * 192 * 64, 3],
  ];
  const expected = perConv.reduce((sum, [macs, passes]) => sum + macs! * passes!, 0);
  assert.equal(expected, 652_713_984);
  assert.equal(trainingMultiplyAdds(forward), expected);
});
