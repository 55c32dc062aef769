import { ARCHITECTURES, architectureById, parseArchitectureJson, type Architecture } from '../architectures/index.js';
import { readRegularFile } from '../io/index.js';
import { checkPreprocessSpec, type PreprocessSpec } from '../preprocess/index.js';
import { UsageError } from './errors.js';

/**
 * The options that say how to read a PyTorch checkpoint, read from the command line the same way for nin-convert and
 * `nin-sdk train --from`: `--arch` (a registry id or a JSON file) and `--preprocessing` (a preset or a spec file).
 */

/** The --preprocessing presets: the pytorch-nin registry entries' preprocessing and labels. */
export const PRESETS = { cifar10: 'cifar10', imagenet: 'imagenet' } as const;

/** `--arch`: a registry id, else a JSON file in the registry's vocabulary. */
export async function readArchitecture(value: string): Promise<Architecture> {
  const known = architectureById(value);
  if (known !== undefined) return known;
  if (!value.endsWith('.json')) {
    throw new UsageError(
      `--arch should be one of ${ARCHITECTURES.map((a) => a.id).join(', ')} or a .json file, got '${value}'`,
    );
  }
  return parseArchitectureJson(new TextDecoder().decode(await readRegularFile(value)), value);
}

/** --preprocessing: a family's preset (with its labels) or a JSON spec file. */
export async function readPreprocessing(
  value: string,
): Promise<{ preprocessing: PreprocessSpec; defaultLabels?: readonly string[] }> {
  if (value === 'cifar10' || value === 'imagenet') {
    const entry = architectureById(value)!;
    return { preprocessing: entry.preprocessing, defaultLabels: entry.labels };
  }
  let spec: unknown;
  try {
    spec = JSON.parse(new TextDecoder().decode(await readRegularFile(value)));
  } catch (error) {
    if (error instanceof SyntaxError) throw new UsageError(`--preprocessing ${value}: not valid JSON`);
    throw new UsageError(`--preprocessing should be cifar10, imagenet or a JSON spec file, got '${value}'`);
  }
  try {
    checkPreprocessSpec(spec);
  } catch (error) {
    throw new UsageError(`--preprocessing ${value}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { preprocessing: spec };
}
