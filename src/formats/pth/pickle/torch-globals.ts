import { STORAGE_CLASS_DTYPES, UNSUPPORTED_STORAGE_CLASSES } from '../dtypes.js';
import { CheckpointError, quote } from '../errors.js';
import { StorageRef, TensorRef, describeValue, isStorageRef, isTensorRef } from '../torch-objects.js';
import type { Dtype } from '../types.js';
import type { PickleCallable, PickleResolvers } from './unpickler.js';
import { isPlaceholder, setPlaceholderState, standInGlobal, standInName } from './placeholders.js';

/**
 * The allow-list: the only Python globals a checkpoint's pickle may name, as
 * torch.load(weights_only=True) does. Each is implemented here as a small
 * function over plain data; nothing named by the file is ever looked up
 * anywhere else, let alone run.
 */

/** What one unpickling learns about the file, shared by the globals and the persistent ids. */
export interface TorchUnpickleState {
  /** Names the pickle in messages: 'data.pkl', 'the object pickle'. */
  readonly where: string;
  /** Owning storages by key, as their persistent ids declared them. */
  readonly storages: Map<string, { readonly dtype: Dtype; readonly numel: number }>;
  /** torch <= 0.3 rebuilt tensors with `_rebuild_tensor`; seeing it dates the file. */
  usedRebuildTensorV1: boolean;
}

export type TorchResolvers = PickleResolvers;

/** Resolves the registered globals, else an inert stand-in (placeholders.ts), else (a hostile name) refuses it by name. */
class AllowList {
  private readonly registered = new Map<string, PickleCallable>();

  register(module: string, name: string, fn: PickleCallable): void {
    this.registered.set(`${module}.${name}`, fn);
  }

  /** One stand-in per name and read: a pickle that names a class a million times makes one, not a million. */
  private readonly standIns = new Map<string, PickleCallable>();

  resolve(module: string, name: string): PickleCallable {
    const qualified = `${module}.${name}`;
    return this.registered.get(qualified) ?? this.standIn(module, name) ?? this.refuse(module, name);
  }

  private standIn(module: string, name: string): PickleCallable | undefined {
    const qualified = `${module}.${name}`;
    const known = this.standIns.get(qualified);
    if (known !== undefined) return known;
    const made = standInGlobal(module, name);
    if (made !== undefined) this.standIns.set(qualified, made);
    return made;
  }

  private refuse(module: string, name: string): never {
    const qualified = `${module}.${name}`;
    if ((module === 'torch' || module === 'torch.cuda') && UNSUPPORTED_STORAGE_CLASSES.includes(name)) {
      throw new CheckpointError(
        'unsupported-dtype',
        `unsupported storage type '${qualified}' in pickle: only float, integer and bool storages can be read`,
      );
    }
    throw new CheckpointError(
      'disallowed-global',
      `unsupported global ${quote(qualified)} in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))`,
    );
  }
}

/** Resolvers for a pickle that may only hold plain data (legacy headers, key lists). */
export function plainDataResolvers(where: string): TorchResolvers {
  const allowList = new AllowList();
  return {
    resolveGlobal: (module, name) => allowList.resolve(module, name),
    resolvePersistent(pid: unknown): never {
      throw new CheckpointError('bad-persistent-id', `unexpected persistent id in ${where}: ${describeValue(pid)}`);
    },
  };
}

/**
 * Fresh resolvers for one unpickling, because the registered functions close
 * over `state`. Frozen all the same: no opcode of ours assigns onto objects,
 * and none of them should ever be writable by anything the file says.
 */
export function torchResolvers(state: TorchUnpickleState): TorchResolvers {
  const registry = new AllowList();
  const allow = (module: string, name: string, fn: PickleCallable): void => {
    registry.register(module, name, Object.freeze(fn));
  };
  const dtypeOfStorageClass = new Map<unknown, Dtype>();

  for (const [className, dtype] of Object.entries(STORAGE_CLASS_DTYPES)) {
    // Storage classes only ever appear as the type inside a persistent id;
    // a pickle that calls one is trying to build a storage from its own bytes.
    const marker: PickleCallable = () => {
      throw new CheckpointError(
        'malformed-pickle',
        `malformed pickle in ${state.where}: torch.${className} is called instead of named in a persistent id`,
      );
    };
    for (const module of ['torch', 'torch.cuda']) {
      allow(module, className, marker);
    }
    dtypeOfStorageClass.set(marker, dtype);
  }

  allow('collections', 'OrderedDict', (...args) => orderedDict(state.where, args));
  allow('torch', 'Size', (...args) => torchSize(state.where, args));
  allow('torch._utils', '_rebuild_tensor', (...args) => {
    state.usedRebuildTensorV1 = true;
    return rebuildTensor(state.where, '_rebuild_tensor', args, 4, 4);
  });
  // torch 2.x appends a `metadata` argument to the 6 of torch 0.4–1.x.
  allow('torch._utils', '_rebuild_tensor_v2', (...args) =>
    rebuildTensor(state.where, '_rebuild_tensor_v2', args, 4, 7),
  );
  // A Parameter saved as such (keep_vars=True, or an optimizer's param list) wraps a tensor.
  allow('torch._utils', '_rebuild_parameter', (...args) => parameterData(state.where, '_rebuild_parameter', args));
  allow('torch._utils', '_rebuild_parameter_with_state', (...args) =>
    parameterData(state.where, '_rebuild_parameter_with_state', args),
  );

  return {
    resolveGlobal: (module, name) => registry.resolve(module, name),
    resolvePersistent: (pid: unknown) => moduleClass(pid) ?? resolveStorage(state, dtypeOfStorageClass, pid),
    isInert: isPlaceholder,
    keepState: setPlaceholderState,
  };
}

/**
 * torch.save of a whole module in the legacy format (torch < 1.6) names each nn.Module class by a persistent id,
 * `('module', cls, source file, source code)`, so that torch.load can warn when the source changed. The class is a
 * GLOBAL of the pickle, already resolved to its inert stand-in (or refused): that stand-in is the value. The
 * source code is a string, never looked at.
 */
function moduleClass(pid: unknown): unknown {
  if (!Array.isArray(pid) || pid.length !== 4 || pid[0] !== 'module') return undefined;
  const cls: unknown = pid[1];
  return standInName(cls) !== undefined && typeof cls === 'function' ? cls : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isCountList(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every(isCount);
}

function orderedDict(where: string, args: readonly unknown[]): Map<unknown, unknown> {
  const dict = new Map<unknown, unknown>();
  if (args.length === 0) return dict;
  const [items] = args;
  // OrderedDict([(k, v), …]): torch never writes it, but it is plain data.
  if (args.length === 1 && Array.isArray(items) && items.every((item) => Array.isArray(item) && item.length === 2)) {
    for (const [key, value] of items as ReadonlyArray<readonly [unknown, unknown]>) dict.set(key, value);
    return dict;
  }
  throw new CheckpointError(
    'malformed-pickle',
    `malformed pickle in ${where}: collections.OrderedDict called with ${describeValue(items)}`,
  );
}

function torchSize(where: string, args: readonly unknown[]): readonly number[] {
  const [dims] = args;
  if (args.length !== 1 || !isCountList(dims)) {
    throw new CheckpointError(
      'bad-tensor',
      `malformed tensor in ${where}: torch.Size expects a tuple of sizes, got ${describeValue(dims)}`,
    );
  }
  return Object.freeze([...dims]);
}

function rebuildTensor(
  where: string,
  fn: string,
  args: readonly unknown[],
  minArgs: number,
  maxArgs: number,
): TensorRef {
  const fail = (what: string): never => {
    throw new CheckpointError('bad-tensor', `malformed tensor in ${where}: ${fn} ${what}`);
  };
  if (args.length < minArgs || args.length > maxArgs) {
    fail(`expects ${minArgs === maxArgs ? minArgs : `${minArgs} to ${maxArgs}`} arguments, got ${args.length}`);
  }
  const [storage, offset, size, stride] = args;
  if (!isStorageRef(storage)) return fail(`expects a storage first, got ${describeValue(storage)}`);
  if (!isCount(offset)) return fail(`expects a storage offset, got ${describeValue(offset)}`);
  if (!isCountList(size)) return fail(`expects a size of non-negative integers, got ${describeValue(size)}`);
  if (!isCountList(stride)) return fail(`expects a stride of non-negative integers, got ${describeValue(stride)}`);
  if (stride.length !== size.length)
    return fail(`got a size of ${size.length} dimensions but a stride of ${stride.length}`);
  return new TensorRef(storage, offset, Object.freeze([...size]), Object.freeze([...stride]));
}

function parameterData(where: string, fn: string, args: readonly unknown[]): TensorRef {
  const [data] = args;
  if (!isTensorRef(data)) {
    throw new CheckpointError(
      'bad-tensor',
      `malformed tensor in ${where}: ${fn} expects a tensor first, got ${describeValue(data)}`,
    );
  }
  return data;
}

/**
 * A persistent id is `('storage', storage class, key, location, numel)`, and
 * in the legacy formats a sixth item, `view_metadata`: None, or
 * `(view_key, offset, size)` when torch <= 0.3 saved a slice of a storage.
 */
function resolveStorage(
  state: TorchUnpickleState,
  dtypeOfStorageClass: ReadonlyMap<unknown, Dtype>,
  pid: unknown,
): StorageRef {
  const fail = (what: string): never => {
    throw new CheckpointError('bad-persistent-id', `malformed persistent id in ${state.where}: ${what}`);
  };
  if (!Array.isArray(pid) || (pid.length !== 5 && pid.length !== 6)) {
    return fail(`expected ('storage', storage type, key, location, numel), got ${describeValue(pid)}`);
  }
  const [kind, storageClass, key, location, numel, view] = pid as unknown[];
  if (kind !== 'storage') return fail(`expected a 'storage' id, got ${describeValue(kind)}`);
  const dtype = dtypeOfStorageClass.get(storageClass);
  if (dtype === undefined)
    return fail(`expected a storage type such as torch.FloatStorage, got ${describeValue(storageClass)}`);
  if (typeof key !== 'string') return fail(`expected a storage key string, got ${describeValue(key)}`);
  if (typeof location !== 'string') return fail(`storage ${quote(key)} has location ${describeValue(location)}`);
  if (!isCount(numel)) return fail(`storage ${quote(key)} has element count ${describeValue(numel)}`);

  const declared = state.storages.get(key);
  if (declared === undefined) {
    state.storages.set(key, { dtype, numel });
  } else if (declared.dtype !== dtype || declared.numel !== numel) {
    return fail(
      `storage ${quote(key)} is declared as ${declared.numel} × ${declared.dtype} and again as ${numel} × ${dtype}`,
    );
  }

  if (view === undefined || view === null) return new StorageRef(key, dtype, 0, numel);
  if (!Array.isArray(view) || view.length !== 3)
    return fail(`storage ${quote(key)} has view metadata ${describeValue(view)}`);
  const [, viewOffset, viewSize] = view as unknown[];
  if (!isCount(viewOffset) || !isCount(viewSize)) {
    return fail(
      `storage ${quote(key)} has a view with offset ${describeValue(viewOffset)} and size ${describeValue(viewSize)}`,
    );
  }
  if (viewOffset + viewSize > numel) {
    throw new CheckpointError(
      'storage-too-small',
      `a view of storage ${quote(key)} needs ${viewSize} elements from offset ${viewOffset} but the storage holds ${numel}`,
    );
  }
  return new StorageRef(key, dtype, viewOffset, viewSize);
}
