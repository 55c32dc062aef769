/**
 * Models run only what a model of their kind needs: the operators of image classifiers, by allow-list, and no
 * intermediate tensor above 64 times the input or the largest weight, refused before ONNX Runtime allocates it.
 * Before, the default model plus four nodes (a ConstantOfShape of 125 M elements summed ×0 into the logits) ran in
 * predict at a 1 GB peak, and serve ran it on every request.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { NodeProtoSchema, TensorProtoSchema, type ModelProto, type NodeProto } from 'onnx-buf';
import { checkModel } from '../../src/model/checked-model.js';
import { loadClassifier } from '../../src/node/classify.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { DEFAULT_MODEL, defaultModelProto, encodeModel, withoutClassMaps } from './helpers.js';

/** An int64 initializer holding `values`. */
function int64Initializer(name: string, values: readonly number[]) {
  return create(TensorProtoSchema, { name, dims: [BigInt(values.length)], dataType: 7, int64Data: values.map(BigInt) });
}

/**
 * The default model with `nodes` added whose last output (a scalar) is added to the logits: the logits and
 * probabilities are unchanged when it is zero, so the model still passes for the classifier it was. Its class maps
 * output goes: the logits are no longer the maps' average, which the model check would rightly refuse.
 */
function withNodesIntoLogits(nodes: readonly NodeProto[], extra: (model: ModelProto) => void = () => {}): Uint8Array {
  const model = withoutClassMaps(defaultModelProto());
  const graph = model.graph!;
  const flatten = graph.node.find((n) => n.output.includes('logits'))!;
  flatten.output = ['logits_raw'];
  const last = nodes[nodes.length - 1]!.output[0]!;
  graph.node.splice(
    graph.node.indexOf(flatten) + 1,
    0,
    ...nodes,
    create(NodeProtoSchema, { opType: 'Add', name: 'into_logits', input: ['logits_raw', last], output: ['logits'] }),
  );
  extra(model);
  return encodeModel(model);
}

const node = (opType: string, name: string, input: string[], output: string[], domain = ''): NodeProto =>
  create(NodeProtoSchema, { opType, name, input, output, domain });

/** ConstantOfShape of `shape`, summed, times zero. */
function constantOfShapeBomb(elements: number): Uint8Array {
  return withNodesIntoLogits(
    [
      node('ConstantOfShape', 'bomb', ['bomb_shape'], ['bomb']),
      create(NodeProtoSchema, {
        opType: 'ReduceSum',
        name: 'bomb_sum',
        input: ['bomb'],
        output: ['bomb_sum'],
        attribute: [{ name: 'keepdims', type: 2, i: 0n }],
      }),
      node('Mul', 'bomb_zero', ['bomb_sum', 'zero'], ['bomb_zero']),
    ],
    (model) => {
      model.graph!.initializer.push(
        int64Initializer('bomb_shape', [elements]),
        create(TensorProtoSchema, { name: 'zero', dims: [], dataType: 1, floatData: [0] }),
      );
    },
  );
}

describe('what a model may run', () => {
  test('the default model plus a ConstantOfShape of 125 M elements summed ×0 into the logits is refused before it runs', async () => {
    await assert.rejects(loadClassifier(constantOfShapeBomb(125_000_000)), {
      name: 'ModelError',
      message:
        'model bytes: node "bomb" (ConstantOfShape) makes bomb of 125000000 elements, more than 64 times the ' +
        "model's input or largest weight (29491200); nin-sdk refuses models that allocate more than an image " +
        'classifier needs',
    });
  });

  test('the same four nodes at a size the bound allows still classify as the model did (the check is no blanket refusal)', async () => {
    const classifier = await loadClassifier(constantOfShapeBomb(1000));
    try {
      const plain = await loadClassifier(DEFAULT_MODEL);
      const image = join(ROOT, 'fixtures/images/cat.jpg');
      assert.deepEqual(await classifier.classify(image), await plain.classify(image));
      await plain.dispose();
    } finally {
      await classifier.dispose();
    }
  });

  test('a ConstantOfShape whose shape is computed when the model runs is refused: what it allocates cannot be known', async () => {
    const bytes = withNodesIntoLogits([
      node('Shape', 'shape_of_input', ['input'], ['input_shape']),
      node('ConstantOfShape', 'dynamic', ['input_shape'], ['dynamic']),
      node('ReduceMax', 'dynamic_max', ['dynamic'], ['dynamic_max']),
    ]);
    assert.throws(() => checkModel(bytes, 'dynamic.onnx'), {
      name: 'ModelError',
      message:
        'dynamic.onnx: node "dynamic" (ConstantOfShape) makes dynamic of a size that is computed only when the ' +
        'model runs; nin-sdk takes ConstantOfShape only with a constant shape, so that what it allocates is known before it runs',
    });
  });

  test("an Expand to a shape computed at run time is refused, even where its dims' names are the input's", () => {
    // The shape rules name a dim they cannot compute after the node ('grow_d0' once): a file whose input dim bore
    // that name made the Expand's 125 M elements count as one batch. Dims are now named by the check, not the file.
    const bytes = withNodesIntoLogits(
      [
        create(NodeProtoSchema, {
          opType: 'Concat',
          name: 'grow_shape',
          input: ['bomb_shape'],
          output: ['grow_shape'],
          attribute: [{ name: 'axis', type: 2, i: 0n }],
        }),
        node('Expand', 'grow', ['zero', 'grow_shape'], ['grow']),
        create(NodeProtoSchema, {
          opType: 'ReduceSum',
          name: 'grow_sum',
          input: ['grow'],
          output: ['grow_sum'],
          attribute: [{ name: 'keepdims', type: 2, i: 0n }],
        }),
        node('Mul', 'grow_zero', ['grow_sum', 'zero'], ['grow_zero']),
      ],
      (model) => {
        model.graph!.initializer.push(
          int64Initializer('bomb_shape', [125_000_000]),
          create(TensorProtoSchema, { name: 'zero', dims: [], dataType: 1, floatData: [0] }),
        );
        const dims = model.graph!.input[0]!.type!.value.value as { shape: { dim: { value: unknown }[] } };
        dims.shape.dim[0]!.value = { case: 'dimParam', value: 'grow_d0' };
      },
    );
    assert.throws(() => checkModel(bytes, 'grow.onnx'), {
      name: 'ModelError',
      message:
        'grow.onnx: node "grow" (Expand) makes grow of a size that is computed only when the model runs; nin-sdk ' +
        'takes Expand only with a constant shape, so that what it allocates is known before it runs',
    });
  });

  test('operators outside the allow-list are refused by name: control flow, other domains, data-dependent shapes', () => {
    const cases: Record<string, [NodeProto, string]> = {
      NonZero: [node('NonZero', 'nz', ['logits_raw'], ['nz']), '"NonZero"'],
      Tile: [node('Tile', 'tile', ['logits_raw', 'logits_raw'], ['tile']), '"Tile"'],
      'a Microsoft contrib op': [
        node('Gelu', 'gelu', ['logits_raw'], ['gelu'], 'com.microsoft'),
        '"com.microsoft.Gelu"',
      ],
    };
    for (const [what, [extra, op]] of Object.entries(cases)) {
      const bytes = withNodesIntoLogits([extra]);
      assert.throws(
        () => checkModel(bytes, 'model.onnx'),
        {
          name: 'ModelError',
          message: `model.onnx: node ${JSON.stringify(extra.name)} runs ${op}, an operator nin-sdk does not run (it runs the standard operators of image classifiers only)`,
        },
        what,
      );
    }
  });

  test('the models nin-sdk makes and adopts pass: fp32, int8 (QDQ), and a torch.onnx export', () => {
    for (const path of [
      join(ROOT, 'models/nin-cifar10.onnx'),
      join(ROOT, 'models/nin-cifar10-int8.onnx'),
      join(FIXTURES, 'torch-export/cifar-small-torch.onnx'),
    ]) {
      const model = checkModel(readFileSync(path), path);
      assert.ok(model.bytes.length > 0, path);
    }
  });
});
