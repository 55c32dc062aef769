/** How much structure a JSON text may have: checked over its bytes before JSON.parse builds anything. */
export interface JsonStructureLimits {
  /** Deepest nesting of arrays and objects. */
  readonly maxDepth: number;
  /** Most arrays and objects, all together. */
  readonly maxContainers: number;
  /** Most scalars (numbers, strings, keys included, true, false, null). */
  readonly maxValues: number;
}

/** Which limit a JSON text broke, and at which count. */
export interface JsonStructureExcess {
  readonly limit: keyof JsonStructureLimits;
  readonly count: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Counts the nesting, the containers and the scalars of a JSON text in one pass over its bytes, without recursion
 * and without allocating, and stops at the first limit passed. JSON.parse alone would first build whatever the
 * text holds: 64 MiB of `[],` is 22 million arrays, 1.3 GB and seconds of a thread that also answers health checks.
 * Syntax is left to JSON.parse: a malformed text within the limits is refused there.
 *
 * @param bytes UTF-8 JSON text (multi-byte characters only occur inside strings, where they are skipped)
 * @returns the first limit passed, or undefined when the text is within all three
 */
export function exceedsJsonStructure(bytes: Uint8Array, limits: JsonStructureLimits): JsonStructureExcess | undefined {
  let depth = 0;
  let containers = 0;
  let values = 0;
  let inScalar = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    switch (byte) {
      case QUOTE:
        // Skip the string; an escape takes the byte after it, whatever it is.
        for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
        if (++values > limits.maxValues) return { limit: 'maxValues', count: values };
        inScalar = false;
        break;
      case OPEN_ARRAY:
      case OPEN_OBJECT:
        if (++depth > limits.maxDepth) return { limit: 'maxDepth', count: depth };
        if (++containers > limits.maxContainers) return { limit: 'maxContainers', count: containers };
        inScalar = false;
        break;
      case CLOSE_ARRAY:
      case CLOSE_OBJECT:
        depth--;
        inScalar = false;
        break;
      case COMMA:
      case COLON:
      case 0x20:
      case 0x09:
      case 0x0a:
      case 0x0d:
        inScalar = false;
        break;
      default:
        // A number or literal starts here (one count per run of such bytes).
        if (!inScalar && ++values > limits.maxValues) return { limit: 'maxValues', count: values };
        inScalar = true;
    }
  }
  return undefined;
}
