/**
 * The formats layer's entry (browser-safe): files read from hostile bytes. PyTorch checkpoints (src/formats/pth):
 * reading them into tensors and inert placeholders, and writing them (`.pth` export).
 */
export { openCheckpointContents, type CheckpointContents } from './pth/checkpoint-contents.js';
export { CheckpointError, type CheckpointErrorCode } from './pth/errors.js';
export { readCheckpoint } from './pth/index.js';
export type { TensorDictionary } from './pth/tensor-dictionaries.js';
export type {
  Checkpoint,
  CheckpointFormat,
  CheckpointTensor,
  CheckpointWrapper,
  ConvertedArrayOf,
  Dtype,
  ExtraValue,
  FloatingDtype,
  IntegerDtype,
  RawArrayOf,
  RawCheckpointTensor,
  ReadCheckpointOptions,
  TensorOf,
} from './pth/types.js';
export { writeCheckpoint } from './pth/write/index.js';
export { readZipDirectory, readZipEntries } from './pth/zip-archive.js';
