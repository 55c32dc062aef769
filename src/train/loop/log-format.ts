/**
 * pytorch-nin-cifar10's log lines, character for character (original.py):
 *   print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}\tLR: {}'.format(epoch, batch_idx * len(data),
 *         len(trainloader.dataset), 100. * batch_idx / len(trainloader), loss.data[0], optimizer.param_groups[1]['lr']))
 *   print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.2f}%)\n'.format(…))
 * Numbers are formatted as Python formats them (round half to even on exact ties, repr for the learning rate), so
 * logs of both can be compared with diff. One deliberate difference: the original's test loss is the sum of
 * per-batch means × 128 / images (a quirk of its batch sizes); ours is the true mean cross-entropy per image.
 */

export interface TrainLogLine {
  /** From 1. */
  readonly epoch: number;
  /** Batch index in the epoch, from 0. */
  readonly batchIndex: number;
  /** Images in this batch (`len(data)`). */
  readonly batchSize: number;
  readonly datasetSize: number;
  readonly batchesPerEpoch: number;
  readonly loss: number;
  readonly learningRate: number;
}

export function trainLogLine(l: TrainLogLine): string {
  const percent = pythonFixed((100 * l.batchIndex) / l.batchesPerEpoch, 0);
  return `Train Epoch: ${l.epoch} [${l.batchIndex * l.batchSize}/${l.datasetSize} (${percent}%)]\tLoss: ${pythonFixed(l.loss, 6)}\tLR: ${pythonRepr(l.learningRate)}`;
}

/**
 * The test line, without the blank lines the original prints around it; `set` names the split evaluated
 * ('Validation' for images held out of the training data by --val).
 */
export function testLogLine(averageLoss: number, correct: number, count: number, set = 'Test'): string {
  return `${set} set: Average loss: ${pythonFixed(averageLoss, 4)}, Accuracy: ${correct}/${count} (${pythonFixed((100 * correct) / count, 2)}%)`;
}

/**
 * Python's '{:.Nf}'.format(x): the exact binary value rounded to N decimals, ties to even. JavaScript's toFixed
 * rounds the same exact value but breaks exact ties upwards, so ties are detected and redone.
 */
export function pythonFixed(x: number, digits: number): string {
  const fixed = x.toFixed(digits);
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  // Enough further digits to see the exact expansion of any double the logs print (well above 1e-20).
  const longer = Math.abs(x).toFixed(Math.min(digits + 40, 100));
  const rest = longer.slice(longer.length - 40);
  if (!/^50*$/.test(rest)) return fixed;
  const truncated = longer.slice(0, longer.length - 40);
  const lastDigit = Number(
    truncated[truncated.length - 1] === '.' ? truncated[truncated.length - 2] : truncated[truncated.length - 1],
  );
  // An even last kept digit stays (round down); an odd one goes up, which is what toFixed did.
  if (lastDigit % 2 === 1) return fixed;
  const down = digits === 0 ? truncated.replace(/\.$/, '') : truncated;
  return x < 0 && /[1-9]/.test(down) ? `-${down}` : down;
}

/** Python's repr of a float: the shortest digits that round-trip, fixed notation for 1e-4 ≤ |x| < 1e16, else exponent. */
export function pythonRepr(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = x.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    const text = String(x);
    // JavaScript writes 1e-7 style only below 1e-6, which this branch does not reach; integers lack Python's '.0'.
    return text.includes('.') ? text : `${text}.0`;
  }
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
