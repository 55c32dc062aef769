import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressBar } from '../../src/cli/progress.js';

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
    assert.equal(drawn.at(-1), `\rbatches [${'#'.repeat(23)}${'.'.repeat(7)}] 30/40 0/s `);
    bar.update(40);
    bar.update(1);
    // The 40 batches of the first update's epoch are not counted in the new epoch's rate: 0 batches since it began.
    assert.equal(drawn.at(-1), `\rbatches [${'#'.repeat(1)}${'.'.repeat(29)}] 1/40 0/s `);
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
});
