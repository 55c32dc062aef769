import { recognizeArchitecture } from '../../src/convert/index.js';
import { ninArchitectureOfMatch, type NinArchitecture } from '../../src/train/nin/architecture.js';

/** The NIN of a pytorch-nin state_dict, as the converter's recognition reads it (keys and shapes); throws for others. */
export function ninOfTensors(tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>): NinArchitecture {
  const nin = ninArchitectureOfMatch(recognizeArchitecture(tensors), tensors);
  if (nin === undefined) throw new Error('not a pytorch-nin state_dict');
  return nin;
}
