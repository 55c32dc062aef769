import { isNinArchitectureSpec } from './checkpoint/state.js';
import { Random } from '../numeric/index.js';
import type { StateDict } from './export/state-dict.js';
import type { ParameterSpec } from './model/forward-model.js';
import type { TrainingStart } from './training-start.js';

/**
 * The stream of the run's seed that draws a new classifier's weights (initial weights take 0xfffffff0, --limit's
 * sample and --val's split 0xfffffff1 and 0xfffffff2).
 */
export const NEW_CLASSIFIER_STREAM = 0xfffffff3;

/** The classifier of a model: its last weighted layer (NIN's last mlpconv convolution, or a Linear head). */
export interface ClassifierLayer {
  /** `classifier.20`, `output.final_conv.conv`, `fc` … */
  readonly name: string;
  readonly weight: ParameterSpec;
  readonly bias: ParameterSpec | undefined;
}

/** The last weighted layer of `tensors` (state_dict order: the last `.weight`, with its `.bias` when it has one). */
export function classifierLayer(tensors: readonly ParameterSpec[]): ClassifierLayer {
  const weight = [...tensors].reverse().find((t) => t.name.endsWith('.weight'));
  if (weight === undefined) throw new RangeError('the model has no weighted layer to replace');
  const name = weight.name.slice(0, -'.weight'.length);
  return { name, weight, bias: tensors.find((t) => t.name === `${name}.bias`) };
}

/**
 * `start` with its classifier replaced by a freshly initialised one of `labels.length` outputs, as torchvision users
 * do (`model.fc = nn.Linear(features, classes)`): every other layer keeps its trained weights, the model its
 * preprocessing, and `labels` become its labels. The new weights and biases are drawn as PyTorch initialises a
 * Conv2d or Linear, uniform in ±1/√fan_in (kaiming_uniform_ with a = √5), from stream NEW_CLASSIFIER_STREAM of
 * `seed`. Parameters the start keeps frozen (a checkpoint.nintrain's) stay frozen, the replaced classifier's aside.
 *
 * @param start - the model to fine-tune
 * @param labels - the new classes
 * @param seed - the seed of the new layer's initial weights
 * @returns the same start with a freshly initialised last weighted layer of `labels.length` outputs
 * @example
 * ```ts
 * import { readTrainingStart, withNewClassifier } from 'nin-sdk/train';
 * import { readFileSync } from 'node:fs';
 * const start = readTrainingStart(readFileSync('nin.pth'), 'nin.pth');
 * const twoClasses = withNewClassifier(start, ['cat', 'dog'], 0);
 * ```
 */
export function withNewClassifier(start: TrainingStart, labels: readonly string[], seed: number): TrainingStart {
  if (labels.length < 1) throw new RangeError('a new classifier needs at least one label');
  const head = classifierLayer(start.tensors);
  const classes = labels.length;
  const weightShape = [classes, ...head.weight.shape.slice(1)];
  const fanIn = weightShape.slice(1).reduce((a, b) => a * b, 1);
  const random = Random.fromSeed(seed, NEW_CLASSIFIER_STREAM);
  const bound = 1 / Math.sqrt(fanIn);
  const uniform = (length: number): Float32Array =>
    Float32Array.from({ length }, () => (2 * random.nextFloat() - 1) * bound);
  const replaced = new Map<string, { shape: readonly number[]; data: Float32Array }>([
    [head.weight.name, { shape: weightShape, data: uniform(classes * fanIn) }],
  ]);
  if (head.bias !== undefined) replaced.set(head.bias.name, { shape: [classes], data: uniform(classes) });

  const tensors = start.tensors.map((t) => {
    const fresh = replaced.get(t.name);
    return fresh === undefined ? t : { name: t.name, shape: fresh.shape };
  });
  const parameters: StateDict = new Map(
    [...start.parameters].map(([name, tensor]) => [name, replaced.get(name) ?? tensor]),
  );
  const spec = start.architecture;
  // A NIN records its widths, the class count last; other architectures take channel counts from the shapes.
  const architecture = isNinArchitectureSpec(spec)
    ? { family: spec.family, widths: [...spec.widths.slice(0, -1), classes] }
    : spec;
  const frozen = start.frozen?.filter((name) => !replaced.has(name));
  return {
    ...(frozen === undefined || frozen.length === 0 ? {} : { frozen }),
    architecture,
    tensors,
    parameters,
    labels: [...labels],
    preprocessing: start.preprocessing,
    inputChannels: start.inputChannels,
    assumptions: start.assumptions,
  };
}
