/**
 * The one error type of the checkpoint reader. Every failure caused by the
 * input (malformed, truncated, hostile or simply not a checkpoint) surfaces as
 * a CheckpointError with a stable `code` for programs and a one-line message
 * for people that names the offending thing (entry, storage, tensor, global).
 */

/**
 * What went wrong in reading a checkpoint, stable across versions (`CheckpointError.code`).
 *
 * @example
 * ```ts
 * import type { CheckpointErrorCode } from 'nin-sdk';
 * const retryable = (code: CheckpointErrorCode) => code === 'truncated';
 * ```
 */
export type CheckpointErrorCode =
  /** Zero bytes. */
  | 'empty'
  /** The first bytes match no known checkpoint container. */
  | 'not-a-checkpoint'
  /** A pickle stream whose first object is not PyTorch's legacy magic number. */
  | 'wrong-magic'
  /** A container PyTorch once wrote that this reader deliberately does not read. */
  | 'unsupported-format'
  /** The file ends before something it announces (an entry, a storage, a pickle). */
  | 'truncated'
  /** The zip structure itself is broken or uses something PyTorch never writes. */
  | 'malformed-zip'
  /** A zip entry name that climbs out of its folder or is absolute. */
  | 'unsafe-entry-name'
  /** A zip checkpoint lacks an entry it needs (data.pkl, a storage). */
  | 'missing-entry'
  /** The pickle's opcodes are malformed, or not ones torch.save writes. */
  | 'malformed-pickle'
  /** The pickle names a global outside the allow-list. */
  | 'disallowed-global'
  /** A persistent id is not `('storage', type, key, location, numel[, view])`. */
  | 'bad-persistent-id'
  /** Tensor rebuild arguments (offset, size, stride) are not what torch writes. */
  | 'bad-tensor'
  /** A storage class this reader knows but cannot materialise (complex, quantized). */
  | 'unsupported-dtype'
  /** A tensor reaches past the end of its storage. */
  | 'storage-too-small'
  /** Materialising would allocate far more than the file could justify. */
  | 'too-large'
  /** The unpickled object is not a state_dict nor a known wrapper of one. */
  | 'not-a-state-dict';

/**
 * The one error of the checkpoint reader: whatever is wrong with the input (malformed, truncated, hostile, not a
 * checkpoint), a stable `code` for programs and a one-line message for people that names the offending thing.
 *
 * @example
 * ```ts
 * import { CheckpointError, readCheckpoint } from 'nin-sdk';
 * try {
 *   readCheckpoint(new Uint8Array([1, 2, 3]));
 * } catch (error) {
 *   if (error instanceof CheckpointError) console.log(error.code, error.message); // 'not-a-checkpoint' …
 * }
 * ```
 */
export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string) {
    // One line whatever the file put into names and keys.
    super(printable(message));
    this.name = 'CheckpointError';
    this.code = code;
  }
}

/** Control characters (newlines included) and line separators escaped, so that a message stays one line. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const escapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const code = char.charCodeAt(0);
    return escapes[char] ?? (code > 0xff ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, '0')}`);
  });
}

/**
 * Text from elsewhere (a library's error, a file's string), capped so a 60 kB key cannot flood a message.
 * Capped after escaping: 80 NUL bytes would otherwise print as 320 characters.
 */
export function excerpt(text: string, maxLength = 80): string {
  const escaped = printable(text.length > maxLength ? text.slice(0, maxLength) : text);
  return escaped.length > maxLength || text.length > maxLength ? `${escaped.slice(0, maxLength)}…` : escaped;
}

/** `'x'`, escaped and capped. */
export function quote(text: string, maxLength = 80): string {
  return `'${excerpt(text, maxLength)}'`;
}

/** First bytes of a buffer as `50 4b 05 06 …`, for "got bytes" messages. */
export function hexPreview(bytes: Uint8Array, count = 4): string {
  const shown = Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > count ? `${shown} …` : shown;
}
