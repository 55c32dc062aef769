/**
 * Issue 17 asks for a full `--arch my-net.json` example in the README. The one there must be the file the tests
 * convert and compare with PyTorch (fixtures/arch/kuangliu-style-nin.json, test/nin/architectures.test.ts and
 * test/cli/nin-convert-arch.test.ts), so that the README's example is known to work.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, ROOT } from '../support/fixtures.js';

test("the README's --arch example is fixtures/arch/kuangliu-style-nin.json", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Your own network: `--arch my-net.json`'));
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
