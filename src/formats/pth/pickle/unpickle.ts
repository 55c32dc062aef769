import { CheckpointError, excerpt } from '../errors.js';
import { BoundedReader, PickleEndError, PickleLengthError } from './bounded-reader.js';
import { ObjectBudgetError, OBJECT_BYTES_PER_PICKLE_BYTE } from './object-budget.js';
import type { TorchResolvers } from './torch-globals.js';
import { opcodeName } from './opcodes.js';
import { PickleFormatError, Unpickler } from './unpickler.js';

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
  /** What the objects it built were charged (see object-budget.ts). */
  readonly charged: number;
}

/**
 * Runs the unpickler over one pickle with the given resolvers. Whatever goes
 * wrong in the opcodes becomes a CheckpointError that says which pickle and
 * where; a CheckpointError thrown by a resolver (a refused global, say)
 * passes through unchanged.
 */
export function unpickle(window: UnpickleWindow, resolvers: TorchResolvers): Unpickled {
  const { bytes, start, where } = window;
  const reader = new BoundedReader(bytes, start);
  const machine = new Unpickler(reader, resolvers);
  try {
    const { value, charged } = machine.run();
    return { value, end: reader.position, charged };
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    const at = machine.opcodeAt - start;
    if (error instanceof PickleEndError) {
      const ended = reader.remaining === 0 && reader.position === machine.opcodeAt;
      throw new CheckpointError(
        'truncated',
        ended
          ? `checkpoint is truncated: ${where} ends after ${bytes.length - start} bytes, before its STOP opcode`
          : `checkpoint is truncated: ${where} ends after ${bytes.length - start} bytes, inside its ${opcodeName(bytes[machine.opcodeAt] ?? 0)} opcode at byte ${at}`,
      );
    }
    if (error instanceof ObjectBudgetError) {
      throw new CheckpointError(
        'too-large',
        `${where} builds more objects than its bytes can describe: ${error.spent} bytes of objects from its first ${error.bytesRead} bytes, ` +
          `past ${OBJECT_BYTES_PER_PICKLE_BYTE} × the bytes read + 1 MiB (opcode at byte ${at})`,
      );
    }
    if (error instanceof PickleFormatError || error instanceof PickleLengthError) {
      throw new CheckpointError(
        'malformed-pickle',
        `malformed pickle in ${where} at byte ${at}: ${excerpt(error.message, 160)}`,
      );
    }
    throw error;
  }
}
