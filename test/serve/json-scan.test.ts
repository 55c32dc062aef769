import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exceedsJsonStructure, type JsonStructureLimits } from '../../src/serve/json-scan.js';

const LIMITS: JsonStructureLimits = { maxDepth: 3, maxContainers: 4, maxValues: 7 };
const scan = (text: string): ReturnType<typeof exceedsJsonStructure> => exceedsJsonStructure(Buffer.from(text), LIMITS);

test('the JSON structure scan counts nesting, containers and scalars; strings are skipped, escapes included', () => {
  assert.equal(scan('{"a": [1, 2.5e-3, -7], "b": [true, null]}'), undefined);
  assert.equal(scan('{"a": "[[[[{{{{ \\" ]]]] \\\\", "b": "é[ü"}'), undefined);
  assert.deepEqual(scan('[[[[]]]]'), { limit: 'maxDepth', count: 4 });
  assert.deepEqual(scan('[[],[],[],[]]'), { limit: 'maxContainers', count: 5 });
  assert.deepEqual(scan('[1,2,3,4,5,6,7,8]'), { limit: 'maxValues', count: 8 });
  assert.deepEqual(scan('{"a":1,"b":2,"c":3,"d":4}'), { limit: 'maxValues', count: 8 });
  // Depth is counted as it goes: closing brackets free their level.
  assert.equal(scan('[[[]],[]]'), undefined);
});
