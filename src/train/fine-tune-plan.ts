/**
 * The decisions of fine-tuning a trained model on class folders, shared by `nin-sdk train --from` and nin-sdk/web's
 * fineTune (browser-safe): whether the classifier is kept or replaced, what `freeze: 'features'` freezes, and the
 * optimizer's groups. Each is one function, so that the CLI and the page train the same model from the same data.
 */
import type { OptimizerKind } from './artifacts.js';
import { foldersAreLabels } from './data/relabel.js';
import { recipeOptimizer, NEW_CLASSIFIER_LR_DIVISOR } from './loop/recipe.js';
import type { ParameterSpec } from './model/forward-model.js';
import { classifierLayer, withNewClassifier } from './new-classifier.js';
import { isRunningStatistic } from './nin/architecture.js';
import type { OptimizerSettings } from './optimizer/settings.js';
import type { TrainingStart } from './training-start.js';

/**
 * What a fine-tuning leaves untrained (`nin-sdk train --freeze`): 'features' trains the classifier alone, over the
 * model's features as they are; 'none' trains every parameter.
 *
 * @example
 * ```ts
 * import { fineTune, type FreezeChoice, type WebTrainingImage } from 'nin-sdk/web';
 * declare const images: WebTrainingImage[];
 * declare const fewImages: boolean;
 * const freeze: FreezeChoice = fewImages ? 'features' : 'none';
 * const run = await fineTune({ images, freeze });
 * console.log(run.frozen); // the parameters left as they were
 * ```
 */
export type FreezeChoice = 'features' | 'none';
export const FREEZE_CHOICES: readonly FreezeChoice[] = ['features', 'none'];

/** A start model fitted to the data's class folders. */
export interface ClassFolderStart {
  readonly start: TrainingStart;
  /** The replaced classifier's name (`classifier.20`) when the folders are not all the model's labels; else undefined. */
  readonly replacedClassifier: string | undefined;
}

/**
 * Class folders that are all labels of `given` (read through the folder rule, labelFolderName) fine-tune its
 * classifier; any other folder asks for a new one (withNewClassifier, seeded by `seed`), labelled with the folder
 * names in `folders`' order (sorted, torchvision's ImageFolder order).
 */
export function startForClassFolders(given: TrainingStart, folders: readonly string[], seed: number): ClassFolderStart {
  if (foldersAreLabels(folders, given.labels)) return { start: given, replacedClassifier: undefined };
  return { start: withNewClassifier(given, folders, seed), replacedClassifier: classifierLayer(given.tensors).name };
}

/** What `freeze: 'features'` keeps as it is: every parameter but the classifier's (the last weighted layer). */
export function featureParameters(tensors: readonly ParameterSpec[]): string[] {
  const head = classifierLayer(tensors).name;
  return tensors.map((t) => t.name).filter((name) => !name.startsWith(`${head}.`));
}

/** The last weighted layer's name (`classifier.20`): the recipe gives it its own learning rate. */
export function lastWeightedLayer(tensors: readonly ParameterSpec[]): string {
  return tensors[tensors.length - 1]!.name.replace(/\.(weight|bias)$/, '');
}

/**
 * The recipe's optimizer over the parameters not `frozen`, the weights at `lr`; a new classifier learns at the
 * weights' full rate (NEW_CLASSIFIER_LR_DIVISOR), a kept one at the recipe's tenth.
 */
export function fineTuneOptimizer(
  kind: OptimizerKind,
  tensors: readonly ParameterSpec[],
  frozen: readonly string[],
  lr: number,
  newClassifier: boolean,
): OptimizerSettings {
  const trainable = tensors.map((p) => p.name).filter((name) => !frozen.includes(name) && !isRunningStatistic(name));
  return recipeOptimizer(
    kind,
    trainable,
    lastWeightedLayer(tensors),
    lr,
    newClassifier ? NEW_CLASSIFIER_LR_DIVISOR : undefined,
  );
}
