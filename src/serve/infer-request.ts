import { DATATYPES, elementCount, isDatatype, type NumericArray } from '../runtime/index.js';
import { HttpError } from './http-error.js';
import { describeJsonExcess, inferJsonLimits } from './infer-limits.js';
import { exceedsJsonStructure } from './json-scan.js';
import * as v from 'valibot';
import { boundedString, got, parseUntrusted, record, wholeNumber } from '../schema/index.js';
import type { TensorMetadata } from './protocol.js';

/** An infer request checked against the model: the input's rows and values, and which outputs to return how. */
export interface DecodedInferRequest {
  readonly id: string | undefined;
  readonly rows: number;
  /**
   * The input's values as little-endian bytes, row-major: a view of the request body for binary tensor data (the
   * batcher copies them into the batch, so they need no aligned copy of their own), else the parsed JSON values'.
   */
  readonly bytes: Uint8Array;
  /** Each output to return: `name` as requested, `source` the model output it is (they differ for `maps`). */
  readonly outputs: readonly { readonly name: string; readonly source: string; readonly binary: boolean }[];
}

export interface InferTarget {
  readonly name: string;
  readonly input: TensorMetadata;
  readonly outputs: readonly TensorMetadata[];
  readonly maxBatchSize: number;
  /**
   * The model's class maps output, when it has one: returned only when asked for, by its name or as `maps` (each
   * image's maps are classes × h × w floats, more than its scores: an ImageNet NIN's are 36,000).
   */
  readonly mapsOutput?: string;
}

/** What a request may call the class maps output by, whatever the graph names it. */
export const MAPS_OUTPUT_ALIAS = 'maps';

const bad = (message: string): HttpError => new HttpError(400, message);

/** Names, ids and datatypes are short; the JSON's arrays and depth are bounded before parsing (json-scan.ts). */
const MAX_TEXT = 1024;
const text = boundedString(MAX_TEXT);
/**
 * The request's structure, as the Open Inference Protocol draws it; what depends on the model (names, datatype,
 * shape, batch size) and the values (a hot loop over up to millions) are checked below, by hand.
 */
const INFER_REQUEST = record({
  id: v.fallback(v.optional(v.string()), undefined), // an id of another type is ignored, as before: it only echoes
  parameters: v.optional(record({ binary_data_output: v.optional(v.boolean(got('must be true or false'))) })),
  inputs: v.pipe(
    v.array(
      record({
        name: text,
        datatype: text,
        shape: v.array(wholeNumber(0), got('must be an array of whole numbers ≥ 0')),
        parameters: v.optional(record({ binary_data_size: v.optional(wholeNumber(0)) })),
        data: v.optional(v.unknown()),
      }),
      got('must be a non-empty array'),
    ),
    v.minLength(1, got('must be a non-empty array')),
  ),
  outputs: v.optional(
    v.array(
      record({
        name: text,
        parameters: v.optional(record({ binary_data: v.optional(v.boolean(got('must be true or false'))) })),
      }),
      got('must be an array'),
    ),
  ),
});
type CheckedRequest = v.InferOutput<typeof INFER_REQUEST>;
type CheckedInput = CheckedRequest['inputs'][number];

/**
 * Decodes `POST …/infer`: a JSON object, optionally followed by binary tensor data when the
 * Inference-Header-Content-Length header gives the JSON's length. Every check names what is wrong.
 */
export function decodeInferRequest(
  body: Buffer,
  headerLength: string | undefined,
  model: InferTarget,
): DecodedInferRequest {
  let jsonLength = body.length;
  if (headerLength !== undefined) {
    jsonLength = Number(headerLength);
    if (!/^\d+$/.test(headerLength) || jsonLength > body.length) {
      throw bad(
        `Inference-Header-Content-Length is ${JSON.stringify(headerLength)}, the body has ${body.length} bytes`,
      );
    }
  }
  const request = parseJson(body.subarray(0, jsonLength), model);
  const binary = body.subarray(jsonLength);
  let binaryOffset = 0;

  if (request.inputs.length !== 1)
    throw bad(`model '${model.name}' takes 1 input, the request has ${request.inputs.length}`);
  const input = request.inputs[0]!;
  if (input.name !== model.input.name) {
    throw bad(
      `unknown input ${JSON.stringify(input.name)} for model '${model.name}': its input is '${model.input.name}'`,
    );
  }
  if (!isDatatype(input.datatype) || input.datatype !== model.input.datatype) {
    throw bad(
      `input '${input.name}' has datatype ${JSON.stringify(input.datatype)}, model '${model.name}' expects ${model.input.datatype}`,
    );
  }
  const shape = checkShape(input, model);
  const info = DATATYPES[input.datatype];
  const count = elementCount(shape);
  let bytes: Uint8Array;
  const binarySize = input.parameters?.binary_data_size;
  if (binarySize !== undefined) {
    const expected = count * info.bytesPerElement;
    if (binarySize !== expected)
      throw bad(
        `input '${input.name}': binary_data_size is ${binarySize}, shape [${shape}] of ${input.datatype} needs ${expected}`,
      );
    if (binaryOffset + expected > binary.length) {
      throw bad(
        `input '${input.name}': binary data truncated: ${expected} bytes declared, ${binary.length - binaryOffset} present`,
      );
    }
    bytes = binary.subarray(binaryOffset, binaryOffset + expected);
    binaryOffset += expected;
  } else {
    const data = jsonValues(input, count);
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (binaryOffset !== binary.length)
    throw bad(`${binary.length - binaryOffset} bytes after the JSON are not any tensor's binary data`);
  return {
    id: request.id,
    rows: shape[0]!,
    bytes,
    outputs: requestedOutputs(request, model),
  };
}

/** The request's JSON, its structure checked against what the model can take before JSON.parse builds it. */
function parseJson(bytes: Buffer, model: InferTarget): CheckedRequest {
  const excess = exceedsJsonStructure(bytes, inferJsonLimits(model));
  // Nesting past any request's is malformed (400); more arrays or values than the model takes is too much (413).
  if (excess !== undefined)
    throw new HttpError(excess.limit === 'maxDepth' ? 400 : 413, describeJsonExcess(model, excess));
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw bad(`malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseUntrusted(INFER_REQUEST, value, 'infer request');
  } catch (error) {
    throw bad((error as Error).message);
  }
}

function checkShape(input: CheckedInput, model: InferTarget): number[] {
  const shape = input.shape;
  const expected = model.input.shape;
  const describe = `[${expected.map((d) => (d < 0 ? 'N' : d)).join(', ')}]`;
  if (shape.length !== expected.length || shape.some((d, i) => expected[i]! >= 0 && d !== expected[i])) {
    throw bad(`input '${input.name}' has shape [${shape.join(', ')}], model '${model.name}' expects ${describe}`);
  }
  if (shape[0]! < 1 || shape[0]! > model.maxBatchSize) {
    throw bad(
      `input '${input.name}': batch size ${shape[0]} is outside 1 to ${model.maxBatchSize} (the server's max batch size)`,
    );
  }
  return shape;
}

/** JSON `data`, flat or nested in row-major order, checked value by value against the datatype. */
function jsonValues(input: CheckedInput, count: number): NumericArray {
  if (!Array.isArray(input.data))
    throw bad(`input '${input.name}' has neither 'data' nor a binary_data_size parameter`);
  const data = input.data as unknown[];
  // Flat data (what clients send) is used as it is; nested data is flattened first.
  const flat = data.some(Array.isArray) ? leavesInOrder(data) : data;
  if (flat.length !== count) throw bad(`input '${input.name}' has ${flat.length} values, its shape needs ${count}`);
  const datatype = input.datatype as keyof typeof DATATYPES;
  const out = DATATYPES[datatype].create(count);
  const integer = datatype !== 'FP32' && datatype !== 'FP64';
  for (let i = 0; i < count; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      throw bad(
        `input '${input.name}': value ${i} (${JSON.stringify(v)}) is not a finite ${integer ? 'integer' : 'number'}`,
      );
    }
    out[i] = v;
    if (integer && out[i] !== v) throw bad(`input '${input.name}': value ${i} (${v}) is out of range for ${datatype}`);
  }
  return out;
}

/**
 * The non-array elements of nested arrays, depth first (flat(Infinity)'s order), with a stack of its own: flat()
 * recurses, and 20,000 nested arrays overflowed the call stack (a 500). The JSON was checked first, so the depth
 * and the count here are bounded.
 */
function leavesInOrder(data: readonly unknown[]): unknown[] {
  const leaves: unknown[] = [];
  const stack: { readonly array: readonly unknown[]; next: number }[] = [{ array: data, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.array.length) {
      stack.pop();
      continue;
    }
    const element = top.array[top.next++];
    if (Array.isArray(element)) stack.push({ array: element as unknown[], next: 0 });
    else leaves.push(element);
  }
  return leaves;
}

function requestedOutputs(
  request: CheckedRequest,
  model: InferTarget,
): { name: string; source: string; binary: boolean }[] {
  const binaryByDefault = request.parameters?.binary_data_output === true;
  if (request.outputs === undefined)
    return model.outputs
      .filter((o) => o.name !== model.mapsOutput)
      .map((o) => ({ name: o.name, source: o.name, binary: binaryByDefault }));
  return request.outputs.map((output) => {
    const name = output.name;
    const isAlias =
      name === MAPS_OUTPUT_ALIAS && model.mapsOutput !== undefined && !model.outputs.some((o) => o.name === name);
    const source = isAlias ? model.mapsOutput! : name;
    if (!model.outputs.some((o) => o.name === source)) {
      throw bad(
        `unknown output ${JSON.stringify(name)} for model '${model.name}': it has ${model.outputs.map((o) => `'${o.name}'`).join(', ')}`,
      );
    }
    return { name, source, binary: output.parameters?.binary_data ?? binaryByDefault };
  });
}
