import { ArchitectureError } from '../convert/index.js';
import type { PreprocessSpec } from '../preprocess/index.js';
import { checkpointArchitecture, describeArchitectureSpec, isNinArchitectureSpec } from './checkpoint/state.js';
import type { StateDict } from './export/state-dict.js';
import { describeArchitecture, ninFamilyById, type NinArchitecture } from './nin/architecture.js';
import type { TrainingStart } from './training-start.js';

/** A trained NIN: its architecture, its weights under the entry's layer names, its classes and inputs. */
export interface NinModel {
  readonly architecture: NinArchitecture;
  readonly parameters: StateDict;
  readonly labels: readonly string[];
  readonly preprocessing: PreprocessSpec;
}

/** A model and the name errors call it by (its file). */
export interface NamedModel {
  readonly source: string;
  readonly model: NinModel;
}

/**
 * The NIN a start file holds (readTrainingStart: a .pth read as nin-convert reads it, an ONNX model, a
 * checkpoint.nintrain); another architecture is refused by name: averaging writes a pytorch-nin model.
 */
export function ninModelOf(start: TrainingStart, source: string): NinModel {
  const spec = start.architecture;
  // A pytorch-nin id whose recorded layers are not the entry's (training takes them as they are recorded).
  if ('registry' in spec && ninFamilyById(spec.registry) !== undefined)
    throw new ArchitectureError(
      `${source}: its layers are other than today's ${spec.registry} entry's: nin-sdk average takes the pytorch-nin ` +
        'entries (cifar10, imagenet) as the registry has them',
    );
  if (!isNinArchitectureSpec(spec))
    throw new ArchitectureError(
      `${source} is a ${describeArchitectureSpec(spec)} model: nin-sdk average takes the pytorch-nin entries (cifar10, imagenet) only`,
    );
  const { parameters, labels, preprocessing } = start;
  return { architecture: checkpointArchitecture(spec), parameters, labels, preprocessing };
}

/**
 * Stochastic weight averaging (Izmailov et al., 2018): the element-wise mean of the parameters of models of one
 * architecture, e.g. one run's weights at the ends of its last epochs. Their batch-norm pass is not needed: a NIN
 * has no normalisation statistics to recompute. Sums in float64, so the result is the exact mean rounded once to float32,
 * whatever the models' order. Labels and preprocessing must agree, since the average inherits them.
 */
export function averageModels(models: readonly NamedModel[]): NinModel {
  const first = models[0];
  if (first === undefined || models.length < 2)
    throw new RangeError(`averaging needs at least 2 models, got ${models.length}`);
  for (const other of models.slice(1)) checkSameKind(first, other);
  const parameters: StateDict = new Map(
    [...first.model.parameters].map(([name, { shape, data }]) => {
      const sum = new Float64Array(data.length);
      for (const { model } of models) {
        const values = model.parameters.get(name)!.data;
        for (let i = 0; i < sum.length; i++) sum[i]! += values[i]!;
      }
      const mean = new Float32Array(sum.length);
      for (let i = 0; i < mean.length; i++) mean[i] = sum[i]! / models.length;
      return [name, { shape, data: mean }];
    }),
  );
  return { ...first.model, parameters };
}

function checkSameKind(first: NamedModel, other: NamedModel): void {
  const describe = ({ model }: NamedModel): string => describeArchitecture(model.architecture);
  if (describe(other) !== describe(first)) {
    throw new ArchitectureError(
      `${other.source} is a ${describe(other)}, ${first.source} a ${describe(first)}: only models of one architecture can be averaged`,
    );
  }
  if (JSON.stringify(other.model.labels) !== JSON.stringify(first.model.labels)) {
    throw new ArchitectureError(
      `${other.source} has other labels than ${first.source}: only models of the same classes can be averaged`,
    );
  }
  if (JSON.stringify(other.model.preprocessing) !== JSON.stringify(first.model.preprocessing)) {
    throw new ArchitectureError(
      `${other.source} preprocesses its inputs otherwise than ${first.source}: only models trained on the same inputs can be averaged`,
    );
  }
}
