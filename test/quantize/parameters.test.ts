import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  activationParameters,
  quantizeBias,
  quantizeWeightsPerChannel,
  roundHalfToEven,
} from '../../src/quantize/index.js';

describe('quantization parameters', () => {
  test('roundHalfToEven rounds ties to the even neighbour, as ONNX QuantizeLinear does', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfToEven), [0, 2, 2, -0, -2, -2, 2, 3]);
  });

  test('a ReLU range [0, max] gets zero point 0 and scale max/255 (rounded to float32)', () => {
    assert.deepEqual(activationParameters({ min: 0, max: 5.1 }, 'x'), { scale: Math.fround(5.1 / 255), zeroPoint: 0 });
  });

  test('a range across 0 is asymmetric, widened to include 0', () => {
    const p = activationParameters({ min: -2, max: 3 }, 'x');
    assert.equal(p.scale, Math.fround(5 / 255));
    assert.equal(p.zeroPoint, 102); // round(2 / (5/255)) = round(102.0)
    assert.deepEqual(activationParameters({ min: 1, max: 2 }, 'x'), { scale: Math.fround(2 / 255), zeroPoint: 0 });
    assert.deepEqual(activationParameters({ min: 0, max: 0 }, 'x'), { scale: 1, zeroPoint: 0 });
  });

  test('a tensor never observed (no finite range) is an error that names it', () => {
    assert.throws(() => activationParameters({ min: Infinity, max: -Infinity }, 'classifier.1.relu'), {
      message: 'quantize: classifier.1.relu has no finite calibrated range (min Infinity, max -Infinity)',
    });
  });

  test('weights: symmetric per output channel, max |w| maps to ±127, zero channels stay zero', () => {
    const w = Float32Array.from([0.5, -1, 0.25, 0, /* channel 1 */ 2, 1, -0.5, 0.004, /* channel 2 */ 0, 0, 0, 0]);
    const q = quantizeWeightsPerChannel(w, 3);
    assert.deepEqual([...q.scales], [Math.fround(1 / 127), Math.fround(2 / 127), 1]);
    assert.deepEqual([...q.data], [64, -127, 32, 0, 127, 64, -32, 0, 0, 0, 0, 0]);
  });

  test('bias: int32 at input scale × weight scale per channel', () => {
    const weightScales = Float32Array.from([0.01, 0.02]);
    const b = quantizeBias(Float32Array.from([0.3, -0.5]), 0.1, weightScales, 'bias b');
    assert.deepEqual([...b.scales], [Math.fround(0.1 * Math.fround(0.01)), Math.fround(0.1 * Math.fround(0.02))]);
    assert.deepEqual([...b.data], [300, -250]);
    assert.throws(
      () => quantizeBias(Float32Array.from([1e6]), 1e-6, Float32Array.from([1e-6]), 'bias b'),
      /^Error: quantize: bias b\[0\] = 1000000 does not fit int32/,
    );
  });
});
