import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMAGENET_LABELS } from '../../src/architectures/labels/imagenet.js';
import { NIN_SDK_VERSION } from '../../src/version.js';
import { ROOT } from '../support/fixtures.js';
import { IMAGENET_CLASSES_TXT, imagenetClassesMissing } from '../support/prerequisites.js';

test(
  'the shipped ImageNet labels equal ../shared/data/imagenet-classes.txt',
  { skip: imagenetClassesMissing() },
  () => {
    const source = readFileSync(IMAGENET_CLASSES_TXT, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    assert.deepEqual([...IMAGENET_LABELS], source);
  },
);

test('the version in code is the package version', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(NIN_SDK_VERSION, pkg.version);
});
