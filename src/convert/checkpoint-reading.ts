import { openCheckpointContents, type Checkpoint } from '../formats/index.js';
import type { PreprocessSpec } from '../preprocess/index.js';
import { type Architecture, ArchitectureError, type ArchitectureMatch } from '../architectures/index.js';
import { chooseTensorDictionary, type ChoiceOptions } from './checkpoint-choice.js';
import { conversionReading } from './conversion-reading.js';

/**
 * "What this checkpoint is", decided once for every reader of a PyTorch file: nin-convert and `convertCheckpoint`,
 * `nin-sdk train --from`, `nin-sdk info` and nin-sdk/web's converter. The same container choice (checkpoint-choice.ts:
 * which dict of tensors, `--key`), the same recognition (the registry, `--arch`, `--family`), the same assumptions and
 * the same preprocessing and labels, so that a fine-tuned model is fed the images its converted model would be.
 */

/** Recognition's and the container choice's options, and what the user gave instead of the entry's defaults. */
export interface CheckpointReadingOptions extends ChoiceOptions {
  /** The preprocessing to record instead of the architecture's (then it is not an assumption). */
  readonly preprocessing?: PreprocessSpec;
  /** Class names instead of the architecture's; one per class of the checkpoint's last weighted layer. */
  readonly labels?: readonly string[];
  /**
   * When the entry's labels are not one per class and none were given: 'refuse' (nin-convert: a model needs its
   * labels) or 'numbered' (training, whose class folders may name them): `class_0`, `class_1` …, said aloud.
   * Default 'refuse'.
   */
  readonly unlabelledClasses?: 'refuse' | 'numbered';
}

export interface CheckpointReading {
  /** The chosen dict of tensors, read (its tensors, format, container, the objects left aside). */
  readonly checkpoint: Checkpoint;
  /** The architecture it fits, how each tensor maps to a layer, the class and parameter counts. */
  readonly match: ArchitectureMatch;
  /** Where the weights were when not a bare state_dict: `took checkpoint['network']`. */
  readonly taken: string | undefined;
  /** Class names of the objects kept inert beside the weights: `collections.Counter` … */
  readonly placeholders: readonly string[];
  /** What was assumed rather than read, one sentence each (recognition's, the entry's, the container's, settings). */
  readonly assumptions: readonly string[];
  readonly preprocessing: PreprocessSpec;
  readonly labels: readonly string[];
}

/**
 * Reads a PyTorch checkpoint's network as nin-convert does.
 *
 * @param bytes - the file, any format src/formats/pth reads.
 * @param options - a hint (`architecture`, `family`), the file name for ties, the `key` of the dict to take, and the
 *   preprocessing and labels given instead of the entry's.
 * @returns the dict taken, its match, and everything the readers show and record.
 * @throws CheckpointError for an unreadable file; ArchitectureError for a readable one that fits no architecture, a
 *   preprocessing of another input size, or labels that are not one per class.
 * @example
 * const reading = readCheckpointModel(bytes, { fileName: 'ckpt.pth' });
 * for (const line of readingLines(reading)) console.error(`nin-convert: ${line}`);
 */
export function readCheckpointModel(bytes: Uint8Array, options: CheckpointReadingOptions = {}): CheckpointReading {
  const contents = openCheckpointContents(bytes);
  const { dictionary, match, taken } = chooseTensorDictionary(contents, {
    ...(options.family === undefined ? {} : { family: options.family }),
    ...(options.architecture === undefined ? {} : { architecture: options.architecture }),
    ...(options.fileName === undefined ? {} : { fileName: options.fileName }),
    ...(options.key === undefined ? {} : { key: options.key }),
  });
  const checkpoint = contents.read(dictionary);
  const { architecture, classCount } = match;
  if (options.preprocessing !== undefined && options.preprocessing.inputSize !== architecture.inputSize) {
    throw new ArchitectureError(
      `the preprocessing given feeds ${options.preprocessing.inputSize}×${options.preprocessing.inputSize} images but ${architecture.id} takes ${architecture.inputSize}×${architecture.inputSize}`,
    );
  }
  const labels = labelsFor(architecture, classCount, options);
  const { preprocessing, assumptions } = conversionReading(checkpoint, match, {
    ...(labels.given === undefined ? {} : { labels: labels.given }),
    ...(options.preprocessing === undefined ? {} : { preprocessing: options.preprocessing }),
  });
  return {
    checkpoint,
    match,
    taken,
    placeholders: checkpoint.placeholders,
    assumptions: [...assumptions, ...labels.said],
    preprocessing,
    labels: labels.given ?? architecture.labels,
  };
}

/**
 * The lines every reader shows, in nin-convert's order and words, each without the program's prefix: where the
 * weights were taken from, what the file held beside them (inert, never run), then each assumption.
 */
export function readingLines(reading: {
  readonly taken?: string | undefined;
  readonly placeholders?: readonly string[];
  readonly assumptions: readonly string[];
}): string[] {
  const ignored = reading.placeholders ?? [];
  return [
    ...(reading.taken === undefined ? [] : [reading.taken]),
    ...(ignored.length === 0 ? [] : [`ignored: ${ignored.join(', ')}`]),
    ...reading.assumptions.map((assumption) => `assumed: ${assumption}`),
  ];
}

/**
 * The labels given (checked: one per class), or undefined for the entry's own when they fit; numbered ones when they
 * do not and the caller takes those (said as an assumption of their own), else the refusal with its remedy.
 */
function labelsFor(
  architecture: Architecture,
  classCount: number,
  options: CheckpointReadingOptions,
): { readonly given: readonly string[] | undefined; readonly said: readonly string[] } {
  const labels = options.labels ?? architecture.labels;
  if (labels.length === classCount) return { given: options.labels, said: [] };
  const detail = `the checkpoint's last ${lastWeighted(architecture)} has ${classCount} outputs but ${labels.length} labels were given`;
  if (options.labels !== undefined) throw new ArchitectureError(detail);
  if (options.unlabelledClasses !== 'numbered')
    throw new ArchitectureError(`${detail} (the ${architecture.title} defaults)`, {
      option: 'labels',
      count: classCount,
    });
  const numbered = Array.from({ length: classCount }, (_, i) => `class_${i}`);
  const shown =
    numbered.length > 3 ? `${numbered.slice(0, 2).join(', ')}, …, class_${classCount - 1}` : numbered.join(', ');
  return {
    given: numbered,
    said: [
      `labels: ${shown} (the checkpoint has ${classCount} classes, the ${architecture.id} entry's labels are ` +
        `${architecture.labels.length}; class names are not in a checkpoint): override with --labels <file>`,
    ],
  };
}

function lastWeighted(architecture: Architecture): string {
  const last = [...architecture.layers].reverse().find((l) => l.kind === 'conv' || l.kind === 'linear');
  return last?.kind === 'linear' ? 'linear layer' : 'convolution';
}
