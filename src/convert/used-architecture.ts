import { type ArchLayer, isWeighted, architectureToJson } from '../architectures/index.js';
import type { ConversionResult } from './convert.js';

/**
 * `nin-convert --print-arch`: the architecture a conversion used, as the JSON that `--arch` reads back, with every
 * setting the weights could not show spelt out (activations, pools, BatchNorm eps), the preprocessing and labels
 * written to the model, and each weighted layer named after the checkpoint's own keys, so that the edited file
 * fits the same checkpoint exactly. A user changes what was assumed (a LeakyReLU's slope, a CIFAR mean) and passes
 * it back: `nin-convert ckpt.pth out.onnx --arch edited.json`.
 */
export function usedArchitectureJson(
  result: Pick<ConversionResult, 'family' | 'keyOf' | 'metadata'>,
): Record<string, unknown> {
  const { family: architecture, keyOf, metadata } = result;
  const layers = architecture.layers.map((layer): ArchLayer => {
    if (!isWeighted(layer)) return layer;
    const key = keyOf.get(`${layer.name}.${layer.kind === 'batchNorm' ? 'running_mean' : 'weight'}`);
    const suffix = layer.kind === 'batchNorm' ? '.running_mean' : '.weight';
    return key === undefined || !key.endsWith(suffix) ? layer : { ...layer, name: key.slice(0, -suffix.length) };
  });
  return architectureToJson({
    ...architecture,
    layers,
    labels: metadata.labels,
    preprocessing: metadata.preprocessing,
    keyPrefixes: [''],
  });
}
