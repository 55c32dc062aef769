import type { PreprocessSpec } from '../preprocess/index.js';

/**
 * One module of a network, in forward order, named by its path in the PyTorch model (`classifier.0`,
 * `features.stage1.unit1.conv`, `0.0`): weighted layers find their tensors at `<name>.weight`, `<name>.bias`,
 * `<name>.running_mean` … Hyper-parameters (kernel, stride, padding, pool modes, eps) are not in a state_dict and
 * come from here; channel counts are read from the weights, so width variants convert too.
 *
 * @example
 * ```ts
 * import type { ArchLayer } from 'nin-sdk';
 * const head: ArchLayer = { kind: 'softmax', name: 'softmax' };
 * ```
 */
export type ArchLayer =
  | {
      readonly kind: 'conv';
      readonly name: string;
      readonly kernel: number;
      readonly stride: number;
      readonly padding: number;
      readonly bias: boolean;
      /**
       * 'xnor-binarized': the saved weights are XNOR-Net's real-valued ones, and evaluation uses them binarised
       * (jiecaoyu/XNOR-Net-PyTorch util.BinOp.binarization: centred over input channels, clamped to [−1, 1],
       * then sign × the mean |w| of each output channel). Absent: used as saved.
       */
      readonly weights?: 'xnor-binarized';
    }
  | {
      readonly kind: 'batchNorm';
      readonly name: string;
      /** Not in the state_dict: nn.BatchNorm2d's default is 1e-5. */
      readonly eps: number;
      /** false: no weight/bias tensors (nn.BatchNorm2d(affine=False)). */
      readonly affine: boolean;
      /** γ is clamped to at least this before use (XNOR-Net's forward clamps it to 0.01); absent: used as saved. */
      readonly minWeight?: number;
    }
  | { readonly kind: 'relu'; readonly name: string }
  /** nn.LeakyReLU(negative_slope): the same tensors as a ReLU net, another function (PyTorch's default slope 0.01). */
  | { readonly kind: 'leakyRelu'; readonly name: string; readonly slope: number }
  | { readonly kind: 'sign'; readonly name: string }
  | {
      readonly kind: 'maxPool';
      readonly name: string;
      readonly kernel: number;
      readonly stride: number;
      readonly padding: number;
      readonly ceilMode: boolean;
    }
  | {
      readonly kind: 'avgPool';
      readonly name: string;
      readonly kernel: number;
      readonly stride: number;
      readonly padding: number;
      readonly ceilMode: boolean;
      /** PyTorch's default is true: padded zeros count in the average. */
      readonly countIncludePad: boolean;
    }
  /** nn.AdaptiveAvgPool2d; only an output of 1×1 (a global average) is supported. */
  | { readonly kind: 'adaptiveAvgPool'; readonly name: string; readonly outputSize: 1 }
  | { readonly kind: 'dropout'; readonly name: string; readonly p: number }
  | { readonly kind: 'flatten'; readonly name: string }
  | { readonly kind: 'linear'; readonly name: string; readonly bias: boolean }
  | { readonly kind: 'softmax'; readonly name: string };

/**
 * The kinds of layer an architecture may hold.
 *
 * @example
 * ```ts
 * import type { Architecture, ArchLayerKind } from 'nin-sdk';
 * declare const architecture: Architecture;
 * const kinds: ArchLayerKind[] = architecture.layers.map((layer) => layer.kind);
 * ```
 */
export type ArchLayerKind = ArchLayer['kind'];

/**
 * A network's structure as data: the layers in order, the input it takes, its labels and preprocessing, and where
 * the keys of its checkpoints may differ. A registry entry, or a user's `--arch` JSON.
 *
 * @example
 * ```ts
 * import { convertCheckpoint, type Architecture } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const architecture: Architecture = (await convertCheckpoint(readFileSync('nin.pth'))).family;
 * console.log(architecture.id, architecture.title, architecture.layers.length, architecture.inputSize);
 * ```
 */
export interface Architecture {
  /** Registry id (`cifar10`, `pytorchcv-nin-cifar100` …); written to the ONNX metadata as `nin.family`. */
  readonly id: string;
  /** Human name, as the public repository and model are called. */
  readonly title: string;
  /** Where the model class comes from (repository and file), for the list and the docs. */
  readonly source: string;
  readonly layers: readonly ArchLayer[];
  readonly inputSize: number;
  readonly inputChannels: number;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
  /**
   * Prefixes the checkpoint's keys may carry in front of the layer names: `''` for the model's own state_dict,
   * others for a model saved from inside a wrapper (`net.`). DataParallel's `module.` is stripped before this.
   */
  readonly keyPrefixes: readonly string[];
  /**
   * true when the source takes the input channel count as a parameter: the first convolution's weights then decide
   * between 1 and 3 channels (input-channels.ts). Absent: `inputChannels` is the source's own, fixed.
   */
  readonly inputChannelsFromWeights?: boolean;
  /** A container name (`classifier.`) the keys may lack: a bare nn.Sequential saved on its own. */
  readonly optionalContainer?: string;
  /** What else a user should know: settings taken from the code's defaults. */
  readonly notes?: string;
  /**
   * What converting this entry takes as given beyond its repository's code (a preprocessing that the code does not
   * show): said on stderr and recorded in 'nin.assumptions' on every conversion, however the entry was recognised.
   */
  readonly assumes?: readonly string[];
  /**
   * When another entry has the same keys and shapes, a file name containing this picks this one, with a warning
   * (pytorchcv publishes `nin_cifar10-0743-9696c45b.pth`, `nin_svhn-0376-65c3adfb.pth`).
   */
  readonly fileNameHint?: string;
}

/** The layers that carry tensors. */
export type WeightedLayer = Extract<ArchLayer, { kind: 'conv' | 'batchNorm' | 'linear' }>;

export function isWeighted(layer: ArchLayer): layer is WeightedLayer {
  return layer.kind === 'conv' || layer.kind === 'batchNorm' || layer.kind === 'linear';
}

/** The tensor suffixes a weighted layer has in a state_dict; `num_batches_tracked` is optional (torch ≥ 0.4.1). */
export function tensorSuffixes(layer: WeightedLayer): readonly string[] {
  switch (layer.kind) {
    case 'conv':
    case 'linear':
      return layer.bias ? ['weight', 'bias'] : ['weight'];
    case 'batchNorm':
      return layer.affine ? ['weight', 'bias', 'running_mean', 'running_var'] : ['running_mean', 'running_var'];
  }
}

export const OPTIONAL_SUFFIX = 'num_batches_tracked';

/** What the weights cannot say, in words: the weightless layers' settings and BatchNorm's eps. */
export function describeUnreadSettings(architecture: Architecture): string {
  const parts: string[] = [];
  for (const layer of architecture.layers) {
    switch (layer.kind) {
      case 'maxPool':
        parts.push(
          `max pool ${layer.kernel}/${layer.stride} pad ${layer.padding}${layer.ceilMode ? ' ceil' : ' floor'}`,
        );
        break;
      case 'avgPool':
        parts.push(
          `avg pool ${layer.kernel}/${layer.stride} pad ${layer.padding}${layer.ceilMode ? ' ceil' : ' floor'}` +
            (layer.padding > 0 ? (layer.countIncludePad ? ' counting pads' : ' not counting pads') : ''),
        );
        break;
      case 'adaptiveAvgPool':
        parts.push('adaptive avg pool to 1×1');
        break;
      case 'batchNorm': {
        // Each distinct setting once: XNOR-Net mixes affine and non-affine BatchNorms, some with a clamped γ.
        const text =
          `batchnorm eps ${layer.eps}${layer.affine ? '' : ' affine=False'}` +
          (layer.minWeight === undefined ? '' : ` γ≥${layer.minWeight}`);
        if (!parts.includes(text)) parts.push(text);
        break;
      }
      case 'sign':
        if (!parts.includes('sign activations')) parts.push('sign activations');
        break;
      default:
        break;
    }
  }
  const convs = architecture.layers.filter((l): l is Extract<ArchLayer, { kind: 'conv' }> => l.kind === 'conv');
  parts.push(`conv stride/padding ${convs.map((c) => `${c.stride}/${c.padding}`).join(',')}`);
  parts.push(`${architecture.inputChannels}×${architecture.inputSize}×${architecture.inputSize} input`);
  return parts.join(', ');
}

/**
 * The architecture as a trainable copy computes it (see foldedWeights): every BatchNorm right after a convolution
 * folded into it, so that convolution has a bias and the BatchNorm is gone. Other layers are unchanged.
 */
export function foldedArchitecture(architecture: Architecture): Architecture {
  const layers: ArchLayer[] = [];
  architecture.layers.forEach((layer, index) => {
    const previous = architecture.layers[index - 1];
    if (layer.kind === 'batchNorm' && previous?.kind === 'conv') return;
    const next = architecture.layers[index + 1];
    layers.push(layer.kind === 'conv' && next?.kind === 'batchNorm' ? { ...layer, bias: true } : layer);
  });
  return { ...architecture, layers };
}

/** The architecture as recorded in the ONNX metadata: what the graph computes, without the (long) label list. */
export function architectureMetadata(architecture: Architecture): string {
  const { id, title, source, layers, inputSize, inputChannels } = architecture;
  return JSON.stringify({ id, title, source, inputSize, inputChannels, layers });
}
