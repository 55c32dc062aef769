import { float16BitsToFloat32 } from '../numeric/index.js';
import { formatShape, formatType } from './shape.js';
import type { Attribute, Graph, Node, TensorData } from './types.js';

/** Tensors up to this many elements are printed with their values (shapes, axes, pads). */
const MAX_PRINTED_ELEMENTS = 16;

/**
 * A stable, readable dump for golden tests and debugging:
 *
 * ```
 * graph nin_cifar10
 * inputs:
 *   %input: float32[batch,3,32,32]
 * initializers:
 *   %w: float32[192,3,5,5]
 * nodes:
 *   %conv_0 = Conv(%input, %w, %b) {strides=[1,1], pads=[2,2,2,2]} : float32[batch,192,32,32]
 * outputs:
 *   %logits: float32[batch,10]
 * ```
 *
 * Only types are printed for weights, so a golden file does not change when
 * the weights do.
 */
export function formatGraph(graph: Graph): string {
  const lines = [`graph ${graph.name}`];
  if (graph.docString !== '') lines.push(`  # ${graph.docString.replace(/\n/g, ' ')}`);
  lines.push('inputs:', ...graph.inputs.map((v) => `  %${v.name}: ${formatType(v)}`));
  if (graph.initializers.length > 0) {
    lines.push(
      'initializers:',
      ...graph.initializers.map((i) => `  %${i.name}: ${i.tensor.dtype}${formatShape(i.tensor.dims)}`),
    );
  }
  lines.push('nodes:', ...graph.nodes.map((n) => `  ${formatNode(n)}`));
  lines.push('outputs:', ...graph.outputs.map((v) => `  %${v.name}: ${formatType(v)}`));
  return lines.join('\n') + '\n';
}

export function formatNode(node: Node): string {
  const outputs = node.outputs.map((v) => `%${v.name}`).join(', ');
  const inputs = node.inputs.map((i) => (i === '' ? '_' : `%${i}`)).join(', ');
  const attributes = Object.entries(node.attributes).map(([name, a]) => `${name}=${formatAttribute(a)}`);
  const attributeText = attributes.length > 0 ? ` {${attributes.join(', ')}}` : '';
  const types = node.outputs.map(formatType).join(', ');
  return `${outputs} = ${node.opType}(${inputs})${attributeText} : ${types}`;
}

export function formatAttribute(a: Attribute): string {
  switch (a.type) {
    case 'int':
      return String(a.value);
    case 'float':
      return formatFloat32(a.value);
    case 'ints':
      return `[${a.value.join(',')}]`;
    case 'floats':
      return `[${a.value.map(formatFloat32).join(',')}]`;
    case 'string':
      return JSON.stringify(a.value);
    case 'tensor':
      return formatTensor(a.value);
  }
}

export function formatTensor(t: TensorData): string {
  const head = `${t.dtype}${formatShape(t.dims)}`;
  if (t.data.length > MAX_PRINTED_ELEMENTS) return head;
  const values =
    t.dtype === 'float16'
      ? Array.from(t.data, (bits) => formatFloat32(float16BitsToFloat32(bits)))
      : Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? String(v) : formatFloat32(v)));
  return `${head}{${values.join(',')}}`;
}

/** The shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612). */
function formatFloat32(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(text)) === Math.fround(v)) return text;
  }
  return String(v);
}
