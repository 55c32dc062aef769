import type { PreprocessSpec } from '../../src/preprocess/spec.js';
import type { Checkpoint } from '../pth/types.js';
import type { Architecture } from './architecture.js';
import { containerConvention } from './container-conventions.js';
import type { ArchitectureMatch } from './recognize-architecture.js';
import { architectureById } from './registry.js';

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
): ConversionReading {
  const { architecture } = match;
  const convention = containerConvention(checkpoint, architecture, isRegistryEntry(architecture));
  return {
    preprocessing: convention?.preprocessing ?? preprocessingOf(architecture),
    assumptions: [
      ...match.assumptions,
      ...(architecture.assumes ?? []),
      ...(convention === undefined ? [] : [convention.assumption]),
    ],
  };
}

/** A registry entry (not a user's --arch JSON, whose preprocessing is its own to state). */
function isRegistryEntry(architecture: Architecture): boolean {
  return architectureById(architecture.id) === architecture;
}

/**
 * The spec written to the metadata, its `channels` those of the graph's input: a grey architecture given by --arch
 * JSON need not repeat it in its preprocessing. A colour spec stays as it was (absent channels mean 3).
 */
function preprocessingOf(architecture: Architecture): PreprocessSpec {
  const spec = architecture.preprocessing;
  return architecture.inputChannels === 1 && spec.channels === undefined ? { ...spec, channels: 1 } : spec;
}
