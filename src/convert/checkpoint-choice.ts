import { type CheckpointContents, type TensorDictionary, CheckpointError } from '../formats/index.js';
import {
  ArchitectureError,
  recognizeArchitecture,
  type ArchitectureMatch,
  type RecognizeOptions,
} from '../architectures/index.js';

/**
 * Which of a checkpoint's tensor dictionaries is the network: the one an architecture fits (by keys and shapes, or on
 * the user's --arch / --family), wherever the training script put it. Several that fit are refused, each named with
 * the `--key` that picks it; none that fits gives the reason for the likeliest one.
 */

/** The dictionary taken, the architecture it fits, and the sentence that says where it was. */
export interface ChosenDictionary {
  readonly dictionary: TensorDictionary;
  readonly match: ArchitectureMatch;
  /** `took checkpoint['network']` (with the module class for a pickled module); undefined for a bare state_dict. */
  readonly taken: string | undefined;
}

/** Recognition's options (a hint, the file name), and which dictionary to take. */
export interface ChoiceOptions extends RecognizeOptions {
  /** `--key`: the dictionary at this dotted path (`network`, `models.0`, `.` for the root) or Python path. */
  readonly key?: string;
}

/** How many dictionaries a refusal names before it says how many more there are. */
const SHOWN = 6;

/**
 * Dictionaries matched against the registry, the largest: a network is among a file's largest dicts of tensors, and
 * a crafted file of a hundred thousand one-tensor dicts must not cost a recognition each.
 */
const MAX_CANDIDATES = 256;

/**
 * Takes the one tensor dictionary of `contents` that an architecture fits (the same weights found twice count once).
 *
 * @param contents - what openCheckpointContents found in the file.
 * @param options - a hint (`architecture`, `family`), the file name for ties, or the `key` of the dictionary to take.
 * @returns the dictionary, its match, and `took checkpoint['…']` unless it is the bare root.
 * @throws CheckpointError when the file holds no dictionary of tensors; ArchitectureError when none fits (the
 *   reason for the largest one), when several fit (each with its `--key`), or when `key` names none.
 * @example
 * const { dictionary, match, taken } = chooseTensorDictionary(openCheckpointContents(bytes));
 */
export function chooseTensorDictionary(contents: CheckpointContents, options: ChoiceOptions = {}): ChosenDictionary {
  const { dictionaries } = contents;
  if (dictionaries.length === 0) {
    throw new CheckpointError(
      'not-a-state-dict',
      'no state_dict in this checkpoint: no dict of named tensors (nor a pickled nn.Module) anywhere in it',
    );
  }
  const candidates = options.key === undefined ? largest(dictionaries) : [pickByKey(dictionaries, options.key)];
  const fits: Array<{ readonly dictionary: TensorDictionary; readonly match: ArchitectureMatch }> = [];
  const refusals: Array<{ readonly dictionary: TensorDictionary; readonly error: ArchitectureError }> = [];
  for (const dictionary of candidates) {
    try {
      fits.push({ dictionary, match: recognizeArchitecture(shapesOf(dictionary), options) });
    } catch (error) {
      if (!(error instanceof ArchitectureError)) throw error;
      refusals.push({ dictionary, error });
    }
  }
  const distinct = fits.filter(
    (fit, index) => fits.findIndex((other) => sameTensors(other.dictionary, fit.dictionary)) === index,
  );
  if (distinct.length === 1) {
    const { dictionary, match } = distinct[0]!;
    return { dictionary, match, taken: describeTaken(dictionary) };
  }
  if (distinct.length > 1) {
    const named = distinct
      .slice(0, SHOWN)
      .map(
        ({ dictionary, match }) => `${describePlace(dictionary)} (${match.architecture.id}, --key ${dictionary.key})`,
      );
    throw new ArchitectureError(
      `${distinct.length} state_dicts in this checkpoint fit: ${named.join(', ')}${more(distinct.length)}; ` +
        'pick one with --key',
    );
  }
  // Nothing fits: the reason for the largest dictionary, which is the likeliest to be the network.
  const likeliest = [...refusals].sort((a, b) => b.dictionary.tensors.length - a.dictionary.tensors.length)[0]!;
  if (candidates.length === 1 && likeliest.dictionary.keyPath.length === 0) throw likeliest.error;
  const others = candidates.length - 1;
  throw new ArchitectureError(
    `${describePlace(likeliest.dictionary)}: ${likeliest.error.detail}` +
      (others === 0
        ? ''
        : ` (${others} other dict${others === 1 ? '' : 's'} of tensors in the file fit${others === 1 ? 's' : ''} nothing either)`),
    likeliest.error.remedy,
  );
}

/** The MAX_CANDIDATES largest dictionaries, in file order. */
function largest(dictionaries: readonly TensorDictionary[]): readonly TensorDictionary[] {
  if (dictionaries.length <= MAX_CANDIDATES) return dictionaries;
  const sizes = dictionaries.map((d) => d.tensors.length).sort((a, b) => b - a);
  const threshold = sizes[MAX_CANDIDATES - 1]!;
  return dictionaries.filter((d) => d.tensors.length >= threshold).slice(0, MAX_CANDIDATES);
}

function pickByKey(dictionaries: readonly TensorDictionary[], key: string): TensorDictionary {
  const picked = dictionaries.find((d) => d.key === key || d.path === key);
  if (picked !== undefined) return picked;
  const shown = dictionaries.slice(0, SHOWN).map((d) => `${d.key} (${d.tensors.length} tensors)`);
  throw new ArchitectureError(
    `--key ${key}: no dict of tensors there; this checkpoint has ${shown.join(', ')}${more(dictionaries.length)}`,
  );
}

function shapesOf(dictionary: TensorDictionary): ReadonlyMap<string, { readonly shape: readonly number[] }> {
  return new Map(dictionary.tensors.map(([key, tensor]) => [key, { shape: tensor.shape }]));
}

/** The same tensors twice (`{'model': model, 'state_dict': model.state_dict()}`) are one choice, not a tie. */
function sameTensors(a: TensorDictionary, b: TensorDictionary): boolean {
  if (a.tensors.length !== b.tensors.length) return false;
  return a.tensors.every(([key, tensor], index) => {
    const [otherKey, other] = b.tensors[index]!;
    return (
      key === otherKey &&
      tensor.storage.key === other.storage.key &&
      tensor.storage.elementOffset === other.storage.elementOffset &&
      tensor.offset === other.offset &&
      tensor.shape.join() === other.shape.join() &&
      tensor.stride.join() === other.stride.join()
    );
  });
}

function describePlace(dictionary: TensorDictionary): string {
  return dictionary.moduleClass === undefined
    ? dictionary.path
    : `${dictionary.path} (a pickled ${dictionary.moduleClass} module)`;
}

function describeTaken(dictionary: TensorDictionary): string | undefined {
  if (dictionary.keyPath.length === 0 && dictionary.moduleClass === undefined) return undefined;
  return `took ${describePlace(dictionary)}`;
}

function more(total: number): string {
  return total > SHOWN ? `, … (${total} in all)` : '';
}
