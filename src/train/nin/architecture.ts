import type { FamilySpec } from '../../../converters/nin/index.js';
import type { ParameterSpec } from '../model/forward-model.js';

/** One convolution's channel counts, at its index in the family's nn.Sequential. */
export interface ConvChannels {
  readonly layerIndex: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

/**
 * A NIN to train: the family (layer kinds, kernels, pools, dropout) and the
 * width of every convolution. A `Recognition` from converters/nin is one, so
 * a checkpoint's architecture passes straight in; `architectureFromWidths`
 * makes one for training from scratch.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10, type NinArchitecture } from 'nin-sdk/train';
 * const small: NinArchitecture = architectureFromWidths(NIN_CIFAR10, [32, 32, 32, 64, 64, 64, 64, 64, 10]);
 * console.log(small.convs.length); // 9
 * ```
 */
export interface NinArchitecture {
  readonly family: FamilySpec;
  readonly convs: readonly ConvChannels[];
}

export type { ParameterSpec };

/** Parameters in state_dict order (each conv's weight, then its bias), named `<container>.<index>.weight|bias`. */
export function ninParameters(architecture: NinArchitecture): ParameterSpec[] {
  const { family } = architecture;
  return architecture.convs.flatMap((c) => {
    const layer = family.layers[c.layerIndex];
    if (layer?.kind !== 'conv')
      throw new Error(`ninParameters: layer ${c.layerIndex} of ${family.id} is not a convolution`);
    const prefix = `${family.container}.${c.layerIndex}`;
    return [
      { name: `${prefix}.weight`, shape: [c.outChannels, c.inChannels, layer.kernel, layer.kernel] },
      { name: `${prefix}.bias`, shape: [c.outChannels] },
    ];
  });
}

/**
 * The architecture with the given output channels per convolution, in layer order; the last one is the class
 * count.
 *
 * @param family - NIN_CIFAR10 or NIN_IMAGENET
 * @param outChannels - each convolution's output channels, in layer order; the last is the class count
 * @returns the architecture, for ninForwardModel, initialParameters and initialCheckpoint
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * ```
 */
export function architectureFromWidths(family: FamilySpec, outChannels: readonly number[]): NinArchitecture {
  const indices = family.layers.flatMap((layer, index) => (layer.kind === 'conv' ? [index] : []));
  if (outChannels.length !== indices.length) {
    throw new Error(
      `architectureFromWidths: ${family.title} has ${indices.length} convolutions, got ${outChannels.length} widths`,
    );
  }
  let inChannels = 3;
  const convs = indices.map((layerIndex, k) => {
    const out = outChannels[k]!;
    if (!Number.isInteger(out) || out < 1)
      throw new Error(`architectureFromWidths: width ${out} of conv ${layerIndex} is not a positive integer`);
    const conv = { layerIndex, inChannels, outChannels: out };
    inChannels = out;
    return conv;
  });
  return { family, convs };
}

/** The class count: the last convolution's output channels. */
export function classCount(architecture: NinArchitecture): number {
  const last = architecture.convs[architecture.convs.length - 1];
  if (last === undefined) throw new Error(`${architecture.family.title}: no convolutions`);
  return last.outChannels;
}

/** How messages name an architecture: `cifar10 NIN 192,160,96,192,192,192,192,192,10` (family, then widths). */
export function describeArchitecture(architecture: NinArchitecture): string {
  return `${architecture.family.id} NIN ${architecture.convs.map((c) => c.outChannels).join(',')}`;
}
