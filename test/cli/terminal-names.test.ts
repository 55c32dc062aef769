/**
 * Names that come from the input (class folders, image files) reach the terminal with their control characters
 * escaped, whatever the command prints them in: eval's and train's error lines, predict's result lines.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, ROOT } from '../support/fixtures.js';

const NIN_SDK = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');
/** Clears the screen: a folder name an attacker chose. */
const HOSTILE = '\u001b[2Jcat';
const SHOWN = '\\u001b[2Jcat';

function sdk(...args: string[]) {
  const result = spawnSync(process.execPath, [NIN_SDK, ...args], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A dataset folder with one class folder named HOSTILE holding one cat image. */
function hostileDataset(): string {
  const root = mkdtempSync(join(tmpdir(), 'nin-terminal-names-'));
  mkdirSync(join(root, HOSTILE));
  copyFileSync(join(FIXTURES, 'images', 'cat.jpg'), join(root, HOSTILE, 'cat.jpg'));
  return root;
}

describe('names from the input are escaped on the terminal (built CLI)', () => {
  const dataset = hostileDataset();

  test("eval: a class folder that is not one of the model's labels is named with its escape sequence shown", () => {
    assert.deepEqual(sdk('eval', dataset), {
      code: 2,
      stdout: '',
      stderr:
        `nin-sdk: ${SHOWN}/cat.jpg: class folder '${SHOWN}' is not one of the model's labels (airplane, ` +
        'automobile, bird, cat, deer, dog, frog, horse, ship, truck) (see nin-sdk --help)\n',
    });
  });

  test("train: the data's class names in an error line", () => {
    // One class, allowed, so that the widths check names it (the class-count lines before it name it too).
    const result = sdk(
      'train',
      ...['--data', dataset, '--allow-one-class', '--widths', '8,8,8,8,8,8,8,8,5', '--out', join(dataset, 'run')],
    );
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr.split('\n').at(-2),
      `nin-sdk: --widths ends in 5 classes, but the data has 1 (${SHOWN}) (see nin-sdk --help)`,
    );
    assert.doesNotMatch(result.stderr, /\u001b/);
  });

  test('predict: the file name in the result line', () => {
    const result = sdk('predict', join(dataset, HOSTILE));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^\\S*${SHOWN.replace(/[\\[]/g, '\\$&')}/cat\\.jpg {2}cat \\d+\\.\\d%`));
    assert.doesNotMatch(result.stdout + result.stderr, /\u001b/);
  });
});
