import type { Tensor } from 'onnxruntime-common';
import { DATATYPES, datatypeOfOrt } from '../../datatypes.js';
import type { WireTensor } from './worker-messages.js';

/** The tensor as it crosses to the worker: its data's own buffer is moved when the data is all of it, else a copy. */
export function wireTensor(name: string, tensor: Tensor): WireTensor {
  const data = tensor.data;
  if (!ArrayBuffer.isView(data)) throw new Error(`internal: a worker session moves typed arrays, not ${typeof data}`);
  const whole =
    data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  const buffer = whole
    ? (data.buffer as ArrayBuffer)
    : (new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer as ArrayBuffer);
  return { name, ortType: tensor.type, dims: [...tensor.dims], buffer };
}

/** A tensor that came across from a worker: its data, over the moved buffer. */
export function wireTensorData(output: WireTensor): Tensor['data'] {
  const datatype = datatypeOfOrt(output.ortType);
  if (datatype === undefined) throw new Error(`the model's output ${output.name} is of type ${output.ortType}`);
  return DATATYPES[datatype].create(output.buffer);
}
