import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  pytorchPool2dPads,
  pytorchPoolAxisPads,
  pytorchPoolOutputSize,
} from '../../src/architectures/pytorch-ops/index.js';

describe('pytorchPoolOutputSize', () => {
  it('follows the ImageNet NIN chain 54 → 27 → 13 → 6 → 1 with ceil_mode', () => {
    // features.3, .10, .17: MaxPool2d(3, stride=2, ceil_mode=True); features.28: AvgPool2d(6, stride=1, ceil_mode=True)
    const maxPool = (n: number) =>
      pytorchPoolOutputSize({ inputSize: n, kernel: 3, stride: 2, padding: 0, ceilMode: true });
    assert.equal(maxPool(54), 27);
    assert.equal(maxPool(27), 13);
    assert.equal(maxPool(13), 6);
    assert.equal(pytorchPoolOutputSize({ inputSize: 6, kernel: 6, stride: 1, padding: 0, ceilMode: true }), 1);
    // floor mode would lose a row at the first pool
    assert.equal(pytorchPoolOutputSize({ inputSize: 54, kernel: 3, stride: 2, padding: 0, ceilMode: false }), 26);
  });

  it('follows the CIFAR NIN chain 32 → 16 → 8 → 1', () => {
    assert.equal(pytorchPoolOutputSize({ inputSize: 32, kernel: 3, stride: 2, padding: 1, ceilMode: false }), 16);
    assert.equal(pytorchPoolOutputSize({ inputSize: 16, kernel: 3, stride: 2, padding: 1, ceilMode: false }), 8);
    assert.equal(pytorchPoolOutputSize({ inputSize: 8, kernel: 8, stride: 1, padding: 0, ceilMode: false }), 1);
  });

  it('drops a last ceil-mode window that would start in the padding', () => {
    // ceil((5 + 2 − 2) / 2) + 1 = 4 windows, but the 4th would start at 3·2 − 1 = 5, past the input's
    // last index 4, entirely in the padding: PyTorch drops it (the textbook ceil formula would not)
    assert.equal(pytorchPoolOutputSize({ inputSize: 5, kernel: 2, stride: 2, padding: 1, ceilMode: true }), 3);
    assert.equal(pytorchPoolOutputSize({ inputSize: 5, kernel: 2, stride: 2, padding: 1, ceilMode: false }), 3);
    assert.equal(pytorchPoolOutputSize({ inputSize: 6, kernel: 3, stride: 2, padding: 1, ceilMode: true }), 4);
  });

  it('refuses what PyTorch refuses', () => {
    assert.throws(() => pytorchPoolOutputSize({ inputSize: 8, kernel: 3, stride: 2, padding: 2, ceilMode: false }), {
      message: 'pytorchPool: padding 2 is more than half of the kernel 3, which PyTorch refuses',
    });
    assert.throws(() => pytorchPoolOutputSize({ inputSize: 2, kernel: 3, stride: 1, padding: 0, ceilMode: true }), {
      message: 'pytorchPool: input size 2 with padding 0 is smaller than the kernel 3',
    });
    assert.throws(() => pytorchPoolOutputSize({ inputSize: 8, kernel: 3, stride: 0, padding: 0, ceilMode: true }), {
      message: 'pytorchPool: stride must be an integer ≥ 1, got 0',
    });
  });
});

describe('pytorchPoolAxisPads', () => {
  it('writes ceil_mode as an extra end pad', () => {
    assert.deepEqual(pytorchPoolAxisPads({ inputSize: 54, kernel: 3, stride: 2, padding: 0, ceilMode: true }), {
      outputSize: 27,
      padBegin: 0,
      padEnd: 1,
      extraEnd: 1,
    });
    assert.deepEqual(pytorchPoolAxisPads({ inputSize: 27, kernel: 3, stride: 2, padding: 0, ceilMode: true }), {
      outputSize: 13,
      padBegin: 0,
      padEnd: 0,
      extraEnd: 0,
    });
    assert.deepEqual(pytorchPoolAxisPads({ inputSize: 6, kernel: 3, stride: 2, padding: 1, ceilMode: true }), {
      outputSize: 4,
      padBegin: 1,
      padEnd: 2,
      extraEnd: 1,
    });
  });

  it('needs no extra pad in floor mode, even where the formula would go negative', () => {
    assert.deepEqual(pytorchPoolAxisPads({ inputSize: 16, kernel: 3, stride: 2, padding: 1, ceilMode: false }), {
      outputSize: 8,
      padBegin: 1,
      padEnd: 1,
      extraEnd: 0,
    });
  });

  it('reproduces PyTorch sizes in ONNX floor mode for every small case', () => {
    for (let inputSize = 1; inputSize <= 20; inputSize++) {
      for (let kernel = 1; kernel <= 6; kernel++) {
        for (let stride = 1; stride <= 4; stride++) {
          for (let padding = 0; 2 * padding <= kernel; padding++) {
            for (const ceilMode of [false, true]) {
              if (inputSize + 2 * padding < kernel) continue;
              const r = pytorchPoolAxisPads({ inputSize, kernel, stride, padding, ceilMode });
              const onnx = Math.floor((inputSize + r.padBegin + r.padEnd - kernel) / stride) + 1;
              assert.equal(onnx, r.outputSize, JSON.stringify({ inputSize, kernel, stride, padding, ceilMode }));
              assert.ok(r.extraEnd < stride, 'the extra pad is always less than one stride');
            }
          }
        }
      }
    }
  });
});

describe('pytorchPool2dPads', () => {
  it('gives ONNX [top, left, bottom, right] pads', () => {
    assert.deepEqual(pytorchPool2dPads({ inputSize: [54, 27], kernel: 3, stride: 2, ceilMode: true }), {
      outputSize: [27, 13],
      pads: [0, 0, 1, 0],
      extraEnd: [1, 0],
    });
  });
});
