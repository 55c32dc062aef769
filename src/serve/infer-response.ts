import type { RowOutputs } from './batcher.js';
import type { DecodedInferRequest } from './infer-request.js';
import { HEADER_LENGTH_HEADER, type InferenceResponse, type ResponseOutput } from './protocol.js';

export interface EncodedResponse {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** The infer response: outputs as JSON `data`, or as binary data after the JSON where the request asked. */
export function encodeInferResponse(
  model: string,
  version: string,
  request: DecodedInferRequest,
  results: RowOutputs,
): EncodedResponse {
  const binaryParts: Buffer[] = [];
  const outputs: ResponseOutput[] = request.outputs.map(({ name, source, binary }) => {
    const result = results.get(source);
    if (result === undefined) throw new Error(`internal: the model gave no output '${source}'`);
    const base = { name, shape: result.dims, datatype: result.datatype };
    if (!binary) return { ...base, data: Array.from(result.data) };
    const bytes = Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength);
    binaryParts.push(bytes);
    return { ...base, parameters: { binary_data_size: bytes.length } };
  });
  const response: InferenceResponse = {
    model_name: model,
    model_version: version,
    ...(request.id === undefined ? {} : { id: request.id }),
    outputs,
  };
  const json = Buffer.from(JSON.stringify(response));
  if (binaryParts.length === 0) return { body: json, headers: { 'Content-Type': 'application/json' } };
  return {
    body: Buffer.concat([json, ...binaryParts]),
    headers: { 'Content-Type': 'application/octet-stream', [HEADER_LENGTH_HEADER]: String(json.length) },
  };
}
