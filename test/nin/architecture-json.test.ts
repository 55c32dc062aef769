import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ARCHITECTURES,
  architectureToJson,
  parseArchitectureJson,
  validateArchitecture,
} from '../../src/convert/index.js';

/**
 * The --arch JSON through its schema (src/architectures/architecture-schema.ts): strict fields, bounds, defaults,
 * the shared message style `<source>: <path> must be …, got <value>`, and the checks across fields after it.
 */

const base = {
  id: 'my-nin',
  inputSize: 32,
  labels: ['cat', 'dog'],
  preprocessing: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  layers: [
    { kind: 'conv', name: 'features.0', kernel: 3, padding: 1 },
    { kind: 'relu', name: 'features.1' },
    { kind: 'maxPool', name: 'features.2', kernel: 2 },
    { kind: 'adaptiveAvgPool', name: 'pool' },
    { kind: 'flatten', name: 'flat' },
    { kind: 'linear', name: 'fc' },
  ],
};
const refused = (value: unknown, message: string) =>
  assert.throws(() => validateArchitecture(value, 'my-net.json'), {
    name: 'ArchitectureError',
    message: `my-net.json: ${message}`,
  });
const withLayer = (index: number, changes: Record<string, unknown>) => ({
  ...base,
  layers: base.layers.map((layer, i) => (i === index ? { ...layer, ...changes } : layer)),
});

describe('architecture JSON: one schema, the shared message style', () => {
  test('a key the schema does not name is refused, at the top, in the preprocessing and in a layer', () => {
    refused(
      { ...base, inputChanels: 1 },
      'inputChanels is not a field of an architecture (allowed: id, title, source, notes, inputSize, ' +
        'inputChannels, labels, preprocessing, keyPrefixes, layers)',
    );
    refused(
      { ...base, preprocessing: { ...base.preprocessing, size: 32 } },
      'preprocessing.size is not a field of preprocessing (allowed: resizeShorterSide, channelOrder, scale, mean, std)',
    );
    refused(
      withLayer(2, { strde: 2 }),
      'layers[2].strde is not a field of a maxPool layer (allowed: kind, name, kernel, stride, padding, ceilMode)',
    );
    // A field of another kind is unknown to this one: a ReLU takes no kernel.
    refused(withLayer(1, { kernel: 3 }), 'layers[1].kernel is not a field of a relu layer (allowed: kind, name)');
  });

  test('a wrong type deep in a layer is named by its path', () => {
    refused(withLayer(2, { ceilMode: 'yes' }), 'layers[2].ceilMode must be true or false, got "yes"');
    refused(withLayer(0, { stride: 1.5 }), 'layers[0].stride must be a whole number from 1 to 4096, got 1.5');
    refused(withLayer(5, { name: 7 }), 'layers[5].name must be a non-empty string of at most 1024 characters, got 7');
    refused(
      withLayer(3, { kind: 'gelu' }),
      'layers[3].kind must be one of conv, batchNorm, relu, leakyRelu, sign, maxPool, avgPool, adaptiveAvgPool, ' +
        'dropout, flatten, linear, softmax, got "gelu"',
    );
    refused({ ...base, layers: [...base.layers, [1]] }, 'layers[6] must be an object, got [1]');
    refused(
      { ...base, preprocessing: { ...base.preprocessing, std: [1, 0, 1] } },
      'preprocessing.std must be three positive numbers, got [1, 0, 1]',
    );
  });

  test('the bounds are in the schema: layer count, name length, sizes', () => {
    const relus = (count: number) => Array.from({ length: count }, (_, i) => ({ kind: 'relu', name: `r${i}` }));
    const linear = { kind: 'linear', name: 'fc' };
    refused({ ...base, layers: [...relus(1000), linear] }, 'layers must be a list of 1 to 1000 layers, got 1001');
    refused({ ...base, layers: [] }, 'layers must be a list of 1 to 1000 layers, got 0');
    assert.equal(validateArchitecture({ ...base, layers: [...relus(999), linear] }).layers.length, 1000);
    refused(
      withLayer(5, { name: 'x'.repeat(1025) }),
      `layers[5].name must be a non-empty string of at most 1024 characters, got "${'x'.repeat(39)}…`,
    );
    refused(withLayer(0, { kernel: 4097 }), 'layers[0].kernel must be a whole number from 1 to 4096, got 4097');
    refused({ ...base, inputSize: 0 }, 'inputSize must be a whole number from 1 to 4096, got 0');
    assert.throws(() => parseArchitectureJson(' '.repeat(16 * 1024 * 1024 + 1), 'big.json'), {
      message: 'big.json: must be at most 16777216 characters of JSON, got 16777217',
    });
  });

  test('checks across fields come after the schema, in the same style', () => {
    refused(withLayer(4, { name: 'pool' }), 'layers[4].name must be unique, got "pool" (as layers[3])');
    refused(
      withLayer(2, { padding: 2, kernel: 3 }),
      "layers[2].padding must be at most half the kernel (PyTorch's rule), got 2 for kernel 3",
    );
    refused(
      { ...base, layers: base.layers.filter((l) => l.kind !== 'conv' && l.kind !== 'linear') },
      'layers must hold a conv or linear layer (the weights to read from the checkpoint), got none',
    );
    refused(
      { ...base, preprocessing: { ...base.preprocessing, resizeShorterSide: 16 } },
      'preprocessing.resizeShorterSide must be at least inputSize (32), got 16',
    );
    refused(
      { ...base, inputChannels: 1, preprocessing: { ...base.preprocessing, mean: [0.5, 0.4, 0.5] } },
      'preprocessing.mean must be three equal numbers for inputChannels 1, got [0.5, 0.4, 0.5]',
    );
  });

  test("defaults are PyTorch's, a null field counts as left out", () => {
    const architecture = validateArchitecture({ ...withLayer(2, { stride: null }), inputChannels: null }, 'n.json');
    assert.deepEqual(architecture.layers.slice(0, 4), [
      { kind: 'conv', name: 'features.0', kernel: 3, stride: 1, padding: 1, bias: true },
      { kind: 'relu', name: 'features.1' },
      { kind: 'maxPool', name: 'features.2', kernel: 2, stride: 2, padding: 0, ceilMode: false },
      { kind: 'adaptiveAvgPool', name: 'pool', outputSize: 1 },
    ]);
    assert.deepEqual(
      [architecture.title, architecture.source, architecture.inputChannels, architecture.keyPrefixes],
      ['my-nin', 'n.json (--arch)', 3, ['']],
    );
    assert.deepEqual(architecture.preprocessing, {
      inputSize: 32,
      resizeShorterSide: 32,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
  });

  test('every registry entry survives architectureToJson → JSON text → parse unchanged', () => {
    assert.equal(ARCHITECTURES.length > 10, true);
    for (const entry of ARCHITECTURES) {
      const json = JSON.parse(JSON.stringify(architectureToJson(entry))) as Record<string, unknown>;
      const parsed = parseArchitectureJson(JSON.stringify(json), `${entry.id}.json`);
      assert.deepEqual(architectureToJson(parsed), json, entry.id);
      assert.deepEqual(parsed.layers, json['layers'], entry.id);
    }
  });
});
