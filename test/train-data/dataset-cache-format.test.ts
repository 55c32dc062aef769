import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeDatasetCache, encodeDatasetCache } from '../../src/train/data/dataset-cache-format.js';
import { syntheticDataset } from './synthetic.js';

describe('dataset cache format', () => {
  const dataset = syntheticDataset(5, 4, 3);
  const bytes = encodeDatasetCache(dataset, 'key-1');

  it('gives back the dataset it was made from', () => {
    const back = decodeDatasetCache(bytes, 'key-1');
    assert.deepEqual({ ...back, pixels: [...back.pixels] }, { ...dataset, pixels: [...dataset.pixels] });
  });

  it('refuses another key, another format, a file cut short or padded', () => {
    assert.throws(() => decodeDatasetCache(bytes, 'key-2'), /made from another source/);
    assert.throws(
      () => decodeDatasetCache(new TextEncoder().encode('PK\u0003\u0004 not a cache'), 'key-1'),
      /not a cache file/,
    );
    assert.throws(() => decodeDatasetCache(bytes.subarray(0, bytes.length - 1), 'key-1'), /header announces/);
    assert.throws(() => decodeDatasetCache(bytes.subarray(0, 14), 'key-1'), /truncated header/);
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    assert.throws(() => decodeDatasetCache(padded, 'key-1'), /header announces/);
  });

  it('reads a file written before grey training (no channels in its header) as RGB, as RGB is still written', () => {
    const header = new TextEncoder().encode(
      JSON.stringify({ key: 'key-1', imageSize: 4, count: 5, classNames: dataset.classNames }),
    );
    const labels = new Uint8Array(new Uint16Array(dataset.labels).buffer);
    const old = new Uint8Array([
      ...new TextEncoder().encode('NINIMGS'),
      1,
      ...new Uint8Array(new Uint32Array([header.length]).buffer),
      ...header,
      ...labels,
      ...dataset.pixels,
    ]);
    assert.deepEqual([...bytes], [...old]);
    const back = decodeDatasetCache(old, 'key-1');
    assert.equal(back.channels, undefined);
    assert.equal(back.pixels.length, 5 * 4 * 4 * 3);
  });

  it('keeps a grey dataset grey, one byte per pixel', () => {
    const grey = { ...dataset, channels: 1 as const, pixels: dataset.pixels.subarray(0, 5 * 4 * 4) };
    const back = decodeDatasetCache(encodeDatasetCache(grey, 'key-1'), 'key-1');
    assert.equal(back.channels, 1);
    assert.deepEqual([...back.pixels], [...grey.pixels]);
  });
});
