import { Random } from '../numeric/index.js';
import type { StateDict } from './export/state-dict.js';
import type { InitKind } from './loop/recipe.js';
import { isBatchNormAffine, ninParameters, type NinArchitecture } from './nin/architecture.js';

/**
 * The stream of the run's seed that draws initial weights. The batch iterator takes stream 0 (crops, flips, masks)
 * and 1 + epoch (each epoch's order); this one is far past any epoch count.
 */
export const INIT_STREAM = 0xfffffff0;

/**
 * Fresh parameters: biases 0, weights normal with mean 0 and standard deviation 0.05 ('normal', pytorch-nin-cifar10's
 * `m.weight.data.normal_(0, 0.05)`) or √(2 / fan_in) ('he', torch's kaiming_normal_ for ReLU, as train.py), drawn
 * from a seeded generator so that a run is repeatable.
 *
 * @param architecture - the NIN
 * @param kind - 'normal' (the recipe's N(0, 0.05) weights) or 'he'; biases are zero
 * @param seed - the seed of the draw: the same seed gives the same weights
 * @returns the weights by state_dict name
 * @example
 * ```ts
 * import { initialParameters } from 'nin-sdk/train';
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * const weights = initialParameters(architecture, 'normal', 42);
 * console.log(weights.get('classifier.0.weight')?.shape); // [192, 3, 5, 5]
 * ```
 */
export function initialParameters(architecture: NinArchitecture, kind: InitKind, seed: number): StateDict {
  const random = Random.fromSeed(seed, INIT_STREAM);
  const normal = new NormalSampler(random);
  return new Map(
    ninParameters(architecture).map((p) => {
      const data = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
      // nn.BatchNorm2d starts as the identity: γ 1, β 0, running mean 0, running variance 1.
      if (p.name.endsWith('.running_var') || (isBatchNormAffine(p.name) && p.name.endsWith('.weight'))) {
        data.fill(1);
      } else if (p.name.endsWith('.weight')) {
        const fanIn = p.shape.slice(1).reduce((a, b) => a * b, 1);
        const std = kind === 'normal' ? 0.05 : Math.sqrt(2 / fanIn);
        for (let i = 0; i < data.length; i++) data[i] = std * normal.next();
      }
      return [p.name, { shape: p.shape, data }];
    }),
  );
}

/** Standard normal draws by the Box–Muller transform, two per pair of uniforms. */
class NormalSampler {
  private spare: number | undefined;

  constructor(private readonly random: Random) {}

  next(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.random.nextFloat()));
    const angle = 2 * Math.PI * this.random.nextFloat();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
