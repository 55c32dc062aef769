import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { convertCheckpoint } from '../../src/convert/index.js';
import { adoptOnnxClassifier } from '../../src/convert/adopt-onnx.js';
import { checkModel } from '../../src/model/checked-model.js';
import { withClassMaps } from '../../src/model/class-maps-output.js';
import { METADATA_KEYS } from '../../src/model/metadata.js';
import { readCheckedModelInfo, readModelInfo } from '../../src/model/model-info.js';
import { CHECKPOINTS, FIXTURES, maxAbsDiff, readFloat32, readReference } from '../support/fixtures.js';
import { defaultModelProto, encodeModel, withoutClassMaps } from '../security/helpers.js';

const CIFAR_GEOMETRY = { stride: [4, 4], receptiveField: [27, 27], offset: [-13, -13] };
const CIFAR_LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/**
 * Runs converted bytes on the reference input: the largest difference of its class maps from PyTorch's (written by
 * make_class_map_fixtures.py), relative to the largest map value (or 1).
 */
async function mapsAgainstPyTorch(name: string, checkpoint: string, classesKept: number): Promise<number> {
  const converted = await convertCheckpoint(readFileSync(join(CHECKPOINTS, checkpoint)));
  assert.deepEqual(converted.metadata.outputs, {
    logits: 'logits',
    probabilities: 'probabilities',
    maps: 'class_maps',
  });
  const reference = readReference(name);
  const session = await ort.InferenceSession.create(converted.onnx);
  try {
    assert.deepEqual(session.outputNames, ['logits', 'probabilities', 'class_maps']);
    const input = new ort.Tensor('float32', readFloat32(reference.input), reference.input.shape);
    const { class_maps: maps } = await session.run({ input });
    const [n, classes, h, w] = maps!.dims as [number, number, number, number];
    const kept = new Float32Array(n * classesKept * h * w);
    for (let i = 0; i < n; i++)
      kept.set(
        (maps!.data as Float32Array).subarray(i * classes * h * w, (i * classes + classesKept) * h * w),
        i * classesKept * h * w,
      );
    const expected = readFloat32({ file: `${name}.class-maps.bin`, shape: [n, classesKept, h, w] });
    assert.equal(kept.length, expected.length);
    // Relative to the maps' scale: the ImageNet NIN's input is 0–255, its maps reach 31 where the CIFAR one's reach 4.
    return maxAbsDiff(kept, expected) / Math.max(1, ...Array.from(expected, Math.abs));
  } finally {
    await session.release();
  }
}

describe('class maps (the last map before global average pooling)', () => {
  test("nin-convert's CIFAR-10 NIN: a class_maps output [N, 10, 8, 8], equal to PyTorch's within 1e-4 of their scale", async () => {
    const diff = await mapsAgainstPyTorch('cifar-full', 'cifar-full.pth.tar', 10);
    assert.ok(diff <= 1e-4, `class maps differ from PyTorch's by ${diff}`);
  });

  test("nin-convert's ImageNet NIN: [N, 1000, 6, 6], equal to PyTorch's within 1e-4 of their scale, cells 32 px apart seeing 195", async () => {
    const diff = await mapsAgainstPyTorch('imagenet-small', 'imagenet-small.pth', 100);
    assert.ok(diff <= 1e-4, `class maps differ from PyTorch's by ${diff}`);
    const converted = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'imagenet-small.pth')));
    const info = readModelInfo(converted.onnx, 'imagenet-small.onnx');
    assert.deepEqual(info.classMaps, {
      value: 'class_maps',
      geometry: { stride: [32, 32], receptiveField: [195, 195], offset: [-64, -64] },
      classes: 1000,
      size: [6, 6],
    });
  });

  test('the geometry comes from the layers: 27 of 32 pixels per cell, 4 apart, for the CIFAR-10 NIN', async () => {
    const converted = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')));
    const info = readModelInfo(converted.onnx, 'cifar-small.onnx');
    assert.deepEqual(info.classMaps?.geometry, CIFAR_GEOMETRY);
    assert.deepEqual(info.classMaps?.size, [8, 8]);
  });

  test('a model whose logits come from a Linear head has no maps: none offered, none recorded', async () => {
    const converted = await convertCheckpoint(readFileSync(join(FIXTURES, 'arch', 'functional-zoo-nin-small.pth')));
    assert.equal(converted.metadata.outputs.maps, undefined);
    const model = checkModel(converted.onnx, 'zoo.onnx');
    assert.equal(withClassMaps(model), model);
    assert.equal(readCheckedModelInfo(model).classMaps, undefined);
  });

  // nin-convert writes the maps output (the fp32 file); nin-sdk quantize keeps it, dequantized (the int8 file).
  for (const [file, value] of [
    ['nin-cifar10.onnx', 'class_maps'],
    ['nin-cifar10-int8.onnx', 'class_maps_dequantized'],
  ] as const) {
    test(`the embedded ${file} carries its class maps in the file: loading adds nothing`, () => {
      const checked = checkModel(readFileSync(join(FIXTURES, '..', 'models', file)), file);
      const info = readCheckedModelInfo(checked);
      assert.deepEqual(info.outputs, { logits: 'logits', probabilities: 'probabilities', maps: value });
      assert.deepEqual(info.classMaps, { value, geometry: CIFAR_GEOMETRY, classes: 10, size: [8, 8] });
      assert.deepEqual(
        checked.proto.graph!.output.map((o) => o.name),
        ['logits', 'probabilities', value],
      );
      assert.equal(withClassMaps(checked), checked);
    });
  }

  test('a model converted before maps existed (the shipped fp32 one, maps stripped) gets them at load, in memory only', () => {
    const bytes = encodeModel(withoutClassMaps(defaultModelProto()));
    const copy = Uint8Array.from(bytes);
    const checked = checkModel(bytes, 'without maps');
    assert.equal(readCheckedModelInfo(checked).classMaps, undefined);
    const edited = withClassMaps(checked);
    const info = readCheckedModelInfo(edited);
    // The graph still has a value named class_maps (the last ReLU's output, as nin-convert names it): a fresh name.
    const value = 'class_maps_1';
    assert.deepEqual(info.outputs, { logits: 'logits', probabilities: 'probabilities', maps: value });
    assert.deepEqual(info.classMaps, { value, geometry: CIFAR_GEOMETRY, classes: 10, size: [8, 8] });
    assert.deepEqual(
      edited.proto.graph!.output.map((o) => o.name),
      ['logits', 'probabilities', value],
    );
    // The checked model it came from is unchanged, and so are the bytes.
    assert.equal(checked.proto.graph!.output.length, 2);
    assert.deepEqual(bytes, copy);
    assert.equal(withClassMaps(edited), edited);
  });

  test("torch.onnx's export (Pad + AveragePool + a computed Reshape) adopted: maps output, same geometry", () => {
    const adopted = adoptOnnxClassifier(readFileSync(join(FIXTURES, 'torch-export', 'cifar-small-torch.onnx')), {
      labels: CIFAR_LABELS,
      preprocessing: {
        inputSize: 32,
        resizeShorterSide: 32,
        channelOrder: 'RGB',
        scale: 1 / 255,
        mean: [0.5, 0.5, 0.5],
        std: [0.25, 0.25, 0.25],
      },
    });
    assert.equal(adopted.classMaps, true);
    const info = readModelInfo(adopted.onnx, 'adopted.onnx');
    assert.equal(info.outputs.maps, 'class_maps');
    assert.deepEqual(info.classMaps?.geometry, CIFAR_GEOMETRY);
  });

  test("a 'nin.outputs' that names as maps a value the logits do not pool is refused, in one line", async () => {
    const converted = await convertCheckpoint(readFileSync(join(CHECKPOINTS, 'cifar-small.pth')));
    const model = checkModel(converted.onnx, 'lying.onnx');
    const entry = model.proto.metadataProps.find((p) => p.key === METADATA_KEYS.outputs)!;
    entry.value = JSON.stringify({ logits: 'logits', probabilities: 'probabilities', maps: 'probabilities' });
    assert.throws(() => readCheckedModelInfo(model), {
      name: 'ModelError',
      message:
        'lying.onnx: \'nin.outputs\' names "probabilities" as the class maps, but it is not an output whose spatial ' +
        'average pooling gives "logits"',
    });
  });
});
