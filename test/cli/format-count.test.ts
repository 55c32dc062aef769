import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount } from '../../src/cli/format-count.js';

test('formatCount groups digits as en-US does', () => {
  for (const value of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 7_595_176, -1234, -999, Number.MAX_SAFE_INTEGER]) {
    assert.equal(formatCount(value), value.toLocaleString('en-US'), String(value));
  }
  assert.equal(formatCount(7_595_176), '7,595,176');
});

test('formatCount leaves what is not a safe integer as String() writes it', () => {
  assert.equal(formatCount(1.5), '1.5');
  assert.equal(formatCount(Number.NaN), 'NaN');
  assert.equal(formatCount(1e21), '1e+21');
});
