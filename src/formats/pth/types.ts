/**
 * Public types of the checkpoint reader. Lookup-map typing (as in ONNX
 * Runtime's js/common): a tensor's `dtype` decides the type of its `data`, so
 * `if (t.dtype === 'int64') t.data` is a BigInt64Array without casts.
 */

/**
 * Floating dtypes: materialised as Float32Array unless `keepDtype` is set.
 *
 * @example
 * ```ts
 * import type { FloatingDtype } from 'nin-sdk';
 * const dtype: FloatingDtype = 'bfloat16'; // read into a Float32Array unless keepDtype is set
 * ```
 */
export type FloatingDtype = 'float32' | 'float64' | 'float16' | 'bfloat16';

/**
 * Integer and boolean dtypes: always kept in their own typed array, exactly.
 *
 * @example
 * ```ts
 * import type { IntegerDtype } from 'nin-sdk';
 * const dtype: IntegerDtype = 'int64'; // read into a BigInt64Array, exactly
 * ```
 */
export type IntegerDtype = 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * A tensor's dtype as PyTorch names it.
 *
 * @example
 * ```ts
 * import type { Dtype } from 'nin-sdk';
 * const floating: Dtype[] = ['float32', 'float64', 'float16', 'bfloat16'];
 * ```
 */
export type Dtype = FloatingDtype | IntegerDtype;

/**
 * The typed array that holds each dtype's values as they are in the file.
 * float16 and bfloat16 are raw 16-bit patterns (Float16Array is not in Node 20).
 * bool is one byte per value, 0 or 1.
 *
 * @example
 * ```ts
 * import type { RawArrayOf } from 'nin-sdk';
 * const halfBits: RawArrayOf['float16'] = new Uint16Array(4);
 * ```
 */
export interface RawArrayOf {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/**
 * The default materialisation: every floating dtype becomes float32.
 *
 * @example
 * ```ts
 * import type { ConvertedArrayOf } from 'nin-sdk';
 * const weights: ConvertedArrayOf['float16'] = new Float32Array(4); // float16 comes as float32
 * ```
 */
export type ConvertedArrayOf = {
  [D in Dtype]: D extends FloatingDtype ? Float32Array : RawArrayOf[D];
};

/**
 * A tensor of any dtype, its data typed by `ArrayOf` (the default materialisation, or the raw one).
 *
 * @example
 * ```ts
 * import type { ConvertedArrayOf, TensorOf } from 'nin-sdk';
 * const tensor: TensorOf<ConvertedArrayOf> = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) };
 * ```
 */
export type TensorOf<ArrayOf extends Record<Dtype, unknown>> = {
  [D in Dtype]: {
    /** The dtype the tensor had in PyTorch (not the dtype of `data`). */
    readonly dtype: D;
    readonly shape: readonly number[];
    /**
     * Values in C-contiguous (row-major) order. May be a view into the bytes
     * given to readCheckpoint, and tensors that shared a storage in PyTorch may
     * share memory here: treat it as read-only, copy before mutating.
     */
    readonly data: ArrayOf[D];
  };
}[Dtype];

/**
 * A tensor as readCheckpoint returns it by default.
 *
 * @example
 * ```ts
 * import { readCheckpoint, type CheckpointTensor } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const weight: CheckpointTensor | undefined = readCheckpoint(readFileSync('nin.pth')).tensors.get('classifier.0.weight');
 * if (weight?.dtype === 'float32') console.log(weight.shape, weight.data.length);
 * ```
 */
export type CheckpointTensor = TensorOf<ConvertedArrayOf>;

/**
 * A tensor as readCheckpoint returns it with `{ keepDtype: true }`.
 *
 * @example
 * ```ts
 * import { readCheckpoint, type RawCheckpointTensor } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const tensors: ReadonlyMap<string, RawCheckpointTensor> = readCheckpoint(readFileSync('half.pth'), { keepDtype: true }).tensors;
 * ```
 */
export type RawCheckpointTensor = TensorOf<RawArrayOf>;

/** A floating tensor in the default materialisation: its data is Float32Array. */
export type FloatCheckpointTensor = Extract<CheckpointTensor, { dtype: FloatingDtype }>;

/**
 * 'zip': torch >= 1.6. 'legacy': the pickle stream of torch 0.4 to 1.5.
 * 'legacy-v1': the same stream from torch <= 0.3, whose tensors are rebuilt
 * with `torch._utils._rebuild_tensor`.
 *
 * @example
 * ```ts
 * import { readCheckpoint, type CheckpointFormat } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const format: CheckpointFormat = readCheckpoint(readFileSync('nin.pth')).format; // 'zip' from torch >= 1.6
 * ```
 */
export type CheckpointFormat = 'zip' | 'legacy' | 'legacy-v1';

/**
 * Where the state_dict was found in the unpickled object: 'bare' at the root, else the key that holds it
 * ('state_dict', 'model', 'net' for readCheckpoint; any key, `network`, `model_state` …, for openCheckpointContents).
 *
 * @example
 * ```ts
 * import { readCheckpoint, type CheckpointWrapper } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const wrapper: CheckpointWrapper = readCheckpoint(readFileSync('nin.pth.tar')).wrapper; // 'state_dict'
 * ```
 */
export type CheckpointWrapper = string;

/**
 * A plain scalar saved beside the state_dict (`best_acc`, `epoch`, `arch` …).
 *
 * @example
 * ```ts
 * import { readCheckpoint, type ExtraValue } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const bestAccuracy: ExtraValue | undefined = readCheckpoint(readFileSync('nin.pth.tar')).extras['best_acc'];
 * ```
 */
export type ExtraValue = number | string | boolean | null;

/**
 * What `readCheckpoint` read: the state_dict's tensors in saved order, where they were found, and the scalars and
 * objects saved beside them.
 *
 * @example
 * ```ts
 * import { readCheckpoint, type Checkpoint } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const checkpoint: Checkpoint = readCheckpoint(readFileSync('nin.pth.tar'));
 * console.log(checkpoint.format, checkpoint.wrapper, [...checkpoint.tensors.keys()], checkpoint.extras);
 * ```
 */
export interface Checkpoint<Tensor = CheckpointTensor> {
  readonly format: CheckpointFormat;
  /** The state_dict, in the order PyTorch saved it, with `strippedPrefix` removed. */
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly wrapper: CheckpointWrapper;
  /** 'module.' when DataParallel had prefixed every key (and it was removed), else ''. */
  readonly strippedPrefix: '' | 'module.';
  /**
   * Plain scalars saved next to the state_dict (best_acc, epoch, arch …).
   * One-element tensors become numbers; containers (optimizer state) are left out.
   */
  readonly extras: Readonly<Record<string, ExtraValue>>;
  /**
   * Non-tensor objects beside the state_dict (a pickled optimizer, an argparse Namespace) that were kept as
   * inert placeholders, never constructed: `optimizer (torch.optim.sgd.SGD)`. Empty for most files.
   */
  readonly placeholders: readonly string[];
}

/**
 * How `readCheckpoint` materialises tensors.
 *
 * @example
 * ```ts
 * import { readCheckpoint, type ReadCheckpointOptions } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const options: ReadCheckpointOptions = { keepDtype: true };
 * const { tensors } = readCheckpoint(readFileSync('half.pth'), options);
 * ```
 */
export interface ReadCheckpointOptions {
  /** Keep floating tensors in their own dtype instead of converting to float32. */
  readonly keepDtype?: boolean;
}
