import { convertCheckpoint, type ConvertOptions } from '../../converters/nin/index.js';

/** A PyTorch checkpoint as a page has it: a dropped `File`, a fetched `Blob`, or bytes. */
export type CheckpointSource = Blob | ArrayBuffer | Uint8Array;

/**
 * PyTorch NIN checkpoint → ONNX bytes, in the page (no server, no Python): the same converter as nin-convert,
 * so the bytes equal Node's for the same file. `convertCheckpoint` gives the family and counts as well, and `lines`:
 * what nin-convert prints for the file (took, ignored, assumed), to show the user.
 */
export async function convert(checkpoint: CheckpointSource, options: ConvertOptions = {}): Promise<Uint8Array> {
  return (await convertCheckpoint(await checkpointBytes(checkpoint), options)).onnx;
}

export async function checkpointBytes(checkpoint: CheckpointSource): Promise<Uint8Array> {
  if (checkpoint instanceof Uint8Array) return checkpoint;
  if (checkpoint instanceof ArrayBuffer) return new Uint8Array(checkpoint);
  return new Uint8Array(await checkpoint.arrayBuffer());
}
