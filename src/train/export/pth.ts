import { writeCheckpoint } from '../../../converters/pth/write/index.js';
import type { StateDict } from './state-dict.js';

/**
 * Trained weights → a PyTorch checkpoint as pytorch-nin-cifar10 saves its best model: `{'best_acc': …,
 * 'state_dict': …}` with the family's keys, which the family's nn.Sequential takes with load_state_dict(strict=True).
 *
 * best_acc (percent) is saved as a 0-dim float64 tensor rather than a Python float: torch.load(weights_only=True)
 * of torch 1.13–2.0 refuses Python floats (see writeCheckpoint's floatExtras); `ckpt['best_acc'].item()` or
 * `float(ckpt['best_acc'])` gives the number, and our own reader gives it as a number.
 */
export function exportPytorchCheckpoint(
  parameters: StateDict,
  options: { readonly bestAccuracy?: number | null } = {},
): Uint8Array {
  const extras: Record<string, number> =
    options.bestAccuracy === undefined || options.bestAccuracy === null ? {} : { best_acc: options.bestAccuracy };
  return writeCheckpoint(parameters, { wrapper: 'state_dict', extras, floatExtras: 'float64-tensor' });
}
