import type { ModelProto } from 'onnx-buf';
import { toSafeNumber } from './from-proto.js';

/** Everything about a model except its graph. */
export interface OnnxModelInfo {
  /** The default-domain (ai.onnx) opset. */
  readonly opsetVersion: number;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  /** metadata_props; ONNX Runtime's JavaScript API does not expose these. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The header of a decoded ONNX model (ir_version, producer, doc string, opsets, metadata_props): what a classifier
 * needs besides its session. Read from the one decoding that the model's checks and ONNX Runtime's bytes come
 * from (src/model/checked-model.ts), so that the labels and preprocessing belong to the graph that runs.
 */
export function readOnnxMetadata(model: ModelProto): OnnxModelInfo {
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opset === undefined) throw new Error('readOnnx: the model imports no ai.onnx opset');
  const metadata: Record<string, string> = {};
  for (const { key, value } of model.metadataProps) {
    // defineProperty, so that a key such as "__proto__" is data, not a prototype change.
    Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return {
    opsetVersion: toSafeNumber(opset.version, 'the opset version'),
    irVersion: toSafeNumber(model.irVersion, 'the IR version'),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString,
    metadata,
  };
}
