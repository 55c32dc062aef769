import type { PreprocessSpec } from '../preprocess/index.js';
import type { Architecture } from './architecture.js';

/**
 * Entries whose source takes the input channel count as a parameter (d2l's `nin_block(in_channels, …)` and its
 * LazyConv2d class, pytorchcv's `in_channels=3`, functional-zoo's params dict) take whatever the first convolution's
 * weights say, 1 (grey) or 3 (colour): d2l's NiN built with `in_channels=3` is the same network.
 */

/** The architecture as the weights say it is fed, or the architecture itself when they agree or cannot say. */
export function withInputChannelsOf(architecture: Architecture, weightChannels: number | undefined): Architecture {
  if (architecture.inputChannelsFromWeights !== true) return architecture;
  if (weightChannels === undefined || weightChannels === architecture.inputChannels) return architecture;
  if (weightChannels !== 1 && weightChannels !== 3) return architecture; // no image has them: the shape check says so
  return {
    ...architecture,
    inputChannels: weightChannels,
    preprocessing: preprocessingFor(architecture.preprocessing, weightChannels),
  };
}

/** The entry's own spec for grey or colour input: a colour spec's statistics averaged for grey, and back as given. */
function preprocessingFor(spec: PreprocessSpec, channels: 1 | 3): PreprocessSpec {
  if (channels === 3) {
    const { channels: _grey, ...colour } = spec;
    return colour;
  }
  const average = (values: readonly [number, number, number]) => (values[0] + values[1] + values[2]) / 3;
  const mean = average(spec.mean);
  const std = average(spec.std);
  return { ...spec, channels: 1, mean: [mean, mean, mean], std: [std, std, std] };
}

/** Said whenever the channel count came from the weights rather than the entry. */
export function describeInputChannels(entry: Architecture, taken: Architecture): string | undefined {
  if (taken.inputChannels === entry.inputChannels) return undefined;
  return (
    `input: ${taken.inputChannels} channel${taken.inputChannels === 1 ? '' : 's'}, as the first convolution's weights ` +
    `have (${entry.id} is built for ${entry.inputChannels} by default; its source takes in_channels as a parameter)`
  );
}
