import { CheckpointError, quote } from './errors.js';
import { isPlaceholder, placeholderState, type Placeholder } from './pickle/placeholders.js';
import { isTensorRef, type TensorRef } from './torch-objects.js';

/**
 * Every place a checkpoint may keep a state_dict, found without knowing the training script: the root itself, any
 * key of any dict (`network`, `model_state`, `model_state_dict`, `net` …), nested dicts, lists and tuples, and a
 * pickled whole `nn.Module` (`torch.save(model)`), whose parameters and buffers are read from the `_parameters`,
 * `_buffers` and `_modules` its placeholder was given (placeholders.ts) in the order `state_dict()` lists them.
 * Which one to convert is the architecture's question (src/convert/checkpoint-choice.ts), not this module's.
 */

/** A dict key or list index on the way from the unpickled root to a value. */
export type KeyPathPart = string | number;

/** One dictionary of named tensors that could be the state_dict. */
export interface TensorDictionary {
  /** Where it sits, as Python would write it: `checkpoint`, `checkpoint['network']`, `checkpoint['models'][0]`. */
  readonly path: string;
  /** The same as `--key` takes it: dict keys and list indices joined by dots; `.` for the root. */
  readonly key: string;
  readonly keyPath: readonly KeyPathPart[];
  /** The class of the pickled module these are the parameters and buffers of; undefined for a dict. */
  readonly moduleClass?: string;
  /** 'module.' when DataParallel had prefixed every key (it is removed from `tensors`), else ''. */
  readonly strippedPrefix: '' | 'module.';
  /** Keys without `strippedPrefix`, in saved order. */
  readonly tensors: ReadonlyArray<readonly [string, TensorRef]>;
  /** The object it was read from, so that what lies beside it can be told apart (ignoredObjects). */
  readonly source: object;
}

const DATA_PARALLEL_PREFIX = 'module.';

/** Deeper than any checkpoint nests; a pickle of a million nested lists stops here instead of walking them all. */
const MAX_DEPTH = 64;

/**
 * Tensors named across all pickled modules: far above any real network's (ResNet-152 has about 900), and a bound on
 * a file whose thousands of modules share one large submodule through the memo, which would otherwise be named
 * again under each (quadratic in the pickle's size).
 */
export const MAX_MODULE_TENSORS = 100_000;

/** Every tensor dictionary in the unpickled object, in the order a depth-first walk of the file meets them. */
export function findTensorDictionaries(root: unknown): TensorDictionary[] {
  const found: TensorDictionary[] = [];
  const budget = { named: 0 };
  walk(root, (value, keyPath) => {
    if (isPlaceholder(value)) {
      const module = moduleTensors(value, budget);
      if (module === undefined) return 'descend';
      if (module.length > 0) found.push(dictionary(keyPath, module, value, value.qualifiedName));
      return 'skip'; // its _parameters and _modules are read above, not found again as dicts of their own
    }
    if (value instanceof Map) {
      const tensors = tensorEntries(value);
      if (tensors.some(([, tensor]) => tensor.shape.length >= 2) && !isOptimizerState(tensors))
        found.push(dictionary(keyPath, tensors, value));
    }
    return 'descend';
  });
  return found;
}

/**
 * The class names of the objects kept as inert placeholders that the conversion leaves aside: everything in the
 * file but the chosen dictionary's tensors and, for a pickled module, the module itself; an object's own parts are
 * not named apart from it. Distinct, in file order, without Python's own plumbing (`builtins.set` …).
 */
export function ignoredObjects(
  root: unknown,
  chosen: TensorDictionary,
  nameOf: (value: unknown) => string | undefined,
): string[] {
  const names: string[] = [];
  walk(root, (value) => {
    if (value === chosen.source && chosen.moduleClass !== undefined) return 'skip';
    const name = nameOf(value);
    if (name !== undefined && !isPlumbing(name) && !names.includes(name)) names.push(name);
    // An object's own parts (an optimizer's defaultdict, a numpy array's dtype) are not named apart from it.
    return isPlaceholder(value) && !isPlumbing(value.qualifiedName) ? 'skip' : 'descend';
  });
  return names;
}

function isPlumbing(name: string): boolean {
  return /^(builtins|__builtin__|copyreg|copy_reg|_codecs)\./.test(name) || name === 'collections.defaultdict';
}

type Visit = (value: unknown, keyPath: readonly KeyPathPart[]) => 'descend' | 'skip';

/** Depth-first, each object once (pickles share and may cycle through the memo), iteratively, at most MAX_DEPTH deep. */
function walk(root: unknown, visit: Visit): void {
  const seen = new Set<unknown>();
  const stack: Array<{ readonly value: unknown; readonly keyPath: readonly KeyPathPart[] }> = [
    { value: root, keyPath: [] },
  ];
  while (stack.length > 0) {
    const { value, keyPath } = stack.pop()!;
    if (typeof value !== 'object' && typeof value !== 'function') continue;
    if (value === null || seen.has(value)) continue;
    seen.add(value);
    if (visit(value, keyPath) === 'skip' || keyPath.length >= MAX_DEPTH) continue;
    const children: Array<readonly [KeyPathPart, unknown]> = [];
    if (value instanceof Map) {
      for (const [key, child] of value) children.push([typeof key === 'number' ? key : String(key), child]);
    } else if (Array.isArray(value)) {
      value.forEach((child, index) => children.push([index, child]));
    } else if (isPlaceholder(value)) {
      const state = placeholderState(value);
      if (state instanceof Map) for (const [key, child] of state) children.push([String(key), child]);
      else if (state !== undefined) children.push(['__state__', state]);
    }
    // Pushed in reverse, popped in file order.
    for (let index = children.length - 1; index >= 0; index--) {
      const [key, child] = children[index]!;
      stack.push({ value: child, keyPath: [...keyPath, key] });
    }
  }
}

/** What torch.optim keeps per parameter (`optimizer.state_dict()['state'][i]`): buffers, not a network's weights. */
const OPTIMIZER_STATE_KEYS = new Set([
  'momentum_buffer',
  'exp_avg',
  'exp_avg_sq',
  'max_exp_avg_sq',
  'square_avg',
  'acc_delta',
  'grad_avg',
  'sum',
  'step',
  'ax',
  'eta',
  'mu',
  'prev',
  'step_size',
]);

function isOptimizerState(tensors: ReadonlyArray<readonly [string, TensorRef]>): boolean {
  return tensors.every(([key]) => OPTIMIZER_STATE_KEYS.has(key));
}

function tensorEntries(dict: Map<unknown, unknown>): Array<readonly [string, TensorRef]> {
  const tensors: Array<readonly [string, TensorRef]> = [];
  for (const [key, value] of dict) if (typeof key === 'string' && isTensorRef(value)) tensors.push([key, value]);
  return tensors;
}

/**
 * A pickled nn.Module's tensors as `module.state_dict()` names and orders them: its own parameters, then its
 * buffers, then each child's under `<child>.`. Undefined when the placeholder is not a module (no `_modules`).
 */
function moduleTensors(
  module: Placeholder,
  budget: { named: number },
): Array<readonly [string, TensorRef]> | undefined {
  if (!isModuleState(placeholderState(module))) return undefined;
  const tensors: Array<readonly [string, TensorRef]> = [];
  const seen = new Set<unknown>();
  const pending: Array<{ readonly module: Placeholder; readonly prefix: string; readonly depth: number }> = [
    { module, prefix: '', depth: 0 },
  ];
  while (pending.length > 0) {
    const { module: current, prefix, depth } = pending.pop()!;
    const state = placeholderState(current);
    if (!isModuleState(state) || seen.has(current) || depth > MAX_DEPTH) continue;
    seen.add(current);
    for (const field of ['_parameters', '_buffers']) {
      const entries = state.get(field);
      if (!(entries instanceof Map)) continue;
      for (const [name, tensor] of tensorEntries(entries)) {
        budget.named += 1;
        if (budget.named > MAX_MODULE_TENSORS) {
          throw new CheckpointError(
            'too-large',
            `the pickled modules name more than ${MAX_MODULE_TENSORS} tensors: no network has that many`,
          );
        }
        tensors.push([prefix + name, tensor]);
      }
    }
    const children = state.get('_modules');
    const next: Array<(typeof pending)[number]> = [];
    if (children instanceof Map) {
      for (const [name, child] of children) {
        if (typeof name === 'string' && isPlaceholder(child))
          next.push({ module: child, prefix: `${prefix}${name}.`, depth: depth + 1 });
      }
    }
    // Depth-first in declaration order, as state_dict() recurses.
    for (let index = next.length - 1; index >= 0; index--) pending.push(next[index]!);
  }
  return tensors;
}

function isModuleState(state: unknown): state is Map<unknown, unknown> {
  return state instanceof Map && state.get('_modules') instanceof Map && state.get('_parameters') instanceof Map;
}

function dictionary(
  keyPath: readonly KeyPathPart[],
  tensors: Array<readonly [string, TensorRef]>,
  source: object,
  moduleClass?: string,
): TensorDictionary {
  const prefixed = tensors.every(([key]) => key.startsWith(DATA_PARALLEL_PREFIX));
  return {
    path: pythonPath(keyPath),
    key: dottedKey(keyPath),
    keyPath,
    ...(moduleClass === undefined ? {} : { moduleClass }),
    strippedPrefix: prefixed ? DATA_PARALLEL_PREFIX : '',
    tensors: prefixed
      ? tensors.map(([key, tensor]) => [key.slice(DATA_PARALLEL_PREFIX.length), tensor] as const)
      : tensors,
    source,
  };
}

/** `checkpoint['network']['model'][0]`: how a user would reach it in Python after torch.load. */
export function pythonPath(keyPath: readonly KeyPathPart[]): string {
  return `checkpoint${keyPath.map((part) => (typeof part === 'number' ? `[${part}]` : `[${quote(part, 40)}]`)).join('')}`;
}

/** `network.model.0`, or `.` for the root: the `--key` that names it. */
export function dottedKey(keyPath: readonly KeyPathPart[]): string {
  return keyPath.length === 0 ? '.' : keyPath.join('.');
}
