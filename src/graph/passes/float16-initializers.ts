import { attr } from '../attributes.js';
import { DATA_TYPES } from '../dtypes.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../numeric/index.js';
import { tensorData } from '../tensor-data.js';
import type { Graph, Initializer, Node } from '../types.js';
import type { PassResult } from './pass.js';

/**
 * Stores every float32 initializer as float16, followed by a Cast back to
 * float32 under the original name, so the file is about half the size while
 * the model still computes in float32 (ONNX Runtime folds the Casts when it
 * loads the model). The rounding is PyTorch's `.half()`: to nearest, ties to even.
 *
 * Throws if a finite weight would overflow float16 (|x| > 65504), rather than
 * silently writing infinities.
 */
export function convertInitializersToFloat16(graph: Graph): PassResult {
  const taken = new Set<string>([
    ...graph.inputs.map((v) => v.name),
    ...graph.initializers.map((i) => i.name),
    ...graph.nodes.flatMap((n) => [n.name, ...n.outputs.map((v) => v.name)]),
  ]);
  const unique = (hint: string): string => {
    let name = hint;
    for (let n = 1; taken.has(name); n++) name = `${hint}_${n}`;
    taken.add(name);
    return name;
  };

  const initializers: Initializer[] = [];
  const casts: Node[] = [];
  for (const init of graph.initializers) {
    if (init.tensor.dtype !== 'float32') {
      initializers.push(init);
      continue;
    }
    const source = init.tensor.data;
    const bits = new Uint16Array(source.length);
    for (let i = 0; i < source.length; i++) {
      const value = source[i]!;
      const half = float32ToFloat16Bits(value);
      if (Number.isFinite(value) && !Number.isFinite(float16BitsToFloat32(half))) {
        throw new Error(
          `convertInitializersToFloat16: initializer ${init.name} holds ${value}, beyond the float16 range (±65504)`,
        );
      }
      bits[i] = half;
    }
    const storedName = unique(`${init.name}_float16`);
    initializers.push({ name: storedName, tensor: tensorData('float16', init.tensor.dims, bits) });
    casts.push({
      opType: 'Cast',
      name: unique(`${init.name}_to_float32`),
      inputs: [storedName],
      outputs: [{ name: init.name, dtype: 'float32', shape: [...init.tensor.dims] }],
      attributes: { to: attr.int(DATA_TYPES.float32.onnxCode) },
    });
  }
  if (casts.length === 0) return { graph, changed: false };
  return { graph: { ...graph, initializers, nodes: [...casts, ...graph.nodes] }, changed: true };
}
