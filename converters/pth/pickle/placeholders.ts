/**
 * Training scripts often save more than a state_dict: `{'state_dict': …, 'optimizer': optimizer}` pickles the
 * optimizer object itself, `{'args': args}` an argparse Namespace. torch.load(weights_only=True) refuses such
 * files outright. Here the globals of these few known kinds resolve to an inert placeholder instead: nothing is
 * looked up, constructed or run (REDUCE and NEWOBJ just return a Placeholder that records the name; BUILD's
 * state is dropped). A placeholder is never a tensor, so one inside the state_dict is still refused there
 * (state-dict.ts); outside it, it is named in one line and otherwise ignored.
 */

/** Modules whose classes may appear as placeholders: optimizers and schedulers, argparse's Namespace. */
const PLACEHOLDER_MODULES: readonly string[] = ['torch.optim', 'argparse'];

/**
 * Globals an optimizer's pickled state refers to: `state` is a `defaultdict(dict)`. defaultdict becomes an
 * empty dict-like Map (its factory, `builtins.dict`, a placeholder), so SETITEMS can fill it harmlessly.
 */
const DICT_LIKE = new Set(['collections.defaultdict']);
const FACTORY_ONLY = new Set([
  'builtins.dict',
  'builtins.list',
  'builtins.set',
  '__builtin__.dict',
  '__builtin__.list',
]);

/** Placeholders this module made: pickle data cannot forge one (see torch-objects.ts on brands). */
const genuinePlaceholders = new WeakSet<object>();

/** A pickled object kept by name only. Frozen; the unpickler drops the state BUILD hands it. */
export class Placeholder {
  constructor(readonly qualifiedName: string) {
    genuinePlaceholders.add(this);
    Object.freeze(this);
  }

  describe(): string {
    return `a pickled ${this.qualifiedName} object`;
  }
}

export function isPlaceholder(value: unknown): value is Placeholder {
  return typeof value === 'object' && value !== null && genuinePlaceholders.has(value);
}

/**
 * What a global not on the tensor allow-list resolves to when it is one of the placeholder kinds, or
 * undefined (then it is refused as before). The returned function works both when called (REDUCE) and
 * when constructed (NEWOBJ), and takes no notice of its arguments.
 */
export function placeholderGlobal(module: string, name: string): ((...args: unknown[]) => unknown) | undefined {
  const qualified = `${module}.${name}`;
  if (DICT_LIKE.has(qualified))
    return Object.freeze(function dictLike() {
      return new Map();
    });
  const known =
    FACTORY_ONLY.has(qualified) || PLACEHOLDER_MODULES.some((m) => module === m || module.startsWith(`${m}.`));
  if (!known) return undefined;
  return Object.freeze(function placeholder() {
    return new Placeholder(qualified);
  });
}
