import { writeCheckpoint } from '../../formats/index.js';
import type { StateDict } from './state-dict.js';

/**
 * Trained weights → a PyTorch checkpoint as pytorch-nin-cifar10 saves its best model: `{'best_acc': …,
 * 'state_dict': …}` with the family's keys, which the family's nn.Sequential takes with load_state_dict(strict=True).
 *
 * best_acc (percent) is saved as a 0-dim float64 tensor rather than a Python float: torch.load(weights_only=True)
 * of torch 1.13–2.0 refuses Python floats (see writeCheckpoint's floatExtras); `ckpt['best_acc'].item()` or
 * `float(ckpt['best_acc'])` gives the number, and our own reader gives it as a number.
 *
 * @param parameters - trained weights by state_dict name
 * @param options - `bestAccuracy`, saved as `best_acc` beside the state_dict
 * @returns a torch.save zip that `torch.load` reads as `{'state_dict': …, 'best_acc': …}`
 * @example
 * ```ts
 * import { exportPytorchCheckpoint, type TrainingStart } from 'nin-sdk/train';
 * import { writeFileSync } from 'node:fs';
 * declare const trained: TrainingStart;
 * writeFileSync('nin.pth.tar', exportPytorchCheckpoint(trained.parameters, { bestAccuracy: 89.6 }));
 * ```
 */
export function exportPytorchCheckpoint(
  parameters: StateDict,
  options: { readonly bestAccuracy?: number | null } = {},
): Uint8Array {
  const extras: Record<string, number> =
    options.bestAccuracy === undefined || options.bestAccuracy === null ? {} : { best_acc: options.bestAccuracy };
  return writeCheckpoint(parameters, { wrapper: 'state_dict', extras, floatExtras: 'float64-tensor' });
}
