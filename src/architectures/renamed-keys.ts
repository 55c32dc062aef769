import type { Architecture } from './architecture.js';
import { ArchitectureError } from './errors.js';
import { checkShapes, compareKeys, keyMaps, keysInOrder, type Fit, type ShapedTensor } from './fit.js';

/**
 * Names are a hint, shapes are the evidence: a state_dict whose keys are no registry entry's may still be one
 * entry's layers, in order, with the right shapes: saved from inside a wrapper module (`model.classifier.0.weight`),
 * under a renamed or misspelt container (`classifer.0.weight`: at least two public repositories save it so), or
 * under names of the user's own. How close the names come decides between entries whose shapes are the same.
 */

/** How a checkpoint's names relate to an entry's, from the closest to the loosest. */
export type Renaming =
  /** The entry's keys exactly, behind a prefix of a wrapper module (`model.`). */
  | { readonly kind: 'wrapper'; readonly prefix: string }
  /** The entry's keys with one leading name replaced throughout (`classifer.` for `classifier.`). */
  | { readonly kind: 'prefix'; readonly from: string; readonly to: string; readonly distance: number }
  /** Other names, paired with the layers in checkpoint order. */
  | { readonly kind: 'order' };

/** A registry entry whose layers the renamed keys fit, and how the names differ from its own. */
export interface RenamedFit extends Fit {
  readonly renaming: Renaming;
}

/** Every registry entry the checkpoint fits under other names, closest first. */
export function renamedFits(
  architectures: readonly Architecture[],
  tensors: ReadonlyMap<string, ShapedTensor>,
): RenamedFit[] {
  const keys = [...tensors.keys()];
  const fits: RenamedFit[] = [];
  for (const architecture of architectures) {
    const fit = behindWrapper(architecture, tensors) ?? byOrder(architecture, keys, tensors);
    if (fit !== undefined) fits.push(fit);
  }
  return fits.sort((a, b) => rank(a.renaming) - rank(b.renaming));
}

/** Lower is closer: a wrapper keeps every name, a renamed prefix keeps the rest, by order keeps none. */
function rank(renaming: Renaming): number {
  return renaming.kind === 'wrapper' ? 0 : renaming.kind === 'prefix' ? 1 + renaming.distance / 1000 : 2;
}

/**
 * The entry's exact keys behind one common prefix (`model.`, `backbone.net.`). Only under the entry's own prefixes:
 * without its container (`0.weight` for `classifier.0.weight`) any `<name>.0.weight` would look wrapped, a
 * misspelt container among them, which is a renaming (byOrder), not a wrapper.
 */
function behindWrapper(architecture: Architecture, tensors: ReadonlyMap<string, ShapedTensor>): RenamedFit | undefined {
  const firstKey = tensors.keys().next().value;
  if (firstKey === undefined) return undefined;
  for (const { keyOf } of keyMaps(architecture).slice(0, architecture.keyPrefixes.length)) {
    const first = keyOf.values().next().value;
    if (first === undefined || !firstKey.endsWith(`.${first}`)) continue;
    const prefix = firstKey.slice(0, firstKey.length - first.length);
    const wrapped = new Map([...keyOf].map(([layer, key]) => [layer, prefix + key]));
    const { missing, unexpected } = compareKeys(architecture, '', wrapped, tensors);
    if (missing.length > 0 || unexpected.length > 0) continue;
    const fit = shapesFit(architecture, wrapped, tensors);
    if (fit !== undefined) return { ...fit, renaming: { kind: 'wrapper', prefix } };
  }
  return undefined;
}

/** The layers paired with the keys in checkpoint order, and how the names differ. */
function byOrder(
  architecture: Architecture,
  keys: readonly string[],
  tensors: ReadonlyMap<string, ShapedTensor>,
): RenamedFit | undefined {
  const keyOf = keysInOrder(architecture, keys);
  if (keyOf === undefined) return undefined;
  const fit = shapesFit(architecture, keyOf, tensors);
  if (fit === undefined) return undefined;
  let best: Renaming = { kind: 'order' };
  for (const { keyOf: named } of keyMaps(architecture)) {
    const renaming = prefixRenaming(named, keyOf);
    if (renaming !== undefined && rank(renaming) < rank(best)) best = renaming;
  }
  return { ...fit, renaming: best };
}

/** One leading name replaced by another in every key, the rest identical; undefined otherwise. */
function prefixRenaming(
  named: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): Extract<Renaming, { kind: 'prefix' }> | undefined {
  let from: string | undefined;
  let to: string | undefined;
  for (const [layer, key] of actual) {
    const expected = named.get(layer);
    if (expected === undefined) return undefined;
    const [expectedHead, expectedRest] = splitHead(expected);
    const [actualHead, actualRest] = splitHead(key);
    if (expectedRest !== actualRest || expectedHead === '' || actualHead === '') return undefined;
    if (from === undefined) [from, to] = [expectedHead, actualHead];
    else if (from !== expectedHead || to !== actualHead) return undefined;
  }
  if (from === undefined || to === undefined || from === to) return undefined;
  return { kind: 'prefix', from, to, distance: editDistance(from, to) };
}

function splitHead(key: string): [string, string] {
  const dot = key.indexOf('.');
  return dot < 0 ? ['', key] : [key.slice(0, dot + 1), key.slice(dot + 1)];
}

function shapesFit(
  architecture: Architecture,
  keyOf: ReadonlyMap<string, string>,
  tensors: ReadonlyMap<string, ShapedTensor>,
): Fit | undefined {
  try {
    return checkShapes(architecture, keyOf, tensors);
  } catch (error) {
    if (error instanceof ArchitectureError) return undefined;
    throw error;
  }
}

/** Levenshtein distance: `classifer.` is 1 from `classifier.` and 8 from `features.`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A renamed fit is taken without a hint only when nothing else comes as close; then what was renamed is said. */
export function describeRenaming(fit: RenamedFit, others: readonly RenamedFit[]): string {
  const id = fit.architecture.id;
  const { renaming } = fit;
  const pairing = [...fit.keyOf]
    .slice(0, 2)
    .map(([layer, key]) => `${key} → ${layer}`)
    .join(', ');
  const head =
    renaming.kind === 'wrapper'
      ? `the keys carry '${renaming.prefix}' in front of ${id}'s (a wrapper module): took them without it`
      : renaming.kind === 'prefix'
        ? `the keys say '${renaming.to}' where ${id} has '${renaming.from}': took them as renamed`
        : `the keys are not ${id}'s, but its layers in checkpoint order have their shapes: took them as renamed`;
  const alternatives =
    others.length === 0
      ? ''
      : `; the same shapes also fit ${others.map((o) => o.architecture.id).join(', ')} (pass --arch to take one of those)`;
  return `${head} (${pairing} …)${alternatives}`;
}
