/**
 * One reading of a PyTorch checkpoint for every reader (issue 28, item 8): `nin-sdk train --from`, `nin-sdk info` and
 * nin-sdk/web's converter say what nin-convert says of the same file (took, ignored, assumed), word for word, and a
 * fine-tuned model records the preprocessing nin-convert writes for it (a kuangliu/pytorch-cifar `{'net': …}` file
 * is normalised as that script normalises, not as the cifar10 entry does).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readOnnx } from '../../src/graph/index.js';
import { convertCheckpoint } from '../../src/web/index.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { sourceCli } from '../support/source-cli.js';
import { cifarFolders } from '../train-session/cifar-folders.js';

const KUANGLIU_FORK = join(FIXTURES, 'arch', 'kuangliu-fork-ckpt.pth');
const COUNTER = join(FIXTURES, 'containers', 'model-state-counter.pth');

function cli(command: 'nin-convert' | 'nin-sdk', ...args: string[]) {
  const result = spawnSync(process.execPath, [...sourceCli(command), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The stderr lines that start with `prefix`, without it. */
function linesOf(stderr: string, prefix: string): string[] {
  return stderr.split('\n').flatMap((line) => (line.startsWith(prefix) ? [line.slice(prefix.length)] : []));
}

const READING = /^(took |ignored: |assumed: )/;

describe('every reader of a checkpoint says what nin-convert says', () => {
  let data: Awaited<ReturnType<typeof cifarFolders>>;
  before(async () => {
    data = await cifarFolders(1, 0);
  });
  after(() => rmSync(data.root, { recursive: true, force: true }));

  for (const [name, file, first] of [
    ["{'net', 'acc', 'epoch'}", KUANGLIU_FORK, ["took checkpoint['net']"]],
    [
      'a pickled collections.Counter beside the weights',
      COUNTER,
      ["took checkpoint['model_state']", 'ignored: collections.Counter'],
    ],
  ] as const) {
    it(`train --from ${name}: the same lines, the same preprocessing in best.onnx`, () => {
      const converted = join(data.root, `${first.length}.onnx`);
      const convert = cli('nin-convert', file, converted, '--quiet');
      assert.equal(convert.code, 0, convert.stderr);
      const said = linesOf(convert.stderr, 'nin-convert: ');
      assert.deepEqual(said.slice(0, first.length), first);
      assert.ok(said.length > first.length && said.every((line) => READING.test(line)), convert.stderr);

      const out = join(data.root, `run-${first.length}`);
      const args = ['--data', data.train, '--test', data.train, '--epochs', '1', '--batch', '10', '--out', out];
      const train = cli('nin-sdk', 'train', '--from', file, ...args);
      assert.equal(train.code, 0, train.stderr);
      assert.deepEqual(
        linesOf(train.stderr, 'nin-sdk train: ').filter((line) => READING.test(line)),
        said,
      );
      const written = readOnnx(readFileSync(converted)).metadata;
      const fineTuned = readOnnx(readFileSync(join(out, 'best.onnx'))).metadata;
      assert.deepEqual(JSON.parse(fineTuned['nin.preprocessing']!), JSON.parse(written['nin.preprocessing']!));
      if (file === KUANGLIU_FORK)
        assert.deepEqual(JSON.parse(fineTuned['nin.preprocessing']!).std, [0.2023, 0.1994, 0.201]);
    });
  }

  it('info on a .pth: the architecture, then the lines nin-convert prints, the labels and the preprocessing', () => {
    const convert = cli('nin-convert', COUNTER, join(data.root, 'info.onnx'), '--quiet');
    const info = cli('nin-sdk', 'info', COUNTER);
    assert.equal(info.code, 0, info.stderr);
    const lines = info.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^checkpoint: {4}.*model-state-counter\.pth \(\d+\.\d MB, zip\)$/);
    assert.match(
      lines[1]!,
      /^architecture: {2}yangqiongyongyu-nin \(yangqiongyongyu Network-In-Network-Pytorch \(CIFAR-10\)\), 8,046 parameters, 10 classes$/,
    );
    assert.deepEqual(
      lines.filter((line) => READING.test(line)),
      linesOf(convert.stderr, 'nin-convert: '),
    );
    assert.match(info.stdout, /\nlabels: {8}airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck\n/);
    const json = cli('nin-sdk', 'info', COUNTER, '--json');
    assert.equal(json.code, 0, json.stderr);
    const record = JSON.parse(json.stdout) as { architecture: string; taken: string; ignored: string[] };
    assert.deepEqual(
      [record.architecture, record.taken, record.ignored],
      ['yangqiongyongyu-nin', "took checkpoint['model_state']", ['collections.Counter']],
    );
    const refused = cli('nin-sdk', 'info', join(FIXTURES, 'containers', 'model-and-ema.pth'));
    assert.deepEqual([refused.code, refused.stdout], [1, '']);
    assert.match(
      refused.stderr,
      /^nin-sdk: .*model-and-ema\.pth: 2 state_dicts in this checkpoint fit: .*pick one with --key\n$/,
    );
    assert.equal(cli('nin-sdk', 'info', join(FIXTURES, 'containers', 'model-and-ema.pth'), '--key', 'ema').code, 0);
    const other = join(FIXTURES, 'checkpoints', 'other-arch.pth');
    const notNin = cli('nin-sdk', 'info', other);
    assert.equal(notNin.code, 1);
    assert.match(
      notNin.stderr,
      /^nin-sdk: .*other-arch\.pth: not a Network-in-Network checkpoint: .* If the keys were renamed, name the architecture with --arch cifar10\|imagenet\n$/,
    );
  });

  it("nin-sdk/web's converter returns the same lines, in the same order", async () => {
    for (const file of [KUANGLIU_FORK, COUNTER]) {
      const convert = cli('nin-convert', file, join(data.root, 'web.onnx'), '--quiet');
      const result = await convertCheckpoint(readFileSync(file), { fileName: file });
      assert.deepEqual(result.lines, linesOf(convert.stderr, 'nin-convert: '));
      assert.deepEqual(result.metadata.ignored, file === COUNTER ? ['collections.Counter'] : undefined);
    }
  });
});
