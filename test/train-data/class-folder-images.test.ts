/**
 * nin-sdk/web's classFolderImages reads a folder picker's files as `nin-sdk train --data <folder>` reads a folder:
 * `<chosen>/<class>/<image>` by extension, class folders and files in sorted order, anything else left out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classFolderImages } from '../../src/web/class-folders.js';

/** A File as a browser's webkitdirectory input gives it (Node's File has no webkitRelativePath of its own). */
function picked(path: string): File {
  const file = new File([new Uint8Array(1)], path.split('/').pop()!);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

test('class folders sorted, their images by name; files beside, below or without an image extension left out', () => {
  const files = [
    'data/toad/b.JPG',
    'data/plane/2.png',
    'data/toad/a.jpeg',
    'data/plane/10.png',
    'data/notes.txt',
    'data/cover.jpg',
    'data/plane/deeper/3.png',
    'data/plane/readme.md',
    'data/T-shirt_top/x.webp',
  ].map(picked);
  const { images, skipped } = classFolderImages(files);
  assert.deepEqual(
    images.map((i) => [i.folder, i.path]),
    [
      ['T-shirt_top', 'data/T-shirt_top/x.webp'],
      ['plane', 'data/plane/10.png'],
      ['plane', 'data/plane/2.png'],
      ['toad', 'data/toad/a.jpeg'],
      ['toad', 'data/toad/b.JPG'],
    ],
  );
  assert.ok(images.every((i) => files.includes(i.image)));
  assert.deepEqual(skipped, ['data/notes.txt', 'data/cover.jpg', 'data/plane/deeper/3.png', 'data/plane/readme.md']);
});

test('files not from a folder picker have no class folder: all left out', () => {
  const { images, skipped } = classFolderImages([new File([new Uint8Array(1)], 'cat.jpg')]);
  assert.deepEqual([images.length, skipped], [0, ['cat.jpg']]);
});
