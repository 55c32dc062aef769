/**
 * The shape of a classification: a plain object of the top classes (label, index, probability, most probable
 * first) and the execution provider that computed them, which JSON keeps whole.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify } from '../../src/index.js';
import { FIXTURES } from '../support/fixtures.js';

const CAT = join(FIXTURES, 'images', 'cifar10', 'cat-0000.jpg');

test('classify gives { top, provider }: the ranked classes and the provider, both surviving JSON.stringify', async () => {
  const result = await classify(CAT, { top: 2 });
  assert.deepEqual(Object.keys(result).sort(), ['provider', 'top']);
  assert.equal(result.provider, 'cpu');
  // The embedded int8 model on CPU: cat 99.3 %, dog 0.66 % (far from any tie).
  assert.deepEqual(
    result.top.map((p) => [p.label, p.index]),
    [
      ['cat', 3],
      ['dog', 5],
    ],
  );
  for (const p of result.top) assert.deepEqual(Object.keys(p).sort(), ['index', 'label', 'probability']);
  assert.ok(Math.abs(result.top[0]!.probability - 0.9933) < 1e-3, String(result.top[0]!.probability));
  assert.ok(Math.abs(result.top[1]!.probability - 0.0066) < 1e-3, String(result.top[1]!.probability));
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
});
