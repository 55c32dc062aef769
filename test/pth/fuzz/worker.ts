/**
 * Runs one seed's fuzz cases in a child process of its own, so that the heap
 * is bounded (--max-old-space-size, set by the parent) and a hang or a crash
 * is caught by the parent's timeout and names the case that caused it.
 *
 *   node --import tsx --max-old-space-size=256 test/pth/fuzz/worker.ts <seed name> <prng seed> <cases>
 *
 * Prints `start <i> <description>` before each case and one JSON line per finding, then a
 * JSON summary. A finding is anything but "a one-line CheckpointError, or a
 * valid checkpoint whose tensors hold only bytes from inside the given view".
 */
import {
  CheckpointError,
  openCheckpointContents,
  readCheckpoint,
  type Checkpoint,
  type CheckpointTensor,
} from '../../../src/formats/pth/index.js';
import { sliceOfLargerBuffer } from '../craft.js';
import { openSeed, type OpenedSeed } from './containers.js';
import { byteMutation, generatedCheckpoint, opcodeMutation, sizeLie, type FuzzCase, type Random } from './mutations.js';
import { fuzzSeeds } from './seeds.js';

/** A hang detector, not a timing test: cases take milliseconds. */
const MAX_MILLISECONDS_PER_CASE = 10_000;
/** No case may leave more than this in array buffers, whatever it claims. */
const MAX_EXTRA_ARRAY_BUFFER_BYTES = 64 * 1024 * 1024;
/** Messages name things, capped at 80 characters each: no message is this long. */
const MAX_MESSAGE_LENGTH = 400;
const CANARY = 0xa5;
const CANARY_FLOAT32 = new DataView(new Uint8Array(4).fill(CANARY).buffer).getFloat32(0, true);
const CANARY_FLOAT64 = new DataView(new Uint8Array(8).fill(CANARY).buffer).getFloat64(0, true);
const CANARY_INT64 = new DataView(new Uint8Array(8).fill(CANARY).buffer).getBigInt64(0, true);

/** mulberry32: tiny, fast and good enough to spread mutations. */
export function prng(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What is wrong with a checkpoint read from `view`, or undefined. */
function problemWith(checkpoint: Checkpoint<CheckpointTensor>, view: Uint8Array): string | undefined {
  for (const [name, tensor] of checkpoint.tensors) {
    const elements = tensor.shape.reduce((product, size) => product * size, 1);
    if (tensor.data.length !== elements)
      return `tensor ${name} has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`;
    const { data } = tensor;
    if (
      data.buffer === view.buffer &&
      (data.byteOffset < view.byteOffset || data.byteOffset + data.byteLength > view.byteOffset + view.byteLength)
    ) {
      return `tensor ${name} is a view reaching outside the input's view`;
    }
    const canary =
      data instanceof Float32Array
        ? CANARY_FLOAT32
        : data instanceof Float64Array
          ? CANARY_FLOAT64
          : data instanceof BigInt64Array
            ? CANARY_INT64
            : undefined;
    if (canary !== undefined) {
      for (let index = 0; index < data.length; index++) {
        if (data[index] === canary)
          return `tensor ${name} holds bytes from outside the input's view (canary at ${index})`;
      }
    }
  }
  return undefined;
}

function runCase(fuzzCase: FuzzCase): { outcome: 'valid' | 'refused'; code?: string } | { finding: string } {
  const view = sliceOfLargerBuffer(fuzzCase.bytes, CANARY);
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  let result: { outcome: 'valid' | 'refused'; code?: string } | { finding: string };
  try {
    // Every tensor dictionary the converter could choose (a pickled module's too), then readCheckpoint's own.
    const contents = openCheckpointContents(view);
    for (const dictionary of contents.dictionaries.slice(0, 8)) {
      try {
        const problem = problemWith(contents.read(dictionary), view);
        if (problem !== undefined) throw new Error(`${dictionary.path}: ${problem}`);
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
      }
    }
    const checkpoint = readCheckpoint(view);
    const problem = problemWith(checkpoint, view);
    if (problem !== undefined) result = { finding: problem };
    else if (fuzzCase.mustRefuse !== undefined) result = { finding: 'accepted, but the mutation makes it invalid' };
    else result = { outcome: 'valid' };
  } catch (error) {
    if (!(error instanceof CheckpointError)) {
      result = {
        finding:
          error instanceof Error
            ? `${error.name}: ${error.message.slice(0, 300)} ${error.stack?.split('\n').slice(1, 4).join(' ') ?? ''}`
            : String(error),
      };
    } else if (/\n/.test(error.message)) {
      result = { finding: 'multi-line message' };
    } else if (error.message.length > MAX_MESSAGE_LENGTH) {
      result = { finding: `message of ${error.message.length} characters: ${error.message.slice(0, 120)}…` };
    } else if (fuzzCase.mustRefuse?.codes !== undefined && !fuzzCase.mustRefuse.codes.includes(error.code)) {
      result = {
        finding: `refused as ${error.code} (${error.message.slice(0, 160)}), expected ${fuzzCase.mustRefuse.codes.join(' or ')}`,
      };
    } else {
      result = { outcome: 'refused', code: error.code };
    }
  }
  const elapsed = performance.now() - started;
  if (elapsed > MAX_MILLISECONDS_PER_CASE) return { finding: `took ${elapsed.toFixed(0)} ms` };
  const grown = process.memoryUsage().arrayBuffers - buffersBefore;
  if (grown > MAX_EXTRA_ARRAY_BUFFER_BYTES) return { finding: `array buffers grew by ${grown} bytes` };
  return result;
}

/** Case i of a seed: the same bytes on every run for the same PRNG seed. */
export function makeCase(seedBytes: Uint8Array, opened: OpenedSeed, random: Random): FuzzCase {
  const roll = random();
  if (roll < 0.25) return byteMutation(seedBytes, random);
  if (roll < 0.35) return generatedCheckpoint(random);
  if (roll < 0.45) return sizeLie(opened, random) ?? opcodeMutation(opened, random);
  return opcodeMutation(opened, random);
}

function main(): void {
  const [seedName, prngSeedText, casesText] = process.argv.slice(2);
  const seedBytes = fuzzSeeds()[seedName ?? ''];
  if (seedBytes === undefined) throw new Error(`unknown seed ${seedName}`);
  const random = prng(Number(prngSeedText));
  const cases = Number(casesText);
  const opened = openSeed(seedBytes);
  const counts = { valid: 0, refused: 0, findings: 0 };
  const codes: Record<string, number> = {};
  for (let index = 0; index < cases; index++) {
    const fuzzCase = makeCase(seedBytes, opened, random);
    process.stdout.write(`start ${index} ${JSON.stringify(fuzzCase.description)}\n`);
    const result = runCase(fuzzCase);
    if ('finding' in result) {
      counts.findings++;
      process.stdout.write(
        `${JSON.stringify({ case: index, description: fuzzCase.description, finding: result.finding })}\n`,
      );
    } else {
      counts[result.outcome]++;
      if (result.code !== undefined) codes[result.code] = (codes[result.code] ?? 0) + 1;
    }
  }
  process.stdout.write(`${JSON.stringify({ summary: counts, codes })}\n`);
}

main();
