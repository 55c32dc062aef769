/**
 * Writes tensors as a PyTorch checkpoint, the zip format of torch >= 1.6, in Node and in browsers alike
 * (Uint8Array only): the way back from nin-sdk to PyTorch.
 *
 *   const bytes = writeCheckpoint(tensors, { extras: { best_acc: 89.64 } });
 *   // Python: torch.load('model.pth.tar')['state_dict'] → model.load_state_dict(…, strict=True)
 *
 * Layout as torch.save writes it: `archive/data.pkl` (protocol 2), `archive/byteorder` ('little'),
 * `archive/data/<key>` per tensor (stored, data 64-byte aligned), `archive/version` ('3\n').
 */
import { writeAlignedZip, type ZipEntry } from './aligned-zip.js';
import { orderedDict, StorageTable } from './checkpoint-object.js';
import { pickle, pyDict, pyFloat, pyInt, type PickleValue } from './pickle-writer.js';

/** A float32 tensor to save: C-contiguous (row-major) values of `shape`. */
export interface WritableTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface WriteCheckpointOptions {
  /**
   * 'bare': the state_dict itself (`torch.save(model.state_dict())`). 'state_dict': a dict holding the extras and
   * then the state_dict under 'state_dict' (`{'best_acc': …, 'state_dict': …}`), as pytorch-nin-cifar10 saves.
   * Default: 'state_dict' when there are extras, else 'bare'.
   */
  readonly wrapper?: 'bare' | 'state_dict';
  /**
   * Scalars saved beside the state_dict (best_acc, epoch, arch …). Safe integers become Python ints, other
   * numbers Python floats (or tensors: see `floatExtras`), strings str. Needs the 'state_dict' wrapper.
   */
  readonly extras?: Readonly<Record<string, number | string>>;
  /**
   * How non-integer extras are saved. 'python-float' (default): a Python float, as torch.save writes one; read by
   * torch.load in general, but refused by torch.load(weights_only=True) of torch 1.13–2.0, whose restricted
   * unpickler lacks the float opcode (BINFLOAT). 'float64-tensor': a 0-dim float64 tensor, which those
   * versions load with weights_only=True too (then `ckpt['best_acc'].item()` gives the value).
   */
  readonly floatExtras?: 'python-float' | 'float64-tensor';
}

/** The folder every entry lives in; torch >= 2 always writes 'archive' (torch 1.x used the file's stem). */
const ARCHIVE = 'archive';
/** torch.serialization's kProducedFileFormatVersion for files it writes without extra records. */
const FORMAT_VERSION = '3\n';
const WRAPPER_KEY = 'state_dict';

/**
 * Serialises a state_dict of float32 tensors as a PyTorch zip checkpoint that torch.load(weights_only=True) reads.
 * Keys keep their order. Throws RangeError/TypeError for a tensor whose shape does not match its data, for extras
 * that cannot be written, or extras without a wrapper to hold them.
 */
export function writeCheckpoint(
  tensors: ReadonlyMap<string, WritableTensor>,
  options: WriteCheckpointOptions = {},
): Uint8Array {
  const extras = Object.entries(options.extras ?? {});
  const wrapper = options.wrapper ?? (extras.length > 0 ? 'state_dict' : 'bare');
  if (wrapper !== 'bare' && wrapper !== 'state_dict')
    throw new RangeError(`writeCheckpoint: wrapper must be 'bare' or 'state_dict', got ${String(wrapper)}`);
  const floatExtras = options.floatExtras ?? 'python-float';
  if (floatExtras !== 'python-float' && floatExtras !== 'float64-tensor') {
    throw new RangeError(
      `writeCheckpoint: floatExtras must be 'python-float' or 'float64-tensor', got ${String(floatExtras)}`,
    );
  }
  if (wrapper === 'bare' && extras.length > 0) {
    throw new RangeError(
      `writeCheckpoint: extras (${extras.map(([k]) => k).join(', ')}) need the 'state_dict' wrapper; a bare state_dict holds only tensors`,
    );
  }

  const storages = new StorageTable();
  const extraValues = extras.map(([name, value]) => [name, extraValue(name, value, floatExtras, storages)] as const);
  const stateDict = orderedDict(
    [...tensors].map(([name, tensor]) => [name, tensorValue(name, tensor, storages)] as const),
  );
  const root: PickleValue = wrapper === 'bare' ? stateDict : pyDict([...extraValues, [WRAPPER_KEY, stateDict]]);

  const entries: ZipEntry[] = [
    { name: `${ARCHIVE}/data.pkl`, data: pickle(root) },
    { name: `${ARCHIVE}/byteorder`, data: new TextEncoder().encode('little') },
    // torch writes storages sorted by key as strings ('0', '1', '10', '11', …, '2').
    ...[...storages.records]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map(({ key, bytes }) => ({ name: `${ARCHIVE}/data/${key}`, data: bytes })),
    { name: `${ARCHIVE}/version`, data: new TextEncoder().encode(FORMAT_VERSION) },
  ];
  return writeAlignedZip(entries);
}

function tensorValue(name: string, tensor: WritableTensor, storages: StorageTable): PickleValue {
  if (name === '') throw new RangeError('writeCheckpoint: a tensor has an empty name');
  const { shape, data } = tensor;
  if (!(data instanceof Float32Array)) throw new TypeError(`writeCheckpoint: tensor ${name} must hold a Float32Array`);
  if (!shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new RangeError(
      `writeCheckpoint: tensor ${name} has shape [${shape.join(', ')}]; sizes must be whole numbers ≥ 0`,
    );
  }
  const numel = shape.reduce((count, size) => count * size, 1);
  if (numel !== data.length) {
    throw new RangeError(
      `writeCheckpoint: tensor ${name} has shape [${shape.join(', ')}] (${numel} values) but ${data.length} values`,
    );
  }
  return storages.tensor('float32', shape, littleEndianBytes(data));
}

function extraValue(
  name: string,
  value: number | string,
  floatExtras: 'python-float' | 'float64-tensor',
  storages: StorageTable,
): PickleValue {
  if (name === WRAPPER_KEY)
    throw new RangeError(`writeCheckpoint: '${WRAPPER_KEY}' cannot be an extra: it holds the tensors`);
  if (typeof value === 'string') return value;
  if (typeof value !== 'number')
    throw new TypeError(`writeCheckpoint: extra ${name} must be a number or a string, got ${typeof value}`);
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return pyInt(value);
  if (floatExtras === 'python-float') return pyFloat(value);
  return storages.tensor('float64', [], littleEndianBytes(Float64Array.of(value)));
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The array's bytes in little-endian order: a view on little-endian hosts (all but exotic ones), else a swapped copy. */
function littleEndianBytes(array: Float32Array | Float64Array): Uint8Array {
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const size = array.BYTES_PER_ELEMENT;
  const swapped = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += size) for (let b = 0; b < size; b++) swapped[i + b] = view[i + size - 1 - b]!;
  return swapped;
}
