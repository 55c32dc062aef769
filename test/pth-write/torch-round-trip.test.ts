import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isFloatTensor, readCheckpoint } from '../../src/formats/pth/index.js';
import { writeCheckpoint, type WritableTensor } from '../../src/formats/pth/write/index.js';
import { CHECKPOINTS, FIXTURES, readReference } from '../support/fixtures.js';
import { torchMissing, TORCH_PYTHON } from '../support/torch.js';

/**
 * PyTorch → nin-sdk → PyTorch: a torch-written checkpoint read by readCheckpoint, written back by writeCheckpoint,
 * loaded by real PyTorch into the pytorch-nin-cifar10 model with strict=True, which must then compute exactly what
 * the original gives. Debian's python3-torch is the PyTorch (the `python3` on PATH usually has none); without it
 * the test is skipped, except in CI where it must be there.
 */
const CHECK_SCRIPT = fileURLToPath(new URL('./check_torch_load.py', import.meta.url));

const missing = torchMissing();

interface FileReport {
  readonly label: string;
  readonly weightsOnly: string;
  readonly rootType: string;
  readonly stateDictType: string;
  readonly extras?: Record<string, number | string>;
  readonly keysInOrder: boolean;
  readonly tensorsEqual: boolean;
  readonly strict: string;
  readonly outputsBitEqual?: boolean;
  readonly maxAbsDiff?: number;
  readonly pickleEqualsTorchSave: boolean;
}

interface Report {
  readonly torch: string;
  readonly originalVsReference: number;
  readonly files: readonly FileReport[];
}

describe('PyTorch → nin-sdk → PyTorch (cifar-small)', { skip: missing }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'nin-pth-write-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  const original = join(CHECKPOINTS, 'cifar-small.pth');
  const tensors = new Map<string, WritableTensor>();
  for (const [name, tensor] of readCheckpoint(readFileSync(original)).tensors) {
    assert.ok(isFloatTensor(tensor), name);
    tensors.set(name, tensor);
  }
  const extras = { best_acc: 89.64, epoch: 164, arch: 'nin' };
  const files = [
    { label: 'bare', wrapped: false, bytes: writeCheckpoint(tensors) },
    { label: 'wrapped, float extras', wrapped: true, bytes: writeCheckpoint(tensors, { extras }) },
    {
      label: 'wrapped, tensor extras',
      wrapped: true,
      bytes: writeCheckpoint(tensors, { extras, floatExtras: 'float64-tensor' }),
    },
  ].map(({ label, wrapped, bytes }, i) => {
    const path = join(folder, `written-${i}.pth.tar`);
    writeFileSync(path, bytes);
    return { label, path, wrapped };
  });

  let report: Report | undefined;
  const run = (): Report => {
    if (report !== undefined) return report;
    const reference = readReference('cifar-small');
    const request = {
      original,
      input: join(FIXTURES, 'reference', reference.input.file),
      inputShape: reference.input.shape,
      referenceLogits: join(FIXTURES, 'reference', reference.logits.file),
      files,
    };
    const result = spawnSync(TORCH_PYTHON, [CHECK_SCRIPT], {
      input: JSON.stringify(request),
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(result.status, 0, `${CHECK_SCRIPT} failed:\n${result.stderr}`);
    report = JSON.parse(result.stdout) as Report;
    return report;
  };
  const fileReport = (label: string): FileReport => {
    const found = run().files.find((f) => f.label === label);
    assert.ok(found, label);
    return found;
  };

  it('the original fixture still gives the reference logits (the baseline is sound)', () => {
    assert.ok(run().originalVsReference <= 1e-5, `original vs reference logits: ${run().originalVsReference}`);
  });

  for (const label of ['bare', 'wrapped, float extras', 'wrapped, tensor extras']) {
    it(`${label}: load_state_dict(strict=True) accepts it and the model's outputs are bit-identical`, () => {
      const file = fileReport(label);
      assert.equal(file.stateDictType, 'OrderedDict');
      assert.ok(file.keysInOrder, 'same keys, same order');
      assert.ok(file.tensorsEqual, 'every tensor float32, contiguous and equal');
      assert.equal(file.strict, 'ok');
      assert.equal(file.outputsBitEqual, true, `max abs diff ${file.maxAbsDiff}`);
    });

    it(`${label}: torch.save of what torch loaded writes the very same data.pkl`, () => {
      assert.ok(fileReport(label).pickleEqualsTorchSave);
    });
  }

  it('torch.load(weights_only=True) reads the bare state_dict and the wrapper with tensor extras', () => {
    assert.equal(fileReport('bare').weightsOnly, 'ok');
    const wrapped = fileReport('wrapped, tensor extras');
    assert.equal(wrapped.weightsOnly, 'ok');
    assert.equal(wrapped.rootType, 'dict');
    assert.deepEqual(wrapped.extras, extras);
  });

  it('Python float extras load with torch.load; weights_only=True refuses them only where torch lacks BINFLOAT (1.13–2.0)', () => {
    const wrapped = fileReport('wrapped, float extras');
    assert.deepEqual(wrapped.extras, extras);
    if (wrapped.weightsOnly !== 'ok')
      assert.match(wrapped.weightsOnly, /Unsupported operand 71/, `torch ${run().torch}`);
  });
});
