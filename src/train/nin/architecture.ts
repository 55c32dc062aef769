import {
  architectureById,
  PYTORCH_NIN_IDS,
  type ArchLayer,
  type Architecture,
  type ArchitectureMatch,
} from '../../convert/index.js';
import type { ParameterSpec } from '../model/forward-model.js';

/**
 * One convolution's channel counts, at its index in the entry's layers (its nn.Sequential index).
 *
 * @example
 * ```ts
 * import type { ConvChannels, NinArchitecture } from 'nin-sdk/train';
 * declare const architecture: NinArchitecture;
 * const convs: readonly ConvChannels[] = architecture.convs;
 * for (const conv of convs) console.log(conv.layerIndex, conv.inChannels, conv.outChannels);
 * ```
 */
export interface ConvChannels {
  readonly layerIndex: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

/**
 * A NIN to train from scratch or to go on training: a pytorch-nin registry entry (NIN_CIFAR10, NIN_IMAGENET: layer
 * kinds, kernels, pools, dropout) and the width of every convolution. `architectureFromWidths` makes one.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10, type NinArchitecture } from 'nin-sdk/train';
 * const small: NinArchitecture = architectureFromWidths(NIN_CIFAR10, [32, 32, 32, 64, 64, 64, 64, 64, 10]);
 * console.log(small.convs.length); // 9
 * ```
 */
export interface NinArchitecture {
  readonly family: Architecture;
  readonly convs: readonly ConvChannels[];
  /**
   * A BatchNorm (nn.BatchNorm2d defaults: eps 1e-5, momentum 0.1) between every convolution but the last and its
   * ReLU, trained with batch statistics and folded into the convolution when the model is exported, which then is
   * the family's plain NIN. Absent: the family's layers as they are.
   */
  readonly batchNorm?: true;
}

/** The BatchNorm after a convolution, when a NIN trains with them: `<conv>.bn` (`classifier.0.bn.weight` …). */
export function batchNormName(convName: string): string {
  return `${convName}.bn`;
}

/** γ or β of a BatchNorm that batchNormName named (`classifier.0.bn.weight`, `classifier.0.bn.bias`). */
export function isBatchNormAffine(name: string): boolean {
  return /\.bn\.(weight|bias)$/.test(name);
}

/** BatchNorm's running statistics: state the training model updates, never the optimizer. */
export function isRunningStatistic(name: string): boolean {
  return name.endsWith('.running_mean') || name.endsWith('.running_var');
}

/** The layers the NIN computes: the family's, with the BatchNorms of `batchNorm` in place. */
export function ninLayers(architecture: NinArchitecture): readonly ArchLayer[] {
  const { family } = architecture;
  if (architecture.batchNorm !== true) return family.layers;
  const lastConv = architecture.convs[architecture.convs.length - 1]?.layerIndex;
  return family.layers.flatMap((layer, index): ArchLayer[] =>
    layer.kind === 'conv' && index !== lastConv
      ? [layer, { kind: 'batchNorm', name: batchNormName(layer.name), eps: 1e-5, affine: true }]
      : [layer],
  );
}

export type { ParameterSpec };

/**
 * The registry entries the NIN trainer takes as `family` (the pytorch-nin ones, PYTORCH_NIN_IDS): plain convolutions
 * with biases, ReLUs, pools and Dropout, their parameters under the layers' own names. Other entries are fine-tuned
 * as their folded copy (fine-tune.ts).
 */
export const NIN_FAMILIES: readonly Architecture[] = Object.freeze(PYTORCH_NIN_IDS.map((id) => architectureById(id)!));

export function ninFamilyById(id: string): Architecture | undefined {
  return NIN_FAMILIES.find((family) => family.id === id);
}

/**
 * Parameters in state_dict order (each conv's weight, then its bias, then with `batchNorm` its BatchNorm's weight,
 * bias, running_mean and running_var), named `<layer name>.weight|bias` and `<layer name>.bn.<suffix>`.
 */
export function ninParameters(architecture: NinArchitecture): ParameterSpec[] {
  const { family } = architecture;
  return architecture.convs.flatMap((c) => {
    const layer = family.layers[c.layerIndex];
    if (layer?.kind !== 'conv')
      throw new Error(`ninParameters: layer ${c.layerIndex} of ${family.id} is not a convolution`);
    const conv = [
      { name: `${layer.name}.weight`, shape: [c.outChannels, c.inChannels, layer.kernel, layer.kernel] },
      { name: `${layer.name}.bias`, shape: [c.outChannels] },
    ];
    if (architecture.batchNorm !== true || c === architecture.convs[architecture.convs.length - 1]) return conv;
    const bn = batchNormName(layer.name);
    return [
      ...conv,
      ...['weight', 'bias', 'running_mean', 'running_var'].map((suffix) => ({
        name: `${bn}.${suffix}`,
        shape: [c.outChannels],
      })),
    ];
  });
}

/**
 * The architecture with the given output channels per convolution, in layer order; the last one is the class
 * count.
 *
 * @param family - NIN_CIFAR10 or NIN_IMAGENET
 * @param outChannels - each convolution's output channels, in layer order; the last is the class count
 * @param options - `batchNorm: true` trains a BatchNorm after every convolution but the last (NinArchitecture.batchNorm)
 * @returns the architecture, for ninForwardModel, initialParameters and initialCheckpoint
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * ```
 */
export function architectureFromWidths(
  family: Architecture,
  outChannels: readonly number[],
  options: { readonly batchNorm?: boolean } = {},
): NinArchitecture {
  const indices = family.layers.flatMap((layer, index) => (layer.kind === 'conv' ? [index] : []));
  if (outChannels.length !== indices.length) {
    throw new Error(
      `architectureFromWidths: ${family.title} has ${indices.length} convolutions, got ${outChannels.length} widths`,
    );
  }
  let inChannels = family.inputChannels;
  const convs = indices.map((layerIndex, k) => {
    const out = outChannels[k]!;
    if (!Number.isInteger(out) || out < 1)
      throw new Error(`architectureFromWidths: width ${out} of conv ${layerIndex} is not a positive integer`);
    const conv = { layerIndex, inChannels, outChannels: out };
    inChannels = out;
    return conv;
  });
  return options.batchNorm === true ? { family, convs, batchNorm: true } : { family, convs };
}

/**
 * The NIN of a recognised state_dict: a match of a pytorch-nin entry itself (not a variant fed other channels, nor an
 * --arch JSON), its widths read from the convolutions' weights wherever the keys put them; undefined for any other.
 */
export function ninArchitectureOfMatch(
  match: Pick<ArchitectureMatch, 'architecture' | 'keyOf'>,
  tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>,
): NinArchitecture | undefined {
  const family = ninFamilyById(match.architecture.id);
  if (family === undefined || family !== match.architecture) return undefined;
  const widths = family.layers.flatMap((layer) =>
    layer.kind === 'conv' ? [tensors.get(match.keyOf.get(`${layer.name}.weight`) ?? '')!.shape[0]!] : [],
  );
  return architectureFromWidths(family, widths);
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
