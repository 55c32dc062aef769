import { describeUnreadSettings, type Architecture } from './architecture.js';
import { ArchitectureError } from './errors.js';
import {
  checkShapes,
  compareKeys,
  expectedTensors,
  keyMaps,
  keysInOrder,
  type Fit,
  type KeyMismatch,
  type ShapedTensor,
} from './fit.js';
import { describeRenaming, renamedFits, type RenamedFit } from './renamed-keys.js';
import { ARCHITECTURES, architectureById, PYTORCH_NIN_IDS } from './registry.js';

/** A checkpoint matched to one architecture, and what was taken on trust to get there. */
export interface ArchitectureMatch extends Fit {
  /**
   * 'keys': names and shapes fit; 'by-order': renamed keys paired with the layers in order on a hint; 'renamed':
   * without a hint, other names whose layers in order have one entry's shapes (renamed-keys.ts), said aloud.
   */
  readonly matchedBy: 'keys' | 'by-order' | 'renamed';
  /**
   * What the conversion assumed rather than read, one sentence each: empty only when the checkpoint's keys and
   * shapes picked one known architecture on their own. The CLI prints these on stderr; the ONNX metadata keeps them.
   */
  readonly assumptions: readonly string[];
}

/**
 * How a checkpoint's architecture is recognised: a registry family or an architecture given outright, and the file name
 * errors give.
 *
 * @example
 * ```ts
 * import { fineTuneStart, type CheckpointTensor, type RecognizeOptions } from 'nin-sdk/train';
 * declare const tensors: ReadonlyMap<string, CheckpointTensor>;
 * const options: RecognizeOptions = { family: 'cifar10', fileName: 'nin.pth' };
 * const start = fineTuneStart(tensors, options);
 * ```
 */
export interface RecognizeOptions {
  /**
   * `--family`: one of PYTORCH_NIN_IDS (`cifar10`, `imagenet`), an alias of `architecture` set to that registry entry,
   * said as given by --family.
   */
  readonly family?: string;
  /** An architecture named by the user (`--arch`: a registry entry or a JSON file): taken, not guessed. */
  readonly architecture?: Architecture;
  /** The checkpoint's file name, used only to break a tie between entries with the same keys and shapes. */
  readonly fileName?: string;
}

const NEAR_MISS_SHARE = 0.5;
const SHOWN = 3;

/**
 * Finds the architecture of a state_dict. Without a hint, the registry entry whose keys (under any of its
 * prefixes) and shapes fit is taken; several that fit are a tie, broken only by class count or a file-name hint
 * that says so, otherwise reported. Nothing that fits: the closest entries are named.
 */
export function recognizeArchitecture(
  tensors: ReadonlyMap<string, ShapedTensor>,
  options: RecognizeOptions = {},
): ArchitectureMatch {
  if (options.architecture !== undefined) return withOverride(onHint(options.architecture, tensors), tensors);
  if (options.family !== undefined) return withOverride(onFamilyHint(options.family, tensors), tensors);

  const { fits, shapeErrors, mismatches } = registryFits(tensors);
  if (fits.length === 1) return { ...fits[0]!, matchedBy: 'keys', assumptions: [] };
  if (fits.length > 1) return breakTie(fits, options.fileName);
  if (shapeErrors.length > 0) throw new ArchitectureError(shapeErrors.map((e) => e.message).join('; or '));
  const renamed = renamedFits(ARCHITECTURES, tensors);
  if (renamed.length > 0) return chooseRenamed(renamed);
  const near = nearMisses(mismatches);
  if (near.length > 0) {
    throw new ArchitectureError(
      `no known architecture fits this checkpoint's keys; closest: ${near.map(describeMismatch).join('; ')}. ` +
        'See nin-convert --list-architectures, or describe the network with --arch <file.json>',
    );
  }
  throw notANin(tensors);
}

/**
 * Nothing fits, nothing comes close: what the pytorch-nin entries expect, what was found, and that --family names one
 * (their keys renamed beyond what renamed-keys.ts reads are still matched in layer order then).
 */
function notANin(tensors: ReadonlyMap<string, ShapedTensor>): ArchitectureError {
  const entries = PYTORCH_NIN_IDS.map((id) => architectureById(id)!);
  const expectations = entries.map((entry) => `${entry.title}: ${describeList(expectedTensors(entry))}`);
  return new ArchitectureError(
    `not a Network-in-Network checkpoint: expected keys of ${expectations.join(' or ')}; found ${describeList([...tensors.keys()])}`,
    { option: 'family', choices: PYTORCH_NIN_IDS },
  );
}

/** A renamed prefix further than this from the entry's is no misspelling: the names then say nothing. */
const MAX_PREFIX_DISTANCE = 2;

/**
 * Takes the one entry whose layers the renamed keys fit and whose names come closest (a wrapper prefix, then a
 * misspelt or renamed container, nearest first); entries with other label counts do not compete. Where names
 * cannot tell equal shapes apart, the entries are named and the user picks with --arch.
 */
function chooseRenamed(all: readonly RenamedFit[]): ArchitectureMatch {
  const byLabels = all.filter((f) => f.architecture.labels.length === f.classCount);
  const fits = byLabels.length > 0 ? byLabels : all;
  const telling = (f: RenamedFit) =>
    f.renaming.kind === 'wrapper' || (f.renaming.kind === 'prefix' && f.renaming.distance <= MAX_PREFIX_DISTANCE);
  const closest = fits.filter(telling);
  const best = closest[0];
  const tied = closest.filter((f) => best !== undefined && sameCloseness(f, best));
  const chosen = tied.length === 1 ? tied[0] : fits.length === 1 ? fits[0] : undefined;
  if (chosen === undefined) {
    const ids = (tied.length > 1 ? tied : fits).map((f) => f.architecture.id);
    throw new ArchitectureError(
      `this checkpoint's keys are no known architecture's, but its tensors in order have the shapes of ${ids.join(', ')}; ` +
        'a state_dict cannot tell which (they differ in pooling, labels or preprocessing). ' +
        `Name one with --arch ${ids.join('|')}, or describe the network with --arch <file.json>`,
    );
  }
  const others = fits.filter((f) => f !== chosen);
  return { ...chosen, matchedBy: 'renamed', assumptions: [describeRenaming(chosen, others)] };
}

function sameCloseness(a: RenamedFit, b: RenamedFit): boolean {
  if (a.renaming.kind !== b.renaming.kind) return false;
  return a.renaming.kind !== 'prefix' || b.renaming.kind !== 'prefix' || a.renaming.distance === b.renaming.distance;
}

/** What the registry makes of a state_dict: the entries it fits, and for the others why not. */
interface RegistryFits {
  /** Every entry whose keys (under its first matching prefix) and shapes the checkpoint fits exactly. */
  readonly fits: readonly Fit[];
  /** Entries whose keys fit but whose shapes do not, each naming the tensor. */
  readonly shapeErrors: readonly ArchitectureError[];
  /** How far each prefix of each other entry is from the keys (for naming the closest). */
  readonly mismatches: readonly KeyMismatch[];
}

function registryFits(tensors: ReadonlyMap<string, ShapedTensor>): RegistryFits {
  const fits: Fit[] = [];
  const shapeErrors: ArchitectureError[] = [];
  const mismatches: KeyMismatch[] = [];
  for (const architecture of ARCHITECTURES) {
    for (const { prefix, keyOf } of keyMaps(architecture)) {
      const comparison = compareKeys(architecture, prefix, keyOf, tensors);
      if (comparison.missing.length > 0 || comparison.unexpected.length > 0) {
        mismatches.push(comparison);
        continue;
      }
      try {
        fits.push(checkShapes(architecture, keyOf, tensors));
      } catch (error) {
        if (!(error instanceof ArchitectureError)) throw error;
        shapeErrors.push(error);
      }
      break;
    }
  }
  return { fits, shapeErrors, mismatches };
}

/** A hint that overrides what the keys say on their own is said first: the likeliest way to a wrong model. */
function withOverride(match: ArchitectureMatch, tensors: ReadonlyMap<string, ShapedTensor>): ArchitectureMatch {
  const fits = registryFits(tensors).fits.map((f) => f.architecture.id);
  if (fits.length === 0 || fits.includes(match.architecture.id)) return match;
  const others = fits;
  const warning =
    `the checkpoint's keys and shapes fit ${others.join(', ')} exactly, not ${match.architecture.id}: ` +
    `the hint overrides that (drop it to convert as ${others[0]})`;
  return { ...match, assumptions: [warning, ...match.assumptions] };
}

/** Picks among fits by class count, then by a file-name hint (said aloud); else reports the tie. */
function breakTie(fits: readonly Fit[], fileName: string | undefined): ArchitectureMatch {
  const byLabels = fits.filter((f) => f.architecture.labels.length === f.classCount);
  const candidates = byLabels.length > 0 ? byLabels : fits;
  if (candidates.length === 1) return { ...candidates[0]!, matchedBy: 'keys', assumptions: [] };
  const hinted = (f: Fit) =>
    f.architecture.fileNameHint !== undefined && baseName(fileName ?? '').includes(f.architecture.fileNameHint);
  const named = fileName === undefined ? [] : candidates.filter(hinted);
  const ids = candidates.map((f) => f.architecture.id);
  if (named.length === 1) {
    const chosen = named[0]!;
    const others = ids.filter((id) => id !== chosen.architecture.id);
    return {
      ...chosen,
      matchedBy: 'keys',
      assumptions: [
        `${others.join(', ')} ${others.length === 1 ? 'has' : 'have'} the same keys and shapes as ${chosen.architecture.id}; ` +
          `took ${chosen.architecture.id} because the file name contains ${String(chosen.architecture.fileNameHint)} ` +
          `(its labels and preprocessing are what differ: pass --arch ${others[0]} if that is wrong)`,
      ],
    };
  }
  throw new ArchitectureError(
    `this checkpoint fits ${candidates.length} known architectures equally (same keys and shapes): ${ids.join(', ')}; ` +
      `they differ in labels and preprocessing, which a state_dict does not carry. Name one with --arch ${ids.join('|')}`,
  );
}

/**
 * An architecture the user named: its keys if they fit, else renamed keys in layer order; either way, said aloud.
 * Tensors beyond the architecture's are refused, as recognition refuses them: dropping weights is a different model.
 */
function onHint(
  architecture: Architecture,
  tensors: ReadonlyMap<string, ShapedTensor>,
  givenBy = '',
): ArchitectureMatch {
  const told = `took the layers of ${architecture.id} as given ${givenBy}(${describeUnreadSettings(architecture)}): a state_dict does not record them`;
  for (const { keyOf } of keyMaps(architecture)) {
    const { missing, unexpected } = compareKeys(architecture, '', keyOf, tensors);
    if (missing.length > 0) continue;
    if (unexpected.length > 0) {
      throw new ArchitectureError(
        `the checkpoint has tensors that ${architecture.id} does not use: ${describeList(unexpected)}; converting would ` +
          'drop them. Describe the whole network with --arch <file.json>',
      );
    }
    return { ...checkShapes(architecture, keyOf, tensors), matchedBy: 'keys', assumptions: [told] };
  }
  const keys = [...tensors.keys()];
  const byOrder = keysInOrder(architecture, keys);
  if (byOrder === undefined) {
    const expected = keyMaps(architecture)[0]!.keyOf;
    throw new ArchitectureError(
      `not a ${architecture.id} checkpoint: expected ${describeList([...expected.values()])}, or the same tensors renamed in layer order; ` +
        `found ${describeList(keys)}`,
    );
  }
  return {
    ...checkShapes(architecture, byOrder, tensors),
    matchedBy: 'by-order',
    assumptions: [
      `matched renamed keys to the layers of ${architecture.id} in checkpoint order (${firstPairing(byOrder)} …)`,
      told,
    ],
  };
}

/**
 * `--family`: the pytorch-nin registry entry of that id taken as any other named architecture (onHint): its keys
 * exactly, or renamed keys in layer order, so that tensors the entry does not use are refused rather than dropped.
 */
function onFamilyHint(family: string, tensors: ReadonlyMap<string, ShapedTensor>): ArchitectureMatch {
  const entry = PYTORCH_NIN_IDS.includes(family) ? architectureById(family) : undefined;
  if (entry === undefined)
    throw new ArchitectureError(`unknown family '${family}': should be one of ${PYTORCH_NIN_IDS.join(', ')}`);
  return onHint(entry, tensors, 'by --family ');
}

function nearMisses(mismatches: readonly KeyMismatch[]): KeyMismatch[] {
  const best = new Map<string, KeyMismatch>();
  for (const m of mismatches) {
    const wanted = m.matched + m.missing.length;
    if (m.matched / wanted < NEAR_MISS_SHARE) continue;
    const previous = best.get(m.architecture.id);
    if (previous === undefined || m.matched > previous.matched) best.set(m.architecture.id, m);
  }
  return [...best.values()].sort((a, b) => b.matched - a.matched).slice(0, SHOWN);
}

function describeMismatch(m: KeyMismatch): string {
  const parts: string[] = [];
  if (m.missing.length > 0) parts.push(`missing ${describeList(m.missing)}`);
  if (m.unexpected.length > 0) parts.push(`unexpected ${describeList(m.unexpected)}`);
  return `${m.architecture.id} (${m.matched} of ${m.matched + m.missing.length} keys; ${parts.join(', ')})`;
}

function describeList(keys: readonly string[]): string {
  if (keys.length === 0) return 'no tensors';
  const shown = keys.slice(0, 4).join(', ');
  return keys.length > 4
    ? `${shown}, … (${keys.length} keys)`
    : `${shown} (${keys.length} key${keys.length === 1 ? '' : 's'})`;
}

function firstPairing(keyOf: ReadonlyMap<string, string>): string {
  return [...keyOf]
    .slice(0, 2)
    .map(([layer, key]) => `${key} → ${layer}`)
    .join(', ');
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
