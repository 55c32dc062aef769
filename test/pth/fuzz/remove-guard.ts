/**
 * Removes one guard of the checkpoint reader from the working tree, to check
 * that the fuzz test depends on it (docs/security-testing.md has the table):
 *
 *   node --import tsx test/pth/fuzz/remove-guard.ts <guard>
 *   node --import tsx --test test/pth/fuzz.test.ts    # must now fail
 *   git checkout src/formats/pth                        # put the guard back
 *
 * Each patch is an exact text replacement and fails loudly when the code it
 * targets has changed. Never commit the patched files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

type Patch = readonly [file: string, from: string, to: string];

const GUARDS: Readonly<Record<string, { readonly what: string; readonly patches: readonly Patch[] }>> = {
  'inflation-cap': {
    what: 'the 8 × file-size budget for the declared sizes of all deflated entries',
    patches: [['src/formats/pth/zip-archive.ts', 'if (originalSize > deflatedBudget) {', 'if (false) {']],
  },
  'declared-size-stop': {
    what: "inflating deflated entries ourselves and stopping at the declared size (fflate's unzipSync instead)",
    patches: [
      [
        'src/formats/pth/zip-inflate.ts',
        'export function inflateExactly(compressed: Uint8Array, declaredSize: number, name: string): Uint8Array {',
        "export function inflateExactly(compressed: Uint8Array, declaredSize: number, name: string): Uint8Array {\n  if (name !== '') return inflateSync(compressed, { out: new Uint8Array(declaredSize) });",
      ],
      [
        'src/formats/pth/zip-inflate.ts',
        "import { Inflate } from 'fflate';",
        "import { Inflate, inflateSync } from 'fflate';",
      ],
    ],
  },
  'allow-list': {
    what: 'refusing globals outside the allow-list (unknown names resolve to a harmless constructor, as pickleparser did by default)',
    patches: [
      [
        'src/formats/pth/pickle/torch-globals.ts',
        '?? this.refuse(module, name);',
        '?? Object.freeze((..._args: unknown[]) => new Map<unknown, unknown>());',
      ],
    ],
  },
  'allocation-budget': {
    what: "materialising's budget of 4 × the file size",
    patches: [['src/formats/pth/materialise.ts', 'if (bytes > this.remaining) {', 'if (false) {']],
  },
  'negative-length': {
    what: "the reader's refusal of negative lengths, and BINSTRING's and LONG4's sign checks",
    patches: [
      [
        'src/formats/pth/pickle/bounded-reader.ts',
        'if (!Number.isSafeInteger(length) || length < 0) {',
        'if (!Number.isSafeInteger(length)) {',
      ],
      [
        'src/formats/pth/pickle/unpickler.ts',
        'if (length < 0) this.fail(`BINSTRING has a negative length ${length}`);',
        '',
      ],
      [
        'src/formats/pth/pickle/unpickler.ts',
        'if (length < 0 || length > MAX_LONG_BYTES) {',
        'if (length > MAX_LONG_BYTES) {',
      ],
    ],
  },
  'object-budget': {
    what: "the unpickler's budget of 32 × the pickle bytes read for the objects it builds",
    patches: [['src/formats/pth/pickle/object-budget.ts', 'if (this.spent > limit) throw', 'if (false) throw']],
  },
  'prototype-property-assignment': {
    what: 'layer 1 of the prototype guard: no opcode assigns a key as a property (DICT executed as pickleparser did: dict[key] = value)',
    patches: [
      [
        'src/formats/pth/pickle/unpickler.ts',
        '      default: {\n        const refused = REFUSED_OPCODES.get(opcode);',
        '      case 0x64: {\n        const items = this.popMark();\n        const dict = new Map<unknown, unknown>() as unknown as Record<string, unknown>;\n        for (let index = 0; index < items.length; index += 2) dict[String(items[index])] = items[index + 1];\n        return this.push(dict);\n      }\n      default: {\n        const refused = REFUSED_OPCODES.get(opcode);',
      ],
    ],
  },
  'prototype-brand': {
    what: 'layer 2 of the prototype guard: WeakSet brands (instanceof instead)',
    patches: [
      ['src/formats/pth/torch-objects.ts', 'genuineStorages.has(value);', 'value instanceof StorageRef;'],
      ['src/formats/pth/torch-objects.ts', 'genuineTensors.has(value);', 'value instanceof TensorRef;'],
    ],
  },
  'view-bound': {
    what: "materialising's check that every byte read lies inside the storage's view (typed arrays made on the ArrayBuffer)",
    patches: [
      [
        'src/formats/pth/materialise.ts',
        'if (firstByte < 0 || !Number.isSafeInteger(endByte) || endByte > bytes.byteLength) {',
        'if (false) {',
      ],
      [
        'src/formats/pth/materialise.ts',
        'const reached = bytes.subarray(firstByte, endByte);',
        'const reached = new Uint8Array(bytes.buffer, bytes.byteOffset + firstByte, endByte - firstByte);',
      ],
    ],
  },
  'storage-length': {
    what: "the containers' checks that a storage has all the bytes its persistent id declares",
    patches: [
      ['src/formats/pth/legacy-reader.ts', 'if (bytes.length - position < byteLength) {', 'if (false) {'],
      ['src/formats/pth/zip-reader.ts', 'if (data.length < needed) {', 'if (false) {'],
    ],
  },
};

function main(): void {
  const names = process.argv.slice(2);
  if (names.length === 0 || names.some((name) => !(name in GUARDS))) {
    console.error(`usage: remove-guard.ts <guard>…, guards: ${Object.keys(GUARDS).join(', ')}`);
    process.exit(2);
  }
  for (const name of names) {
    for (const [file, from, to] of GUARDS[name]!.patches) {
      const path = join(ROOT, file);
      const text = readFileSync(path, 'utf8');
      if (!text.includes(from)) throw new Error(`${name}: ${file} no longer contains ${JSON.stringify(from)}`);
      writeFileSync(path, text.replace(from, to));
    }
    console.log(`removed ${name}: ${GUARDS[name]!.what}`);
  }
}

main();
