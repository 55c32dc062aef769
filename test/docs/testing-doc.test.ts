/**
 * docs/testing.md lists every test file in its tier, as scripts/test-tiers.mjs decides it: the committed list is the
 * one `npm run docs:testing` writes, and the E2E list names no file that is gone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allTestFiles, staleE2eEntries } from '../../scripts/test-tiers.mjs';
import { MARKER, TESTING_DOC, testingDoc } from '../../scripts/testing-doc.mjs';

test('docs/testing.md is what `npm run docs:testing` writes from the tier list', () => {
  const committed = readFileSync(TESTING_DOC, 'utf8');
  assert.ok(committed.includes(MARKER), 'docs/testing.md has lost its generated part');
  assert.ok(committed === testingDoc(committed), 'docs/testing.md is stale: run `npm run docs:testing` and commit it');
  for (const file of allTestFiles()) assert.ok(committed.includes(`| \`${file}\` |`), file);
});

test('every E2E entry of scripts/test-tiers.mjs matches a test file', () => {
  assert.deepEqual(staleE2eEntries(), []);
});
