/**
 * Where `nin-sdk train` starts (prepareTraining, the CLI's start without its training loop): what a --from model
 * gives the run (preprocessing, assumptions said, frozen parameters, learning rates), checked against what the
 * converter and the checkpoint say.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertCheckpoint } from '../../converters/nin/index.js';
import { readCheckpoint } from '../../converters/pth/index.js';
import { writeCheckpoint } from '../../converters/pth/write/index.js';
import { parseTrainFlags, type TrainFlags } from '../../src/cli/commands/train-options.js';
import { prepareTraining, type TrainStart } from '../../src/cli/commands/train-start.js';
import { RunFolder } from '../../src/train/node/run-folder.js';
import { FIXTURES } from '../support/fixtures.js';
import { cifarFolders } from './cifar-folders.js';

const ARCH = join(FIXTURES, 'arch');
const KUANGLIU_FORK = join(ARCH, 'kuangliu-fork-ckpt.pth');

describe('nin-sdk train: the start of a run', () => {
  let data: Awaited<ReturnType<typeof cifarFolders>>;
  let runs = 0;
  before(async () => {
    data = await cifarFolders(1, 0);
  });
  after(() => rmSync(data.root, { recursive: true, force: true }));

  /** prepareTraining in a new run folder, with `--data` the ten-image set; the lines it says. */
  async function start(...args: string[]): Promise<TrainStart & { said: string[]; out: string }> {
    const out = join(data.root, `run-${runs++}`);
    const flags = parseTrainFlags(['--data', data.train, '--out', out, ...args]) as TrainFlags;
    const folder = new RunFolder(flags.out);
    await folder.create();
    const said: string[] = [];
    return { ...(await prepareTraining(flags, folder, (line) => said.push(line))), said, out };
  }

  it("a kuangliu/pytorch-cifar checkpoint trains on that script's normalisation, said as nin-convert says it", async () => {
    const run = await start('--from', KUANGLIU_FORK);
    const converted = await convertCheckpoint(readFileSync(KUANGLIU_FORK));
    const assumption =
      "the checkpoint is saved as kuangliu/pytorch-cifar's main.py saves it ({'net': …, 'acc', 'epoch'}): took that " +
      "script's normalisation (mean 0.4914, 0.4822, 0.4465, std 0.2023, 0.1994, 0.201) rather than the cifar10 entry's";
    assert.deepEqual(converted.assumptions, [assumption]);
    assert.deepEqual(
      run.said.filter((line) => line.startsWith('assumed: ')),
      [`assumed: ${assumption}`],
    );
    const { preprocessing } = run.checkpoint.progress;
    assert.deepEqual(preprocessing, converted.metadata.preprocessing);
    assert.deepEqual(
      [preprocessing.mean, preprocessing.std],
      [
        [0.4914, 0.4822, 0.4465],
        [0.2023, 0.1994, 0.201],
      ],
    );
    assert.deepEqual(run.checkpoint.architecture, { family: 'cifar10', widths: [16, 12, 8, 16, 16, 16, 16, 16, 10] });
  });

  it('the same tensors saved bare: the cifar10 entry’s normalisation, nothing assumed', async () => {
    const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    for (const [key, tensor] of readCheckpoint(readFileSync(KUANGLIU_FORK)).tensors)
      if (tensor.data instanceof Float32Array) tensors.set(key, { shape: tensor.shape, data: tensor.data });
    const bare = join(data.root, 'bare.pth');
    writeFileSync(bare, writeCheckpoint(tensors));
    const run = await start('--from', bare);
    assert.deepEqual(
      run.said.filter((line) => line.includes('assumed')),
      [],
    );
    assert.deepEqual(run.checkpoint.progress.preprocessing.std, [0.247, 0.2435, 0.2616]);
  });
});
