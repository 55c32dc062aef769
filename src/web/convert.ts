import { convertCheckpoint, type ConvertOptions } from '../convert/index.js';

/**
 * A PyTorch checkpoint as a page has it: a dropped `File`, a fetched `Blob`, or bytes.
 *
 * @example
 * ```ts
 * import { convert, type CheckpointSource } from 'nin-sdk/web';
 * const source: CheckpointSource = await (await fetch('nin.pth')).blob();
 * const onnx = await convert(source);
 * ```
 */
export type CheckpointSource = Blob | ArrayBuffer | Uint8Array;

/**
 * PyTorch NIN checkpoint → ONNX bytes, in the page (no server, no Python): the same converter as nin-convert,
 * so the bytes equal Node's for the same file. `convertCheckpoint` gives the family and counts as well, and `lines`:
 * what nin-convert prints for the file (took, ignored, assumed), to show the user.
 *
 * @param checkpoint - the checkpoint: a dropped File, a Blob, or bytes
 * @param options - as convertCheckpoint's
 * @returns the ONNX model's bytes
 * @throws CheckpointError for unreadable files; ArchitectureError for readable ones that are not a NIN it knows
 * @example
 * ```ts
 * import { convert, loadClassifier } from 'nin-sdk/web';
 * declare const droppedFile: File;
 * const onnx = await convert(droppedFile, { fileName: droppedFile.name });
 * const classifier = await loadClassifier(onnx, { provider: ['webgpu', 'wasm'] });
 * ```
 */
export async function convert(checkpoint: CheckpointSource, options: ConvertOptions = {}): Promise<Uint8Array> {
  return (await convertCheckpoint(await checkpointBytes(checkpoint), options)).onnx;
}

/**
 * A checkpoint's bytes, however the page has it: for convertCheckpoint, whose result says more than convert's.
 *
 * @param checkpoint - a File, Blob, ArrayBuffer or bytes
 * @returns its bytes (the same Uint8Array when given one)
 * @example
 * ```ts
 * import { checkpointBytes, convertCheckpoint } from 'nin-sdk/web';
 * declare const droppedFile: File;
 * const result = await convertCheckpoint(await checkpointBytes(droppedFile), { fileName: droppedFile.name });
 * ```
 */
export async function checkpointBytes(checkpoint: CheckpointSource): Promise<Uint8Array> {
  if (checkpoint instanceof Uint8Array) return checkpoint;
  if (checkpoint instanceof ArrayBuffer) return new Uint8Array(checkpoint);
  return new Uint8Array(await checkpoint.arrayBuffer());
}
