/**
 * What a user meets on a mistake or a first look: exit codes, the exact words, `info`'s weight dtype,
 * and the eval progress bar's total on a real terminal.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHECKPOINTS, FIXTURES, ROOT } from '../support/fixtures.js';
import { scriptMissing } from '../support/prerequisites.js';

const NIN_SDK = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');
const NIN_CONVERT = join(ROOT, 'dist', 'src', 'cli', 'nin-convert.js');
const CAT = 'fixtures/images/cat.jpg';

function run(cli: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
const sdk = (...args: string[]) => run(NIN_SDK, ...args);

describe('CLI usage (built CLIs)', () => {
  test('bad usage exits 2 with one line, for every kind of mistake', () => {
    const usage = (stderr: string) => ({ code: 2, stdout: '', stderr });
    assert.deepEqual(
      sdk('predict', '--provider', 'tpu', CAT),
      usage(
        "nin-sdk: --provider should be one of cpu, cuda, webgpu or an ordered list of them like cuda,cpu, got 'tpu' (see nin-sdk --help)\n",
      ),
    );
    assert.deepEqual(
      sdk('eval', '--provider', 'cuda,gpu', 'fixtures/images'),
      usage(
        "nin-sdk: --provider should be one of cpu, cuda, webgpu or an ordered list of them like cuda,cpu, got 'gpu' (see nin-sdk --help)\n",
      ),
    );
    assert.deepEqual(
      sdk('train', '--data', 'fixtures/images', '--provider', 'tpu'),
      usage(
        "nin-sdk: --provider should be one of cpu, cuda, webgpu or an ordered list of them like cuda,cpu, got 'tpu' (see nin-sdk --help)\n",
      ),
    );
    // The image became --top's value: that is the mistake to name, not a missing image.
    assert.deepEqual(
      sdk('predict', '--top', CAT),
      usage(`nin-sdk: --top must be an integer from 1 to 1000, got '${CAT}' (see nin-sdk --help)\n`),
    );
    assert.deepEqual(
      sdk('predict', '--batch', '-1', CAT),
      usage("nin-sdk: --batch needs a value; write one that starts with '-' as --batch=<value> (see nin-sdk --help)\n"),
    );
    assert.deepEqual(
      sdk('predict', '--batch=-1', CAT),
      usage("nin-sdk: --batch must be an integer from 1 to 4096, got '-1' (see nin-sdk --help)\n"),
    );
    assert.deepEqual(sdk('predict', CAT, '--top'), usage('nin-sdk: --top needs a value (see nin-sdk --help)\n'));
  });

  test("nin-convert words the converter's remedy as its flag", () => {
    const { code, stderr } = run(
      NIN_CONVERT,
      join(CHECKPOINTS, 'other-arch.pth'),
      join(tmpdir(), 'never-written.onnx'),
    );
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^nin-convert: not a Network-in-Network checkpoint: .*\(20 keys\)\. If the keys were renamed, name the family with --family cifar10\|imagenet\n$/,
    );
  });

  test('a bare command prints its usage on stderr and exits 2; asked for, help goes to stdout with exit 0', () => {
    const bare = sdk();
    assert.equal(bare.code, 2);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /^Usage: nin-sdk <command> \[options\]\n/);
    const help = sdk('--help');
    assert.deepEqual([help.code, help.stderr, help.stdout], [0, '', bare.stderr]);

    const bareConvert = run(NIN_CONVERT);
    assert.equal(bareConvert.code, 2);
    assert.equal(bareConvert.stdout, '');
    assert.match(bareConvert.stderr, /^Usage: nin-convert <checkpoint\.pth> <out\.onnx> \[options\]\n/);
    const convertHelp = run(NIN_CONVERT, '--help');
    assert.deepEqual([convertHelp.code, convertHelp.stderr, convertHelp.stdout], [0, '', bareConvert.stderr]);
  });

  test('info shows how the weights are stored: float32, or float16 computed in float32', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nin-info-'));
    const half = join(dir, 'half.onnx');
    assert.equal(run(NIN_CONVERT, '-q', '--float16', join(CHECKPOINTS, 'cifar-small.pth'), half).code, 0);
    const info = sdk('info', half);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /\nweights: {7}float16 \(29,202 values\), computed in float32\n/);
    assert.match(sdk('info', '--dtype', 'fp32').stdout, /\nweights: {7}float32 \(966,986 values\)\n/);
    const json = JSON.parse(sdk('info', '--json', half).stdout) as { weights: unknown };
    assert.deepEqual(json.weights, [{ dtype: 'float16', values: 29202 }]);
  });

  test("eval on a terminal: the progress total is the dataset's size, not a guess", { skip: scriptMissing() }, () => {
    const root = mkdtempSync(join(tmpdir(), 'nin-eval-tty-'));
    for (const file of readdirSync(join(FIXTURES, 'images', 'cifar10'))) {
      const [className, number] = file.split('-') as [string, string];
      mkdirSync(join(root, className), { recursive: true });
      copyFileSync(join(FIXTURES, 'images', 'cifar10', file), join(root, className, number));
    }
    // script(1) gives the command a pseudo-terminal, where the bar is drawn (and where a total of 10,000 crashed).
    const command = `${process.execPath} ${NIN_SDK} eval ${root}`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', cwd: ROOT });
    assert.equal(result.status, 0, result.stdout);
    assert.match(result.stdout, /\reval \[#{30}\] 10\/10 \d+\/s /);
    assert.doesNotMatch(result.stdout, /\/10000/);
    assert.match(result.stdout, /Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/10 \(\d+\.\d\d%\)/);
  });
});
