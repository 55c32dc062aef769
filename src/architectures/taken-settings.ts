import type { PreprocessSpec } from '../preprocess/index.js';
import type { ArchLayer, Architecture } from './architecture.js';

/**
 * What a state_dict cannot show, said every time it is taken from a registry entry rather than read: one sentence
 * per kind (activation, pooling, BatchNorm, preprocessing, labels), each naming the option that overrides it. A
 * LeakyReLU(0.01) variant of pytorch-nin-cifar10 has the very tensors of the ReLU one; a repository reusing another's
 * layout may normalise its inputs otherwise: only these lines tell the user what the model will compute.
 */

/** What the user gave, so that it is not said to be assumed. */
export interface GivenSettings {
  readonly labels?: readonly string[];
  readonly preprocessing?: PreprocessSpec;
}

/** --print-arch writes the JSON used, to edit and pass back. */
const EDIT_ARCH = 'override with --arch <file.json> (see --print-arch)';

/** The sentences, in the order activation, pooling, BatchNorm, preprocessing, labels; only the kinds it has. */
export function takenSettings(architecture: Architecture, given: GivenSettings, preprocessingSaid: boolean): string[] {
  const from = `as ${architecture.id}'s code has it; not in a state_dict`;
  const lines: string[] = [];
  const activation = describeActivations(architecture.layers);
  if (activation !== undefined) lines.push(`activation: ${activation} (${from}): ${EDIT_ARCH}`);
  const pooling = describePools(architecture.layers);
  if (pooling !== undefined) lines.push(`pooling: ${pooling} (${from}): ${EDIT_ARCH}`);
  const batchNorm = describeBatchNorms(architecture.layers);
  if (batchNorm !== undefined) lines.push(`batchnorm: ${batchNorm} (${from}): ${EDIT_ARCH}`);
  if (given.preprocessing === undefined && !preprocessingSaid) {
    lines.push(
      `preprocessing: ${describePreprocessing(architecture.preprocessing, architecture.inputChannels)} ` +
        `(the ${architecture.id} entry's; not in a checkpoint): override with --preprocessing <spec.json>`,
    );
  }
  if (given.labels === undefined) {
    const { labels } = architecture;
    const shown = labels.slice(0, 3).join(', ') + (labels.length > 3 ? ', …' : '');
    lines.push(
      `labels: the ${architecture.id} entry's ${labels.length} (${shown}; not in a checkpoint): override with --labels <file>`,
    );
  }
  return lines;
}

function describeActivations(layers: readonly ArchLayer[]): string | undefined {
  const kinds: string[] = [];
  for (const layer of layers) {
    const text =
      layer.kind === 'relu'
        ? 'ReLU'
        : layer.kind === 'leakyRelu'
          ? `LeakyReLU(negative_slope=${layer.slope})`
          : layer.kind === 'sign'
            ? 'sign (binary)'
            : undefined;
    if (text !== undefined && !kinds.includes(text)) kinds.push(text);
  }
  if (kinds.length === 0) return undefined;
  return kinds.length === 1 && kinds[0] === 'ReLU' ? 'ReLU after every convolution' : kinds.join(' and ');
}

function describePools(layers: readonly ArchLayer[]): string | undefined {
  const pools = layers.flatMap((layer) => {
    switch (layer.kind) {
      case 'maxPool':
      case 'avgPool': {
        const kind = layer.kind === 'maxPool' ? 'max' : 'avg';
        const padding = layer.padding > 0 ? ` pad ${layer.padding}` : '';
        const countPads =
          layer.kind === 'avgPool' && layer.padding > 0 && !layer.countIncludePad ? ' not counting pads' : '';
        return [`${kind} ${layer.kernel}/${layer.stride}${padding}${layer.ceilMode ? ' ceil' : ''}${countPads}`];
      }
      case 'adaptiveAvgPool':
        return ['global avg'];
      default:
        return [];
    }
  });
  return pools.length === 0 ? undefined : pools.join(', ');
}

function describeBatchNorms(layers: readonly ArchLayer[]): string | undefined {
  const settings: string[] = [];
  for (const layer of layers) {
    if (layer.kind !== 'batchNorm') continue;
    const text =
      `eps ${layer.eps}${layer.affine ? '' : ' affine=False'}` +
      (layer.minWeight === undefined ? '' : ` γ clamped ≥ ${layer.minWeight}`);
    if (!settings.includes(text)) settings.push(text);
  }
  return settings.length === 0 ? undefined : settings.join(', ');
}

/** `resize to 32, RGB, ×1/255, mean 0.4914 0.4822 0.4465, std 0.247 0.2435 0.2616`. */
export function describePreprocessing(spec: PreprocessSpec, channels: number): string {
  const resize =
    spec.resizeShorterSide === spec.inputSize
      ? `resize to ${spec.inputSize}`
      : `shorter side to ${spec.resizeShorterSide}, centre ${spec.inputSize}`;
  const order = channels === 1 ? 'grey' : spec.channelOrder;
  const scale = spec.scale === 1 / 255 ? '×1/255' : `×${spec.scale}`;
  const values = (v: readonly number[]) => (channels === 1 ? String(v[0]) : v.join(' '));
  return `${resize}, ${order}, ${scale}, mean ${values(spec.mean)}, std ${values(spec.std)}`;
}
