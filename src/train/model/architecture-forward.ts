import {
  applyArchitectureLayers,
  BATCH_DIM,
  INPUT_NAME,
  LOGITS_NAME,
  type BatchNormLayer,
} from '../../architectures/index.js';
import type { Architecture } from '../../convert/index.js';
import { float32Tensor, GraphBuilder, ops, type Graph, type Shape, type Value } from '../../graph/index.js';
import { foldedConvBatchNorm, nextValueName, trainingBatchNorm, type BatchNormInputs } from './batch-norm.js';
import type { DropoutMaskSpec, ForwardModel, ParameterSpec } from './forward-model.js';

/**
 * How the forward graphs of an architecture are built for training: batch, input size, opset, parameters to freeze.
 *
 * @example
 * ```ts
 * import { fineTuneForwardModel, type ArchitectureForwardOptions, type FineTuneStart } from 'nin-sdk/train';
 * declare const start: FineTuneStart;
 * const options: ArchitectureForwardOptions = { batch: 32 };
 * const model = fineTuneForwardModel(start, options);
 * ```
 */
export interface ArchitectureForwardOptions {
  /** A static batch size, or the symbol of a dynamic one (default 'batch'). */
  readonly batch?: number | string;
  /** Default: the architecture's. */
  readonly inputSize?: number;
  readonly opsetVersion?: number;
  /** Parameters to feed but not train. */
  readonly frozen?: readonly string[];
  /**
   * How a BatchNorm right after a conv trains. 'folded' (default): folded into the conv once, at the start (the
   * parameters are the folded conv's). 'batch-statistics': as nn.BatchNorm2d in train mode, its γ and β trained and
   * its running statistics buffers that the training model updates (see ForwardModel.buffers); the eval graph folds
   * them into the conv as eval mode computes it.
   */
  readonly batchNorm?: 'folded' | 'batch-statistics';
}

/** Thrown for an architecture that has no trainable form here (binarised weights, a BatchNorm with no conv before it). */
export class UntrainableArchitectureError extends Error {
  override readonly name = 'UntrainableArchitectureError';
}

/**
 * The forward graphs of a registry architecture (src/architectures) with its parameters as graph inputs, built by the
 * converter's own walk over the layers. `parameters` are the trainable copy's names and shapes (see
 * src/architectures foldedWeights): `<conv>.weight`, `<conv>.bias` (a BatchNorm right after a conv is folded into it,
 * so the conv has a bias), `<linear>.weight` ([out, in]) and `<linear>.bias`. Channel counts come from their shapes.
 */
export function architectureForwardModel(
  architecture: Architecture,
  parameters: readonly ParameterSpec[],
  options: ArchitectureForwardOptions = {},
): ForwardModel {
  const train = buildForward(architecture, parameters, 'train', options);
  const evaluation = buildForward(architecture, parameters, 'eval', options);
  return {
    train: train.graph,
    eval: evaluation.graph,
    parameters,
    ...(options.frozen === undefined ? {} : { frozen: options.frozen }),
    ...(train.buffers.length === 0 ? {} : { buffers: train.buffers }),
    dropoutMasks: train.dropoutMasks,
    inputShape: train.inputShape,
  };
}

interface BuiltForward {
  readonly graph: Graph;
  readonly dropoutMasks: readonly DropoutMaskSpec[];
  readonly inputShape: Shape;
  readonly buffers: readonly string[];
}

function buildForward(
  architecture: Architecture,
  parameters: readonly ParameterSpec[],
  mode: 'train' | 'eval',
  options: ArchitectureForwardOptions,
): BuiltForward {
  const size = options.inputSize ?? architecture.inputSize;
  const g = new GraphBuilder({
    name: `nin_${architecture.id.replaceAll('-', '_')}_${mode}`,
    opsetVersion: options.opsetVersion,
  });
  const inputs = new Map(parameters.map((p) => [p.name, g.input(p.name, 'float32', p.shape)]));
  const used = new Set<string>();
  const parameter = (name: string): Value => {
    const value = inputs.get(name);
    if (value === undefined) throw new RangeError(`${architecture.title}: parameter ${name} is missing`);
    used.add(name);
    return value;
  };
  const inputShape: Shape = [options.batch ?? BATCH_DIM, architecture.inputChannels, size, size];
  const input = g.input(INPUT_NAME, 'float32', inputShape);
  const dropoutMasks: DropoutMaskSpec[] = [];
  const statistics = options.batchNorm === 'batch-statistics';
  const bufferOutputs: { name: string; value: Value }[] = [];
  const batchNormInputs = (layer: BatchNormLayer): BatchNormInputs => {
    if (!layer.affine || layer.minWeight !== undefined)
      throw new UntrainableArchitectureError(
        `${architecture.title}: BatchNorm ${layer.name} is not a plain affine one, which batch statistics train`,
      );
    return {
      weight: parameter(`${layer.name}.weight`),
      bias: parameter(`${layer.name}.bias`),
      runningMean: parameter(`${layer.name}.running_mean`),
      runningVar: parameter(`${layer.name}.running_var`),
    };
  };
  let batchCount: Value | undefined;
  // N as a float [1], read from the input's shape when the graph runs.
  const count = (): Value =>
    (batchCount ??= ops.cast(g, ops.slice(g, ops.shape(g, input), { starts: [0], ends: [1] }), 'float32', {
      name: 'batch_count',
    }));
  const trainingStatistics = (x: Value, layer: BatchNormLayer): Value => {
    const inputs = batchNormInputs(layer);
    const bn = trainingBatchNorm(g, x, layer, inputs, count());
    bufferOutputs.push(
      { name: inputs.runningMean.name, value: bn.runningMean },
      { name: inputs.runningVar.name, value: bn.runningVar },
    );
    return bn.output;
  };

  const x = applyArchitectureLayers(g, architecture, input, {
    ...(statistics && mode === 'train' ? { batchNormFromInput: trainingStatistics } : {}),
    conv: (layer, batchNorm) => {
      if (layer.weights === 'xnor-binarized') {
        throw new UntrainableArchitectureError(
          `${architecture.title}: ${layer.name} uses XNOR-Net's binarised weights, which have no gradient here`,
        );
      }
      if (statistics && batchNorm !== undefined) {
        const conv = {
          weight: parameter(`${layer.name}.weight`),
          ...(layer.bias ? { bias: parameter(`${layer.name}.bias`) } : {}),
        };
        return foldedConvBatchNorm(g, conv, batchNorm, batchNormInputs(batchNorm));
      }
      const bias = layer.bias || batchNorm !== undefined ? parameter(`${layer.name}.bias`) : undefined;
      return { weight: parameter(`${layer.name}.weight`), bias };
    },
    batchNorm: (layer) => {
      throw new UntrainableArchitectureError(
        `${architecture.title}: BatchNorm ${layer.name} follows no convolution, so it cannot be folded for training`,
      );
    },
    linear: (layer) => ({
      weight: ops.transpose(g, parameter(`${layer.name}.weight`), [1, 0], { name: `${layer.name}.weight_t` }),
      bias: layer.bias ? parameter(`${layer.name}.bias`) : undefined,
    }),
    dropout: (activations, layer, index) => {
      if (mode === 'eval') return activations;
      const mask = { name: `${layer.name}.mask`, layerIndex: index, shape: activations.shape, p: layer.p };
      dropoutMasks.push(mask);
      return dropout(g, activations, g.input(mask.name, 'float32', mask.shape), layer.p, layer.name);
    },
  });

  const unused = parameters.filter((p) => !used.has(p.name)).map((p) => p.name);
  if (unused.length > 0) throw new RangeError(`${architecture.title} has no layer for parameters ${unused.join(', ')}`);
  if (x.shape.length === 4 && (x.shape[2] !== 1 || x.shape[3] !== 1)) {
    throw new RangeError(
      `${architecture.title} at input ${size} ends in a ${String(x.shape[2])}×${String(x.shape[3])} map, not 1×1`,
    );
  }
  const logits = x.shape.length === 2 ? x : ops.flatten(g, x, 1, { name: LOGITS_NAME });
  g.output(logits, LOGITS_NAME);
  for (const { name, value } of bufferOutputs) g.output(value, nextValueName(name));
  return { graph: g.build(), dropoutMasks, inputShape, buffers: bufferOutputs.map((b) => b.name) };
}

/**
 * x · (M / (1 − p)): PyTorch's dropout with its random mask M made explicit,
 * so the TypeScript side chooses (and can replay) every mask.
 */
function dropout(g: GraphBuilder, x: Value, mask: Value, p: number, name: string): Value {
  const scaled = ops.div(g, mask, g.constant(float32Tensor([1 - p], [])));
  return ops.mul(g, x, scaled, { name: `${name}.dropout` });
}

/** The parameter names and shapes of a state_dict, in its order. */
export function parameterSpecs(weights: ReadonlyMap<string, { readonly shape: readonly number[] }>): ParameterSpec[] {
  return [...weights].map(([name, t]) => ({ name, shape: [...t.shape] }));
}
