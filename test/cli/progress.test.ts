import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { formatRate, ProgressBar } from '../../src/cli/progress.js';
import { countLabeledImages, readLabeledImages } from '../../src/datasets/node/dataset.js';

/** A stand-in for a terminal's stderr that keeps what is drawn. */
function fakeTerminal(isTTY = true): { stream: NodeJS.WriteStream; drawn: string[] } {
  const drawn: string[] = [];
  const stream = { isTTY, write: (text: string) => drawn.push(text) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, drawn };
}

describe('ProgressBar', () => {
  it('draws on a terminal; a resumed run starts its rate at its position, and a new epoch starts it again', () => {
    const { stream, drawn } = fakeTerminal();
    const bar = new ProgressBar(40, 'batches', { startAt: 30, stream });
    bar.update(30);
    assert.equal(drawn.at(-1), `\rbatches [${'#'.repeat(23)}${'.'.repeat(7)}] 30/40 … `);
    bar.update(40);
    bar.update(1);
    // The 40 batches of the first update's epoch are not counted in the new epoch's rate: 0 batches since it began,
    // so the rate is still being measured.
    assert.equal(drawn.at(-1), `\rbatches [${'#'.repeat(1)}${'.'.repeat(29)}] 1/40 … `);
    bar.finish();
    assert.equal(drawn.at(-1), '\r\x1b[K');
  });

  it('is silent when stderr is no terminal, or for fewer items than the minimum', () => {
    const pipe = fakeTerminal(false);
    new ProgressBar(100, 'predict', { stream: pipe.stream }).update(50);
    const small = fakeTerminal();
    new ProgressBar(5, 'predict', { stream: small.stream }).update(1);
    assert.deepEqual([pipe.drawn, small.drawn], [[], []]);
  });

  it('never breaks on a count past its total (a total that was an estimate)', () => {
    const { stream, drawn } = fakeTerminal();
    const bar = new ProgressBar(20, 'eval', { stream });
    bar.update(25);
    assert.match(drawn.at(-1)!, /^\reval \[#{30}\] 25\/20 \d+(\.\d)?\/s $/);
  });

  it('shows the rate as … until it is measured, with a decimal below 10 a second', () => {
    assert.deepEqual(
      [formatRate(undefined), formatRate(0.34), formatRate(9.96), formatRate(10), formatRate(123.6)],
      ['…', '0.3/s', '10.0/s', '10/s', '124/s'],
    );
  });
});

describe("countLabeledImages: the eval bar's total", () => {
  it('counts what readLabeledImages yields in a tar, skipping what is no labelled image', async () => {
    const archive = pack();
    const entries: [string, string][] = [
      ['./cat/1.jpg', 'x'],
      ['./cat/2.png', 'y'],
      ['./dog/1.jpeg', 'z'],
      ['./README.txt', 'no'],
      ['loose.jpg', 'no class'],
    ];
    for (const [name, text] of entries) archive.entry({ name }, text);
    archive.entry({ name: './dog/sub', type: 'directory' });
    archive.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    const file = join(mkdtempSync(join(tmpdir(), 'nin-count-')), 'data.tar');
    writeFileSync(file, Buffer.concat(chunks));
    const read: string[] = [];
    for await (const image of readLabeledImages(file)) read.push(image.name);
    assert.deepEqual(read, ['cat/1.jpg', 'cat/2.png', 'dog/1.jpeg']);
    assert.equal(await countLabeledImages(file), 3);
  });
});
