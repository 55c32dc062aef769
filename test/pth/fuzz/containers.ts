/**
 * A seed checkpoint opened into its parts (the object pickle apart from the
 * rest) and put back together after a mutation, for both container formats.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { tokenize, type PickleOp } from './pickle-ops.js';

export interface OpenedSeed {
  readonly format: 'zip' | 'legacy';
  /** The opcodes of the pickle that holds the state_dict (data.pkl, or the legacy object pickle). */
  readonly ops: readonly PickleOp[];
  /** Puts a (mutated) object pickle back in place; `deflate` names zip entries to deflate. */
  repack(objectPickle: Uint8Array, options?: { readonly deflate?: ReadonlySet<string> }): Uint8Array;
  /** Zip entry names (storage entries included), for lies about sizes. */
  readonly entryNames: readonly string[];
}

export function openSeed(bytes: Uint8Array): OpenedSeed {
  if (bytes[0] === 0x50) {
    const entries = unzipSync(bytes);
    const pickleName = Object.keys(entries).find((name) => name.endsWith('/data.pkl'));
    if (pickleName === undefined) throw new Error('seed zip without data.pkl');
    const tokens = tokenize(entries[pickleName]!);
    if (tokens === undefined) throw new Error('seed data.pkl does not tokenize');
    return {
      format: 'zip',
      ops: tokens.ops,
      entryNames: Object.keys(entries),
      repack(objectPickle, options = {}) {
        const zippable: Zippable = {};
        for (const [name, data] of Object.entries(entries)) {
          const content = name === pickleName ? objectPickle : data;
          zippable[name] = [content, { level: options.deflate?.has(name) === true ? 6 : 0 }];
        }
        return zipSync(zippable);
      },
    };
  }
  // Legacy: magic, protocol version, sys_info, object, key list, then raw storages.
  const bounds: Array<readonly [number, number]> = [];
  let at = 0;
  let objectOps: PickleOp[] = [];
  for (let index = 0; index < 5; index++) {
    const tokens = tokenize(bytes, at);
    if (tokens === undefined) throw new Error(`seed pickle ${index} does not tokenize`);
    if (index === 3) objectOps = tokens.ops;
    bounds.push([at, tokens.end]);
    at = tokens.end;
  }
  const before = bytes.subarray(0, bounds[3]![0]);
  const after = bytes.subarray(bounds[3]![1]);
  return {
    format: 'legacy',
    ops: objectOps,
    entryNames: [],
    repack(objectPickle) {
      const out = new Uint8Array(before.length + objectPickle.length + after.length);
      out.set(before);
      out.set(objectPickle, before.length);
      out.set(after, before.length + objectPickle.length);
      return out;
    },
  };
}

/** Rewrites the uncompressed size that the central directory declares for `name` (undefined if not found). */
export function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array | undefined {
  const patched = zip.slice();
  const view = new DataView(patched.buffer);
  const encoded = new TextEncoder().encode(name);
  for (let at = 0; at + 46 <= patched.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    const found = patched.subarray(at + 46, at + 46 + nameLength);
    if (found.length === encoded.length && found.every((byte, index) => byte === encoded[index])) {
      view.setUint32(at + 24, size >>> 0, true);
      return patched;
    }
  }
  return undefined;
}
