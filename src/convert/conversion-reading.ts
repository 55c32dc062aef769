import type { PreprocessSpec } from '../preprocess/index.js';
import type { Checkpoint } from '../formats/index.js';
import {
  type Architecture,
  containerConvention,
  type ArchitectureMatch,
  describeInputChannels,
  architectureById,
  takenSettings,
  type GivenSettings,
} from '../architectures/index.js';

/** What a model read from a checkpoint is given beyond its weights, and what that took on trust. */
export interface ConversionReading {
  /** The container convention's preprocessing when one applies, else the architecture's own. */
  readonly preprocessing: PreprocessSpec;
  /** Recognition's assumptions, the entry's own, then the container's: one sentence each, to be said aloud. */
  readonly assumptions: readonly string[];
}

/**
 * How `checkpoint`, recognised as `match`, is read: nin-convert's rule, and `nin-sdk train --from`'s, so that a
 * fine-tuned model is fed the images its converted model would be (kuangliu/pytorch-cifar's `{'net': …}` container
 * picks that script's normalisation over the entry's).
 */
export function conversionReading(
  checkpoint: Pick<Checkpoint, 'wrapper' | 'extras'>,
  match: Pick<ArchitectureMatch, 'architecture' | 'assumptions'>,
  given?: GivenSettings,
): ConversionReading {
  const { architecture } = match;
  const entry = registryEntryOf(architecture);
  const convention =
    given?.preprocessing === undefined ? containerConvention(checkpoint, architecture, entry !== undefined) : undefined;
  const entryAssumes = (architecture.assumes ?? []).filter(
    (line) => given?.preprocessing === undefined || !line.startsWith('preprocessing:'),
  );
  // Every setting a registry entry supplies is said, kind by kind; a user's --arch JSON states its own.
  const taken =
    given === undefined || entry === undefined
      ? []
      : [
          ...optional(describeInputChannels(entry, architecture)),
          ...takenSettings(
            architecture,
            given,
            convention !== undefined || entryAssumes.some((line) => line.startsWith('preprocessing:')),
          ),
        ];
  return {
    preprocessing: given?.preprocessing ?? convention?.preprocessing ?? preprocessingOf(architecture),
    assumptions: [
      ...match.assumptions,
      ...entryAssumes,
      ...(convention === undefined ? [] : [convention.assumption]),
      ...taken,
    ],
  };
}

/**
 * The registry entry an architecture is (or is a variant of, fed another channel count: input-channels.ts); undefined
 * for a user's --arch JSON, whose preprocessing and layers are its own to state.
 */
function registryEntryOf(architecture: Architecture): Architecture | undefined {
  const entry = architectureById(architecture.id);
  return entry !== undefined && entry.layers === architecture.layers ? entry : undefined;
}

function optional(line: string | undefined): string[] {
  return line === undefined ? [] : [line];
}

/**
 * The spec written to the metadata, its `channels` those of the graph's input: a grey architecture given by --arch
 * JSON need not repeat it in its preprocessing. A colour spec stays as it was (absent channels mean 3).
 */
function preprocessingOf(architecture: Architecture): PreprocessSpec {
  const spec = architecture.preprocessing;
  return architecture.inputChannels === 1 && spec.channels === undefined ? { ...spec, channels: 1 } : spec;
}
