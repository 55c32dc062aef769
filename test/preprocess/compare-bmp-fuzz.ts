/**
 * Differential check of the BMP decoder against Pillow on mutated BMPs: each file either decoded by both to the
 * same bytes or refused by both. Not a test (it needs Pillow and a few seconds); run it after changing
 * src/preprocess/bmp:
 *   /usr/bin/python3 fixtures/fuzz_bmp_against_pil.py /tmp/bmp-fuzz --seed 1
 *   node --import tsx test/preprocess/compare-bmp-fuzz.ts /tmp/bmp-fuzz
 * Expected: no difference but the 52- and 56-byte headers Pillow 9.4 refuses (later Pillow reads them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBmp } from '../../src/preprocess/bmp/decode-bmp.js';
import { checkEncodedImage } from '../../src/preprocess/check-encoded-image.js';

const folder = process.argv[2] ?? '/tmp/bmp-fuzz';
const pillow = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as Record<
  string,
  { readonly decoded: boolean; readonly error?: string }
>;
const outcomes = new Map<string, string[]>();

for (const [name, theirs] of Object.entries(pillow)) {
  const bytes = new Uint8Array(readFileSync(join(folder, name)));
  let ours: Uint8Array | string;
  try {
    checkEncodedImage(bytes, name, { maxPixels: 4_000_000, limitName: 'maxPixels' });
    ours = decodeBmp(bytes, name).data as Uint8Array;
  } catch (error) {
    ours = error instanceof Error ? error.message : String(error);
  }
  let outcome: string;
  if (theirs.decoded && typeof ours !== 'string') {
    const same = Buffer.from(ours).equals(readFileSync(join(folder, name.replace(/\.bmp$/, '.rgb'))));
    outcome = same ? 'both decode, the same bytes' : 'DIFFERENT BYTES';
  } else if (theirs.decoded) {
    outcome = `Pillow decodes, nin-sdk refuses: ${String(ours).replace(/^\S+ /, '')}`;
  } else if (typeof ours !== 'string') {
    outcome = `Pillow refuses, nin-sdk decodes: ${theirs.error ?? ''}`;
  } else {
    outcome = 'both refuse';
  }
  outcomes.set(outcome, [...(outcomes.get(outcome) ?? []), name]);
}
for (const [outcome, names] of [...outcomes].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`${String(names.length).padStart(5)}  ${outcome}  (${names.slice(0, 3).join(' ')})`);
}
