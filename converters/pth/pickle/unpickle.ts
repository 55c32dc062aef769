import { Parser } from 'pickleparser';
import { CheckpointError, excerpt } from '../errors.js';
import { BoundedReader, PickleEndError } from './bounded-reader.js';
import type { TorchResolvers } from './torch-globals.js';

export interface UnpickleWindow {
  readonly bytes: Uint8Array;
  /** Where the pickle starts in `bytes`. */
  readonly start: number;
  /** Names the pickle in messages: 'data.pkl', 'the object pickle' … */
  readonly where: string;
}

export interface Unpickled {
  readonly value: unknown;
  /** The byte after the pickle's STOP opcode: where a legacy stream's next pickle starts. */
  readonly end: number;
}

/**
 * Runs pickleparser over one pickle with the given resolvers. Dicts come out
 * as Maps (keys of any type, and no `__proto__` key can reach an object's
 * prototype). Whatever pickleparser throws on malformed opcodes becomes a
 * CheckpointError that says which pickle and where; a CheckpointError thrown
 * by a resolver (a refused global, say) passes through unchanged.
 */
export function unpickle(window: UnpickleWindow, resolvers: TorchResolvers): Unpickled {
  const { bytes, start, where } = window;
  const reader = new BoundedReader(bytes, start);
  const parser = new Parser({
    nameResolver: resolvers.nameResolver,
    persistentResolver: resolvers.persistentResolver,
    extensionResolver: {
      resolve(code: number): never {
        throw new CheckpointError('disallowed-global', `unsupported extension code ${code} in pickle: only tensor and container types are allowed (like torch.load(weights_only=True))`);
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  try {
    const value: unknown = parser.read(reader);
    return { value, end: reader.position };
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    const offset = reader.position - start;
    // pickleparser's own "Unexpected end of file." means the loop ran out of bytes before STOP.
    if (error instanceof PickleEndError || !reader.hasNext()) {
      throw new CheckpointError('truncated', `checkpoint is truncated: ${where} ends after ${offset} bytes, before its STOP opcode`);
    }
    const reason = excerpt(error instanceof Error ? error.message.replace(/\.$/, '') : String(error), 160);
    throw new CheckpointError('malformed-pickle', `malformed pickle in ${where} at byte ${offset}: ${reason}`);
  }
}
