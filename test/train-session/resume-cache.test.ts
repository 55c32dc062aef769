/**
 * Two training papercuts, on ten images and a NIN of width 8 (built CLI): the first resume read
 * --data again into a second cache file, and runs of fewer than 20 batches drew no progress at all.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { scriptMissing } from '../support/prerequisites.js';

const CLI = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');
const TINY = ['--widths', '8,8,8,8,8,8,8,8', '--batch', '4'];

function tenImages(): string {
  const root = mkdtempSync(join(tmpdir(), 'nin-resume-cache-'));
  for (const file of readdirSync(join(FIXTURES, 'images', 'cifar10'))) {
    const [className, number] = file.split('-') as [string, string];
    mkdirSync(join(root, 'data', className), { recursive: true });
    copyFileSync(join(FIXTURES, 'images', 'cifar10', file), join(root, 'data', className, number));
  }
  return root;
}

describe('nin-sdk train: cache and progress', () => {
  it('a resume reads the cache its start wrote: one cache file, no second decode', () => {
    const root = tenImages();
    const train = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [CLI, 'train', '--data', join(root, 'data'), ...TINY, '--out', join(root, 'run'), ...args],
        { encoding: 'utf8' },
      );
    const first = train('--epochs', '1');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /: 10 images of 10 classes \(decoded in \d+\.\d s\)\n/);
    const resumed = train('--epochs', '2');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(
      resumed.stderr,
      /: 10 images of 10 classes \(from the cache in \d+\.\d s\)\nnin-sdk train: training images by class: airplane 1, automobile 1, bird 1, cat 1, deer 1, dog 1, frog 1, horse 1, ship 1, truck 1\nnin-sdk train: resuming /,
    );
    assert.equal(readdirSync(join(root, 'run', 'cache')).length, 1);
  });

  it('on a terminal, a run of three batches draws its bar', { skip: scriptMissing() }, () => {
    const root = tenImages();
    const command = `${process.execPath} ${CLI} train --data ${join(root, 'data')} ${TINY.join(' ')} --epochs 1 --out ${join(root, 'run')}`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /\rbatches \[#{10}\.{20}\] 1\/3 (\d+(\.\d)?\/s|…) /);
  });
});
