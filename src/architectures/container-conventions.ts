import { CIFAR10_COPIED_STD_PREPROCESSING, type PreprocessSpec } from '../preprocess/index.js';
import type { Checkpoint } from '../formats/index.js';
import type { Architecture } from './architecture.js';

/**
 * What the container of a checkpoint says about the training script that saved it, when its keys cannot: the same
 * layers trained by another script were fed differently normalised images. Each convention names the container it
 * recognises, the registry entries it applies to, and the preprocessing that script's test transform uses.
 */
export interface ContainerConvention {
  readonly id: string;
  /** The script, as the assumption names it. */
  readonly source: string;
  readonly wrapper: Checkpoint['wrapper'];
  /** Scalars saved next to the state_dict that, with the wrapper, identify the script's save code. */
  readonly extras: readonly string[];
  /** Registry ids whose checkpoints this script saves (the layer classes its forks copy in). */
  readonly architectures: readonly string[];
  readonly preprocessing: PreprocessSpec;
}

/**
 * kuangliu/pytorch-cifar main.py, copied by its many forks: `torch.save({'net': net.state_dict(), 'acc': acc,
 * 'epoch': epoch}, './checkpoint/ckpt.pth')`, `net` in DataParallel on CUDA, test images through
 * `ToTensor()` + `Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))`. The forks that add a NIN
 * (RU-System-Software-and-Security/NONE, YunCe-Code/Vulnerable-Region-Discovery, User3574/MBT-optimizer
 * models/nin.py) copy pytorch-nin-cifar10's original.py: keys classifier.N, the `cifar10` entry.
 */
export const KUANGLIU_PYTORCH_CIFAR: ContainerConvention = {
  id: 'kuangliu-pytorch-cifar',
  source: "kuangliu/pytorch-cifar's main.py",
  wrapper: 'net',
  extras: ['acc', 'epoch'],
  architectures: ['cifar10'],
  preprocessing: CIFAR10_COPIED_STD_PREPROCESSING,
};

export const CONTAINER_CONVENTIONS: readonly ContainerConvention[] = [KUANGLIU_PYTORCH_CIFAR];

export interface ConventionChoice {
  readonly preprocessing: PreprocessSpec;
  /** Said and recorded like every assumption: the container, not the weights, chose the preprocessing. */
  readonly assumption: string;
}

/**
 * The preprocessing of the script whose container this checkpoint has, for a registry entry that script's forks
 * use; undefined for anything else (a user's --arch JSON states its own preprocessing and is left alone).
 */
export function containerConvention(
  checkpoint: Pick<Checkpoint, 'wrapper' | 'extras'>,
  architecture: Architecture,
  fromRegistry: boolean,
): ConventionChoice | undefined {
  if (!fromRegistry) return undefined;
  const convention = CONTAINER_CONVENTIONS.find(
    (c) =>
      c.architectures.includes(architecture.id) &&
      c.wrapper === checkpoint.wrapper &&
      c.extras.every((key) => key in checkpoint.extras),
  );
  if (convention === undefined) return undefined;
  const { mean, std } = convention.preprocessing;
  return {
    preprocessing: convention.preprocessing,
    assumption:
      `the checkpoint is saved as ${convention.source} saves it ({'${convention.wrapper}': …, ` +
      `${convention.extras.map((e) => `'${e}'`).join(', ')}}): took that script's normalisation (mean ` +
      `${mean.join(', ')}, std ${std.join(', ')}) rather than the ${architecture.id} entry's`,
  };
}
