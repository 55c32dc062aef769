/**
 * What an infer request for one model can hold, derived from the model: at most its max batch size of rows of its
 * input, as binary tensor data (exactly their bytes) or as JSON numbers (at most JSON_BYTES_PER_VALUE each), plus a
 * small allowance for the rest of the JSON. The body is refused with 413 past that before it is read, and its JSON
 * structure is checked (json-scan.ts) before JSON.parse builds anything.
 */
import { DATATYPES, elementCount } from '../runtime/index.js';
import type { JsonStructureExcess, JsonStructureLimits } from './json-scan.js';
import type { TensorMetadata } from './protocol.js';

/**
 * Bytes of JSON one input value may take: `-1.2345678901234567e-308,` is 25 (the longest JSON.stringify writes for
 * a double); the rest is room for spaces and a client's formatting.
 */
export const JSON_BYTES_PER_VALUE = 32;

/** The request's JSON besides the input's values (names, shape, parameters, requested outputs, id): 64 KiB. */
export const JSON_ALLOWANCE_BYTES = 64 * 1024;

/** Nesting of the request's JSON: an input of rank r nests 3 + r deep, requested outputs 4; any depth past is no request. */
export const MAX_JSON_DEPTH = 64;

/** Arrays, objects and scalars of the request's JSON besides the input's values and nested arrays. */
const STRUCTURE_ALLOWANCE = 1024;

/** The model's side of an infer request: its input and how many rows it takes at once. */
export interface InferShape {
  readonly name: string;
  readonly input: TensorMetadata;
  readonly maxBatchSize: number;
}

/** The largest body of an infer request, and why, for the 413's message. */
export interface BodyLimit {
  readonly bytes: number;
  readonly reason: string;
}

/** Values of the largest input the model takes: max batch size × one row's. */
function maxValues(model: InferShape): number {
  return model.maxBatchSize * elementCount(model.input.shape.slice(1).map((d) => Math.max(d, 1)));
}

function describeInput(model: InferShape): string {
  const row = model.input.shape.slice(1).join(', ');
  return `model '${model.name}' takes at most ${model.maxBatchSize} rows of [${row}] ${model.input.datatype}`;
}

/**
 * The body limit of an infer request: with binary tensor data (`jsonLength` from Inference-Header-Content-Length)
 * the JSON header plus exactly the largest input's bytes; as JSON, the allowance plus JSON_BYTES_PER_VALUE a value.
 * Never more than the server's own --body-limit.
 *
 * @param jsonLength the JSON header's length for binary tensor data, undefined for a JSON-only request
 * @param serverLimit the server's --body-limit
 */
export function inferBodyLimit(model: InferShape, jsonLength: number | undefined, serverLimit: number): BodyLimit {
  const values = maxValues(model);
  const asJson: BodyLimit = {
    bytes: JSON_ALLOWANCE_BYTES + values * JSON_BYTES_PER_VALUE,
    reason: `${describeInput(model)}: ${JSON_BYTES_PER_VALUE} bytes a value as JSON, and ${JSON_ALLOWANCE_BYTES} bytes for the rest`,
  };
  // A JSON header longer than any JSON request could be is refused as one (the body is longer still).
  const derived =
    jsonLength === undefined || jsonLength > asJson.bytes
      ? asJson
      : {
          bytes: jsonLength + values * DATATYPES[model.input.datatype].bytesPerElement,
          reason: `${describeInput(model)}: the JSON header's ${jsonLength} bytes and the binary data's`,
        };
  return derived.bytes <= serverLimit ? derived : { bytes: serverLimit, reason: "this server's --body-limit" };
}

/**
 * The JSON structure an infer request for the model can have: its input's values, the arrays that nest them row by
 * row (at most one per row of each leading dimension), and an allowance for everything else.
 */
export function inferJsonLimits(model: InferShape): JsonStructureLimits {
  const dims = [model.maxBatchSize, ...model.input.shape.slice(1).map((d) => Math.max(d, 1))];
  let nestedArrays = 0;
  let arraysAtLevel = 1;
  for (const dim of dims) {
    nestedArrays += arraysAtLevel;
    arraysAtLevel *= dim;
  }
  return {
    maxDepth: MAX_JSON_DEPTH,
    maxContainers: nestedArrays + STRUCTURE_ALLOWANCE,
    maxValues: maxValues(model) + STRUCTURE_ALLOWANCE,
  };
}

/** The one line a request gets for JSON past inferJsonLimits. */
export function describeJsonExcess(model: InferShape, excess: JsonStructureExcess): string {
  switch (excess.limit) {
    case 'maxDepth':
      return `the request's JSON nests deeper than ${MAX_JSON_DEPTH} levels`;
    case 'maxContainers':
      return `the request's JSON has more than ${excess.count - 1} arrays and objects, more than any request needs: ${describeInput(model)}`;
    case 'maxValues':
      return `the request's JSON has more than ${excess.count - 1} values, more than any request needs: ${describeInput(model)}`;
  }
}
