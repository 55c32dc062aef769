/**
 * The full `--arch my-net.json` example (in docs/architectures.md; the README links to it) must be the file the
 * tests convert and compare with PyTorch (fixtures/arch/kuangliu-style-nin.json, test/nin/architectures.test.ts and
 * test/cli/nin-convert-arch.test.ts), so that the documented example is known to work.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, ROOT } from '../support/fixtures.js';

test('the documented --arch example is fixtures/arch/kuangliu-style-nin.json', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'architectures.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Your own network: `--arch my-net.json`'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block, 'a json block in the --arch section');
  assert.deepEqual(
    JSON.parse(block[1]!),
    JSON.parse(readFileSync(join(FIXTURES, 'arch', 'kuangliu-style-nin.json'), 'utf8')),
  );
  assert.match(
    section,
    /npx nin-convert fixtures\/arch\/kuangliu-style-ckpt\.pth my-net\.onnx --arch fixtures\/arch\/kuangliu-style-nin\.json/,
  );
});
