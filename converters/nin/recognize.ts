import type { Architecture } from './architecture.js';
import { ArchitectureError } from './errors.js';
import { FAMILIES, FAMILY_IDS } from './families.js';
import { checkShapes, compareKeys, keyMaps } from './fit.js';
import { ARCHITECTURES } from './registry.js';
import { convIndices, type FamilyId, type FamilySpec } from './spec.js';

import type { ShapedTensor } from './fit.js';

export type { ShapedTensor } from './fit.js';

/** Which state_dict key holds each convolution's weight and bias, in layer order. */
export interface ConvBinding {
  readonly layerIndex: number;
  readonly weightKey: string;
  readonly biasKey: string;
  readonly inChannels: number;
  readonly outChannels: number;
}

export interface Recognition {
  readonly family: FamilySpec;
  /** How the keys were laid out: under the family's container, as a bare Sequential, or matched by order. */
  readonly layout: 'container' | 'sequential' | 'by-order';
  readonly convs: readonly ConvBinding[];
  readonly classCount: number;
}

const SHOWN_KEYS = 4;

/**
 * Finds the NIN family of a state_dict from its keys and shapes alone. With `family` given, that family is
 * checked instead of guessed, and renamed keys are accepted when the weights and biases come in layer order.
 */
export function recognize(tensors: ReadonlyMap<string, ShapedTensor>, family?: FamilyId): Recognition {
  const keys = [...tensors.keys()];
  const candidates = family ? [FAMILIES[family]] : FAMILY_IDS.map((id) => FAMILIES[id]);
  for (const spec of candidates) {
    for (const prefix of [`${spec.container}.`, '']) {
      const expected = expectedKeys(spec, prefix);
      if (expected.every((key) => tensors.has(key))) {
        return bind(spec, tensors, prefix === '' ? 'sequential' : 'container', (i) => [
          `${prefix}${i}.weight`,
          `${prefix}${i}.bias`,
        ]);
      }
    }
  }
  if (family) {
    const spec = FAMILIES[family];
    const byOrder = keysInLayerOrder(spec, keys);
    if (byOrder) return bind(spec, tensors, 'by-order', (i) => byOrder.get(i)!);
    throw new ArchitectureError(
      `not a ${spec.title} checkpoint: expected ${describeKeys(expectedKeys(spec, `${spec.container}.`))}, ` +
        `or ${convIndices(spec).length} weight/bias pairs in layer order; found ${describeKeys(keys)}`,
    );
  }
  const others = otherArchitectures(tensors);
  if (others.length > 0) {
    throw new ArchitectureError(
      `this is a ${others.map((a) => a.title).join(' or ')} checkpoint (${others.map((a) => a.id).join(' or ')}): ` +
        'nin-convert converts it, but this is not supported for this architecture yet ' +
        `(only ${FAMILY_IDS.map((id) => FAMILIES[id].title).join(' and ')} layouts)`,
    );
  }
  const expectations = candidates.map(
    (spec) => `${spec.title}: ${describeKeys(expectedKeys(spec, `${spec.container}.`))}`,
  );
  throw new ArchitectureError(
    `not a Network-in-Network checkpoint: expected keys of ${expectations.join(' or ')}; found ${describeKeys(keys)}`,
    {
      option: 'family',
      choices: FAMILY_IDS,
    },
  );
}

/** Registry entries other than the families whose keys and shapes the tensors fit, for a precise refusal. */
function otherArchitectures(tensors: ReadonlyMap<string, ShapedTensor>): Architecture[] {
  const fits: Array<{ architecture: Architecture; classCount: number }> = [];
  for (const architecture of ARCHITECTURES) {
    if ((FAMILY_IDS as readonly string[]).includes(architecture.id)) continue;
    for (const { prefix, keyOf } of keyMaps(architecture)) {
      const { missing, unexpected } = compareKeys(architecture, prefix, keyOf, tensors);
      if (missing.length > 0 || unexpected.length > 0) continue;
      try {
        fits.push({ architecture, classCount: checkShapes(architecture, keyOf, tensors).classCount });
      } catch {
        // shapes do not fit: not this one
      }
      break;
    }
  }
  const byLabels = fits.filter((f) => f.architecture.labels.length === f.classCount);
  return (byLabels.length > 0 ? byLabels : fits).map((f) => f.architecture);
}

function expectedKeys(spec: FamilySpec, prefix: string): string[] {
  return convIndices(spec).flatMap((i) => [`${prefix}${i}.weight`, `${prefix}${i}.bias`]);
}

function describeKeys(keys: readonly string[]): string {
  if (keys.length === 0) return 'no tensors';
  const shown = keys.slice(0, SHOWN_KEYS).join(', ');
  return keys.length > SHOWN_KEYS ? `${shown}, … (${keys.length} keys)` : `${shown} (${keys.length} keys)`;
}

/** Pairs `*.weight`/`*.bias` keys in checkpoint order with the family's convolutions, if the counts agree. */
function keysInLayerOrder(spec: FamilySpec, keys: readonly string[]): Map<number, [string, string]> | undefined {
  const weights = keys.filter((key) => key.endsWith('weight'));
  const biases = keys.filter((key) => key.endsWith('bias'));
  const indices = convIndices(spec);
  if (weights.length !== indices.length || biases.length !== indices.length) return undefined;
  return new Map(indices.map((layerIndex, n) => [layerIndex, [weights[n]!, biases[n]!]]));
}

function bind(
  spec: FamilySpec,
  tensors: ReadonlyMap<string, ShapedTensor>,
  layout: Recognition['layout'],
  keysOf: (layerIndex: number) => readonly [string, string],
): Recognition {
  const convs: ConvBinding[] = [];
  let channels = 3;
  for (const layerIndex of convIndices(spec)) {
    const layer = spec.layers[layerIndex];
    if (layer?.kind !== 'conv') throw new Error(`internal: layer ${layerIndex} of ${spec.id} is not a conv`);
    const [weightKey, biasKey] = keysOf(layerIndex);
    const weight = tensors.get(weightKey)!.shape;
    const bias = tensors.get(biasKey)!.shape;
    const expected = `[out, ${channels}, ${layer.kernel}, ${layer.kernel}]`;
    if (weight.length !== 4 || weight[1] !== channels || weight[2] !== layer.kernel || weight[3] !== layer.kernel) {
      throw new ArchitectureError(
        `${weightKey} has shape [${weight.join(', ')}] but ${spec.title} expects ${expected} at layer ${layerIndex}`,
      );
    }
    const outChannels = weight[0]!;
    if (bias.length !== 1 || bias[0] !== outChannels) {
      throw new ArchitectureError(
        `${biasKey} has shape [${bias.join(', ')}] but ${spec.title} expects [${outChannels}]`,
      );
    }
    convs.push({ layerIndex, weightKey, biasKey, inChannels: channels, outChannels });
    channels = outChannels;
  }
  return { family: spec, layout, convs, classCount: channels };
}
