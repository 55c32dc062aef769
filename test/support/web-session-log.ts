/**
 * Child process of test/sdk/web-log-level.test.ts: nin-sdk/web on onnxruntime-web's wasm provider in Node, with
 * a model that makes ONNX Runtime warn while it builds the session (an initializer no node uses). Argument 'sdk':
 * loaded by nin-sdk/web's loadClassifier; 'plain': an onnxruntime-web session with default options, the control.
 * Prints the process-wide log level before and after as JSON on stdout; ONNX Runtime's warnings go to the console.
 */
import { readFileSync } from 'node:fs';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-web/webgpu';

// onnxruntime-web's threaded wasm asks Node's `os` module for the core count through a require() that its ESM
// build lacks; one thread avoids the question.
ort.env.wasm.numThreads = 1;
const before = ort.env.logLevel;

const model = fromBinary(ModelProtoSchema, readFileSync(new URL('../../models/nin-cifar10.onnx', import.meta.url)));
model.graph!.initializer.push(
  create(TensorProtoSchema, { name: 'unused_initializer', dims: [1n], dataType: 1, floatData: [1] }),
);
const bytes = toBinary(ModelProtoSchema, model);

if (process.argv[2] === 'sdk') {
  const { loadClassifier } = await import('../../src/web/index.js');
  const classifier = await loadClassifier(bytes, { provider: 'wasm' });
  await classifier.dispose();
} else {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  await session.release();
}
console.log(JSON.stringify({ before, after: ort.env.logLevel }));
