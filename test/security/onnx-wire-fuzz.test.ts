/**
 * Differential fuzzing of the one ONNX decoding (src/model/checked-model.ts). Real models and a small one with a
 * tensor in every place a tensor can be are mutated at the wire level (support/onnx-wire-mutate.ts: padded and
 * aliased tags, padded lengths, messages split or repeated, unknown fields and groups, shuffled fields, external
 * data under plain and aliased tags, changed wire types, flipped bits). For every case the guard passes, the bytes
 * it hands ONNX Runtime are read again by an independent reader with protobuf C++'s rules (support/onnx-wire-view.ts)
 * and, where installed, by protoc itself (protobuf's C++ parser, as ONNX Runtime's): what they read must be what the
 * guard checked, and hold no external data. A disagreement is a finding; a refusal never is.
 *
 * Replay or widen: ONNX_FUZZ_SEED=<n> ONNX_FUZZ_CASES=<n> node --import tsx --test test/security/onnx-wire-fuzz.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, ModelProtoSchema } from 'onnx-buf';
import { decodeOnnx, encodeOnnx } from '../../src/graph/onnx/decode.js';
import { checkModel } from '../../src/model/checked-model.js';
import { ModelError } from '../../src/model/model-error.js';
import { FIXTURES, ROOT } from '../support/fixtures.js';
import { hiddenGraphModel, hiddenLocationModel } from './support/hidden-fields.js';
import { mutate, Random } from './support/onnx-wire-mutate.js';
import { viewOfBytes, viewOfProto, type ModelView } from './support/onnx-wire-view.js';

const CASES = Number(process.env.ONNX_FUZZ_CASES ?? 120);
const SEED = Number(process.env.ONNX_FUZZ_SEED ?? 0x0a0a0000);
/** protoc runs are a process each: the first this many passing cases of the small seeds go through it. */
const PROTOC_CASES = 25;
const ONNX_PROTO_DIR = '/usr/lib/python3/dist-packages/onnx';
const HAS_PROTOC =
  spawnSync('protoc', ['--version'], { encoding: 'utf8' }).status === 0 &&
  existsSync(join(ONNX_PROTO_DIR, 'onnx.proto'));

/** What a guard decides about some bytes: refused, or passed with the bytes ONNX Runtime then gets and what it saw. */
type Verdict =
  | { readonly passed: false }
  | {
      readonly passed: true;
      readonly ortBytes: Uint8Array;
      readonly view: ModelView;
      /** protobuf-es's own toBinary of what was checked, which ortBytes must equal byte for byte. */
      readonly toBinaryBytes?: Uint8Array;
    };
type Guard = (bytes: Uint8Array) => Verdict;

/** nin-sdk's guard: the one decoding, its checks, its re-encoded bytes. */
const oneDecoding: Guard = (bytes) => {
  try {
    const model = checkModel(bytes, 'fuzz case');
    const toBinaryBytes = toBinary(ModelProtoSchema, model.proto, { writeUnknownFields: false });
    return { passed: true, ortBytes: model.bytes, view: viewOfProto(model.proto), toBinaryBytes };
  } catch (error) {
    if (error instanceof ModelError) return { passed: false };
    throw error;
  }
};

/**
 * The guard as it was before the one decoding: a hand-written reader that took a tag's whole varint, and the
 * original bytes handed to ONNX Runtime. Kept to show that this test catches what it let through.
 */
const handWrittenReader: Guard = (bytes) => {
  try {
    const view = viewOfBytes(bytes, 'whole');
    return view.external.length > 0 ? { passed: false } : { passed: true, ortBytes: bytes, view };
  } catch {
    return { passed: false };
  }
};

/** What is wrong with a guard's verdict on `bytes`: nothing for a refusal; for a pass, any disagreement with ORT's view. */
function findings(bytes: Uint8Array, guard: Guard): string[] {
  const verdict = guard(bytes);
  if (!verdict.passed) return [];
  const problems: string[] = [];
  if (verdict.toBinaryBytes !== undefined && Buffer.compare(verdict.toBinaryBytes, verdict.ortBytes) !== 0)
    problems.push("its re-encoded bytes differ from protobuf-es's toBinary");
  if (verdict.view.external.length > 0) problems.push(`passed external data ${verdict.view.external.join(', ')}`);
  let ort: ModelView;
  try {
    ort = viewOfBytes(verdict.ortBytes, 'cpp');
  } catch (error) {
    // ONNX Runtime would refuse these bytes: nothing is read. Re-encoded bytes must always parse, though.
    if (guard === oneDecoding) problems.push(`its re-encoded bytes do not parse: ${(error as Error).message}`);
    return problems;
  }
  for (const key of ['external', 'operators', 'initializers', 'outputs'] as const) {
    if (JSON.stringify(ort[key]) !== JSON.stringify(verdict.view[key])) {
      problems.push(
        `ONNX Runtime reads ${key} ${JSON.stringify(ort[key])}, the guard saw ${JSON.stringify(verdict.view[key])}`,
      );
    }
  }
  return problems;
}

/** protoc's reading of bytes as onnx.ModelProto: its op types (sorted), and its lines that say a tensor is external. */
function protocView(bytes: Uint8Array): { operators: string[]; externalLines: number } {
  const view = protocViewIfParsed(bytes);
  assert.ok(view !== undefined, 'protoc refused the bytes');
  return view;
}

/** protocView, or undefined where protoc refuses the bytes (as ONNX Runtime would). */
function protocViewIfParsed(bytes: Uint8Array): { operators: string[]; externalLines: number } | undefined {
  const result = spawnSync(
    'protoc',
    [`--decode=onnx.ModelProto`, `-I${ONNX_PROTO_DIR}`, join(ONNX_PROTO_DIR, 'onnx.proto')],
    { input: bytes, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) return undefined;
  const text = result.stdout;
  return {
    operators: [...text.matchAll(/^\s*op_type: "(.*)"$/gm)].map((m) => m[1]!).sort(),
    externalLines:
      (text.match(/^\s*data_location: EXTERNAL$/gm) ?? []).length +
      (text.match(/^\s*external_data \{$/gm) ?? []).length,
  };
}

function tryView(bytes: Uint8Array): ModelView | undefined {
  try {
    return viewOfBytes(bytes, 'cpp');
  } catch {
    return undefined;
  }
}

/** A small model with a tensor everywhere one can be: initializer, sparse initializer, Constant, function, training info. */
function everyPlaceModel(): Uint8Array {
  const tensor = (name: string) => ({ name, dims: [4n], dataType: 1, rawData: new Uint8Array(16).fill(1) });
  return toBinary(
    ModelProtoSchema,
    create(ModelProtoSchema, {
      irVersion: 8n,
      opsetImport: [{ domain: '', version: 17n }],
      graph: {
        name: 'g',
        input: [
          {
            name: 'x',
            type: {
              value: {
                case: 'tensorType',
                value: { elemType: 1, shape: { dim: [{ value: { case: 'dimValue', value: 4n } }] } },
              },
            },
          },
        ],
        initializer: [tensor('w')],
        sparseInitializer: [
          {
            values: tensor('sv'),
            indices: { name: 'si', dims: [4n], dataType: 7, int64Data: [0n, 1n, 2n, 3n] },
            dims: [8n],
          },
        ],
        node: [
          {
            opType: 'Constant',
            name: 'c',
            output: ['c'],
            attribute: [{ name: 'value', type: AttributeProto_AttributeType.TENSOR, t: tensor('cv') }],
          },
          { opType: 'Add', name: 'add', input: ['x', 'w'], output: ['y'] },
          { opType: 'Add', name: 'add2', input: ['y', 'c'], output: ['z'] },
          { opType: 'Relu', name: 'relu', input: ['z'], output: ['out'] },
        ],
        output: [
          {
            name: 'out',
            type: {
              value: {
                case: 'tensorType',
                value: { elemType: 1, shape: { dim: [{ value: { case: 'dimValue', value: 4n } }] } },
              },
            },
          },
        ],
      },
      functions: [
        {
          name: 'f',
          domain: 'local',
          input: ['a'],
          output: ['b'],
          node: [{ opType: 'Relu', input: ['a'], output: ['b'] }],
        },
      ],
      trainingInfo: [{ algorithm: { name: 'a', initializer: [tensor('t')] } }],
    }),
  );
}

const SEEDS: Readonly<Record<string, () => Uint8Array>> = {
  'every place': everyPlaceModel,
  'torch.onnx export': () => new Uint8Array(readFileSync(join(FIXTURES, 'torch-export/cifar-small-torch.onnx'))),
  'nin-cifar10-int8': () => new Uint8Array(readFileSync(join(ROOT, 'models/nin-cifar10-int8.onnx'))),
};

describe("the one ONNX decoding against protobuf C++'s reading of what it hands ONNX Runtime", () => {
  test('seeds pass, and re-encoding is canonical: decoding and encoding again gives the same bytes', () => {
    for (const [name, seed] of Object.entries(SEEDS)) {
      const verdict = oneDecoding(seed());
      assert.ok(verdict.passed, name);
      assert.deepEqual(encodeOnnx(decodeOnnx(verdict.ortBytes)), verdict.ortBytes, name);
      assert.deepEqual(findings(seed(), oneDecoding), [], name);
    }
  });

  for (const [name, seed] of Object.entries(SEEDS)) {
    test(`${name}: ${CASES} mutated cases, no pass that ONNX Runtime would read otherwise`, (t) => {
      const random = new Random(SEED ^ [...name].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
      const original = seed();
      const counts = { passed: 0, refused: 0, protoc: 0 };
      const problems: string[] = [];
      for (let i = 0; i < CASES; i++) {
        const { bytes, steps } = mutate(original, random);
        const found = findings(bytes, oneDecoding);
        if (found.length > 0) problems.push(`case ${i} (${steps.join('; ')}): ${found.join('; ')}`);
        const verdict = oneDecoding(bytes);
        counts[verdict.passed ? 'passed' : 'refused']++;
        if (verdict.passed && HAS_PROTOC && counts.protoc < PROTOC_CASES && original.length < 200_000) {
          counts.protoc++;
          const protoc = protocView(verdict.ortBytes);
          assert.equal(protoc.externalLines, 0, `case ${i}: ${steps.join('; ')}`);
          assert.deepEqual(
            protoc.operators,
            verdict.view.operators.map((op) => op.slice(op.indexOf(':') + 1)).sort(),
            `case ${i}`,
          );
          // The independent reader is a model of protobuf's C++ parser: where protoc reads the case's original
          // bytes, both see external data or neither does, and the same operators.
          const protocOfCase = protocViewIfParsed(bytes);
          const independent = tryView(bytes);
          if (protocOfCase !== undefined && independent !== undefined) {
            assert.equal(
              protocOfCase.externalLines > 0,
              independent.external.length > 0,
              `case ${i}: ${steps.join('; ')}`,
            );
            assert.deepEqual(
              protocOfCase.operators,
              independent.operators.map((op) => op.slice(op.indexOf(':') + 1)).sort(),
            );
          }
        }
      }
      assert.deepEqual(problems, []);
      // Both outcomes occur, so that the cases test something: mutations that keep a model valid, and refusals.
      assert.ok(counts.passed >= CASES / 10 && counts.refused >= CASES / 10, JSON.stringify(counts));
      t.diagnostic(JSON.stringify(counts));
    });
  }

  test('guard removed: the hand-written reader passed models with a hidden graph, and this test finds it; the one decoding refuses them', () => {
    const hiddenGraph = hiddenGraphModel('secret.txt', 64);
    assert.deepEqual(findings(hiddenGraph, handWrittenReader), [
      'ONNX Runtime reads external ["stolen@secret.txt"], the guard saw []',
      'ONNX Runtime reads operators [":AveragePool",":AveragePool",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Flatten",":Identity",":MaxPool",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Softmax"], the guard saw [":AveragePool",":AveragePool",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Conv",":Flatten",":MaxPool",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Relu",":Softmax"]',
      'ONNX Runtime reads initializers ' +
        JSON.stringify(viewOfBytes(hiddenGraph, 'cpp').initializers) +
        ', the guard saw ' +
        JSON.stringify(viewOfBytes(hiddenGraph, 'whole').initializers),
      'ONNX Runtime reads outputs ["class_maps","leak","logits","probabilities"], the guard saw ["class_maps","logits","probabilities"]',
    ]);
    const hiddenLocation = hiddenLocationModel('classifier.0.weight', 'weights.bin');
    assert.deepEqual(findings(hiddenLocation, handWrittenReader), [
      'ONNX Runtime reads external ["classifier.0.weight@weights.bin"], the guard saw []',
    ]);
    for (const bytes of [hiddenGraph, hiddenLocation]) assert.deepEqual(oneDecoding(bytes), { passed: false });
    if (HAS_PROTOC) {
      // protoc, protobuf's C++ parser, reads the original bytes as the independent reader does: external data.
      assert.ok(protocView(hiddenGraph).externalLines > 0);
      assert.ok(protocView(hiddenLocation).externalLines > 0);
    }
    // And over mutated cases, the hand-written reader's passes include some that ONNX Runtime reads otherwise.
    const random = new Random(SEED);
    const original = everyPlaceModel();
    let caught = 0;
    for (let i = 0; i < CASES; i++)
      if (findings(mutate(original, random).bytes, handWrittenReader).length > 0) caught++;
    assert.ok(caught > 0, 'no mutated case told the hand-written reader from protobuf');
  });
});
