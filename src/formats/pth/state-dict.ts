import { CheckpointError, quote } from './errors.js';
import { isPlaceholder } from './pickle/placeholders.js';
import { describeValue, isTensorRef, type TensorRef } from './torch-objects.js';
import type { CheckpointWrapper, ExtraValue } from './types.js';

/**
 * Finds the state_dict inside the unpickled object. Training scripts save it
 * bare (`torch.save(model.state_dict())`), or in a dict next to training
 * state (`{'state_dict': …, 'best_acc': …, 'optimizer': …}`), or under
 * 'model' or (kuangliu/pytorch-cifar and its forks) 'net'. DataParallel prefixes every key with 'module.'.
 */

/** Wrapper keys, in the order they are tried. */
const WRAPPER_KEYS = ['state_dict', 'model', 'net'] as const satisfies readonly CheckpointWrapper[];

const DATA_PARALLEL_PREFIX = 'module.';

export interface FoundStateDict {
  readonly wrapper: CheckpointWrapper;
  readonly strippedPrefix: '' | 'module.';
  /** Keys already without `strippedPrefix`, in saved order. */
  readonly tensors: ReadonlyArray<readonly [string, TensorRef]>;
  /** Scalars next to the state_dict; one-element tensors are resolved later. */
  readonly extras: ReadonlyArray<readonly [string, ExtraValue | TensorRef]>;
  /** Entries beside the state_dict kept as inert placeholders: `optimizer (torch.optim.sgd.SGD)`. */
  readonly placeholders: readonly string[];
}

export function findStateDict(root: unknown): FoundStateDict {
  if (!(root instanceof Map)) {
    throw new CheckpointError(
      'not-a-state-dict',
      `expected a state_dict (a mapping of names to tensors), found ${describeValue(root)}`,
    );
  }
  const bare = tensorEntries(root);
  if (bare.tensors !== undefined) return { ...withoutPrefix('bare', bare.tensors, []), placeholders: [] };

  for (const wrapper of WRAPPER_KEYS) {
    if (!root.has(wrapper)) continue;
    const inner: unknown = root.get(wrapper);
    if (!(inner instanceof Map)) {
      throw new CheckpointError(
        'not-a-state-dict',
        `expected ${quote(wrapper)} to hold a state_dict (a mapping of names to tensors), found ${describeValue(inner)}`,
      );
    }
    const found = tensorEntries(inner);
    if (found.tensors === undefined) {
      throw new CheckpointError(
        'not-a-state-dict',
        `expected ${quote(wrapper)} to hold a state_dict (a mapping of names to tensors), but ${found.problem}`,
      );
    }
    return {
      ...withoutPrefix(wrapper, found.tensors, extrasBeside(root, wrapper)),
      placeholders: placeholdersBeside(root, wrapper),
    };
  }
  throw new CheckpointError(
    'not-a-state-dict',
    `expected a state_dict (a mapping of names to tensors) or a dict with one under 'state_dict', 'model' or 'net', but ${bare.problem}`,
  );
}

type TensorEntries =
  | { readonly tensors: Array<readonly [string, TensorRef]>; readonly problem?: undefined }
  | { readonly tensors?: undefined; readonly problem: string };

function tensorEntries(dict: Map<unknown, unknown>): TensorEntries {
  const tensors: Array<readonly [string, TensorRef]> = [];
  for (const [key, value] of dict) {
    if (typeof key !== 'string') return { problem: `one of its keys is ${describeValue(key)}` };
    if (!isTensorRef(value)) return { problem: `its entry ${quote(key)} is ${describeValue(value)}` };
    tensors.push([key, value]);
  }
  return { tensors };
}

function extrasBeside(root: Map<unknown, unknown>, wrapper: string): Array<readonly [string, ExtraValue | TensorRef]> {
  const extras: Array<readonly [string, ExtraValue | TensorRef]> = [];
  for (const [key, value] of root) {
    const extra = typeof key === 'string' && key !== wrapper ? asExtra(value) : undefined;
    if (extra !== undefined) extras.push([key as string, extra]);
  }
  return extras;
}

/**
 * A value kept beside a state_dict as an extra (`best_acc`, `epoch`): a plain scalar or a one-element tensor;
 * undefined for containers (optimizer state, lists of milestones …), which are not extras.
 */
export function asExtra(value: unknown): ExtraValue | TensorRef | undefined {
  if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  // Python ints past 2^31 may come as bigint; beyond 2^53 keep every digit as text.
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (isTensorRef(value) && value.shape.every((size) => size === 1)) return value;
  return undefined;
}

function placeholdersBeside(root: Map<unknown, unknown>, wrapper: string): string[] {
  const names: string[] = [];
  for (const [key, value] of root) {
    if (typeof key === 'string' && key !== wrapper && isPlaceholder(value))
      names.push(`${key} (${value.qualifiedName})`);
  }
  return names;
}

function withoutPrefix(
  wrapper: CheckpointWrapper,
  tensors: Array<readonly [string, TensorRef]>,
  extras: Array<readonly [string, ExtraValue | TensorRef]>,
): Omit<FoundStateDict, 'placeholders'> {
  const prefixed = tensors.length > 0 && tensors.every(([key]) => key.startsWith(DATA_PARALLEL_PREFIX));
  if (!prefixed) return { wrapper, strippedPrefix: '', tensors, extras };
  return {
    wrapper,
    strippedPrefix: DATA_PARALLEL_PREFIX,
    tensors: tensors.map(([key, tensor]) => [key.slice(DATA_PARALLEL_PREFIX.length), tensor] as const),
    extras,
  };
}
