/**
 * Checkpoints pickle more than tensors: a whole `nn.Module` (`torch.save(model)`), the optimizer object, a loss
 * (`nn.CrossEntropyLoss()`), a scheduler whose state holds a `collections.Counter`, an `argparse.Namespace`, numpy
 * scalars, the user's own classes (`__main__.Net`). torch.load(weights_only=True) refuses all of them. Here a global
 * that is not on the tensor allow-list resolves to an inert stand-in instead: nothing is imported, looked up,
 * constructed or run. REDUCE and NEWOBJ on a stand-in make a Placeholder that records the class name and nothing
 * else; BUILD hands a Placeholder the state Python would have put in its `__dict__`, which is kept as the plain data
 * the pickle built (Maps, arrays, tensors), never applied to anything. That is how a pickled module's
 * `_parameters` / `_buffers` / `_modules` are read (src/formats/pth/tensor-dictionaries.ts).
 *
 * Globals that only an attack names (os.system, builtins.eval, subprocess.Popen, torch.load …) are still refused by
 * name: nothing would run them here either, but a file that names them was made to attack, and says so.
 */

/** Modules whose globals are code execution or system access: a checkpoint that names one is hostile. */
const HOSTILE_MODULES: readonly string[] = [
  'os',
  'posix',
  'nt',
  'subprocess',
  'sys',
  'builtins',
  '__builtin__',
  'importlib',
  'runpy',
  'pickle',
  '_pickle',
  'cPickle',
  'shutil',
  'socket',
  'ctypes',
  'code',
  'codeop',
  'pty',
  'webbrowser',
  'multiprocessing',
  'threading',
  '_thread',
  'signal',
  'marshal',
  'types',
  'inspect',
  'asyncio',
  'tempfile',
  'pathlib',
  'glob',
  'io',
  '_io',
  'http',
  'urllib',
  'urllib2',
  'requests',
  'ftplib',
  'smtplib',
  'telnetlib',
  'operator',
  '_operator',
  'functools',
  'timeit',
  'pdb',
  'bdb',
  'site',
  'pip',
  'setuptools',
  'distutils',
];

/**
 * torch's own machinery beyond the allow-list (loaders, compilers, hubs, tensors of kinds it cannot read), each with
 * its submodules; `torch` itself only exactly, so that `torch.nn.modules.conv.Conv2d` and `torch.optim.sgd.SGD` are
 * stand-ins.
 */
const HOSTILE_TORCH_MODULES: readonly string[] = [
  'torch._utils',
  'torch._C',
  'torch._tensor',
  'torch.storage',
  'torch.serialization',
  'torch.hub',
  'torch.jit',
  'torch.package',
  'torch.utils',
  'torch.cuda',
  'torch.distributed',
  'torch.ops',
];

/** Plain data types of builtins: what a pickled module's `_non_persistent_buffers_set` (a set) needs. */
const BUILTIN_DATA_TYPES = new Set([
  'dict',
  'list',
  'set',
  'frozenset',
  'tuple',
  'object',
  'int',
  'float',
  'complex',
  'str',
  'bytes',
  'bytearray',
  'bool',
  'slice',
  'range',
]);

/** `torch.float32`, `torch.device` … as values in a pickled module's attributes. */
const TORCH_VALUE_NAME =
  /^(u?int\d*|float\d*|bfloat16|half|double|long|short|bool|complex\d*|cfloat|cdouble|device|dtype|qint\d+|quint\d+|memory_format|contiguous_format|channels_last|preserve_format|strided|sparse_coo)$/;

/** A Python module path or (possibly nested) class name. */
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Globals that rebuild an object from a class given as their first argument (protocol 0–2 `__reduce_ex__`). */
const RECONSTRUCTORS = new Set([
  'copyreg._reconstructor',
  'copy_reg._reconstructor',
  'copyreg.__newobj__',
  // numpy arrays: _reconstruct(numpy.ndarray, (0,), b'b'), then BUILD with the array's shape, dtype and bytes.
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
]);

/** The class name of each stand-in this module made, for NEWOBJ, `_reconstructor` and the `ignored:` line. */
const standInNames = new WeakMap<object, string>();

/** Placeholders this module made: pickle data cannot forge one (see torch-objects.ts on brands). */
const genuinePlaceholders = new WeakSet<object>();

/** What BUILD handed each placeholder: the pickle's own plain data, kept out of the frozen object. */
const builtStates = new WeakMap<object, unknown>();

/** A pickled object kept by its class name only. Frozen; see placeholderState for what BUILD gave it. */
export class Placeholder {
  constructor(readonly qualifiedName: string) {
    genuinePlaceholders.add(this);
    Object.freeze(this);
  }

  describe(): string {
    return `a pickled ${this.qualifiedName} object`;
  }
}

/** True only for placeholders made here (a WeakSet brand, not `instanceof`, which pickle data could forge). */
export function isPlaceholder(value: unknown): value is Placeholder {
  return typeof value === 'object' && value !== null && genuinePlaceholders.has(value);
}

/** The state BUILD gave a placeholder (a pickled module's `__dict__`: a Map), or undefined. */
export function placeholderState(placeholder: Placeholder): unknown {
  return builtStates.get(placeholder);
}

/** Records BUILD's state on a placeholder; a second BUILD replaces it, as a second `__dict__.update` would win. */
export function setPlaceholderState(placeholder: unknown, state: unknown): void {
  if (isPlaceholder(placeholder)) builtStates.set(placeholder, state);
}

/** The qualified name of a stand-in class or of a placeholder's class; undefined for anything else. */
export function standInName(value: unknown): string | undefined {
  if (isPlaceholder(value)) return value.qualifiedName;
  return (typeof value === 'function' || typeof value === 'object') && value !== null
    ? standInNames.get(value)
    : undefined;
}

/** True when a checkpoint that names this global was made to attack: it is refused by name. */
export function isHostileGlobal(module: string, name: string): boolean {
  // No Python module or class is named with NUL bytes or spaces: only a crafted file names one.
  if (!DOTTED_NAME.test(module) || !DOTTED_NAME.test(name)) return true;
  if ((module === 'builtins' || module === '__builtin__') && BUILTIN_DATA_TYPES.has(name)) return false;
  if (module === 'torch') return !TORCH_VALUE_NAME.test(name);
  const within = (hostile: string) => module === hostile || module.startsWith(`${hostile}.`);
  return HOSTILE_MODULES.some(within) || HOSTILE_TORCH_MODULES.some(within);
}

/**
 * The inert stand-in for a global that is neither allow-listed nor hostile. Called (REDUCE) or constructed (NEWOBJ)
 * it returns a new Placeholder of its class and takes no notice of its arguments; `collections.defaultdict` returns
 * an empty Map instead, so that SETITEMS can fill it as Python would (an optimizer's `state`).
 */
export function standInGlobal(module: string, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (isHostileGlobal(module, name)) return undefined;
  const qualified = `${module}.${name}`;
  const standIn =
    qualified === 'collections.defaultdict'
      ? function dictLike(): Map<unknown, unknown> {
          return new Map();
        }
      : RECONSTRUCTORS.has(qualified)
        ? function reconstructed(cls?: unknown): Placeholder {
            return new Placeholder(standInName(cls) ?? qualified);
          }
        : function placeholder(): Placeholder {
            return new Placeholder(qualified);
          };
  standInNames.set(standIn, qualified);
  return Object.freeze(standIn);
}
