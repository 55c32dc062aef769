import type { Graph } from '../graph/index.js';
import { METADATA_KEYS } from '../model/index.js';

/**
 * After quantizeToQdq: the class maps output moved to what the pooling now reads. QDQ puts QuantizeLinear →
 * DequantizeLinear between the maps and the average pool, so the float maps no longer average to the logits (the
 * pool sees them rounded to the activation's scale); their dequantized copy does, exactly. The graph output and
 * 'nin.outputs' `maps` then name that copy. Graphs without maps, or whose maps were not quantized, are returned
 * as they are.
 */
export function classMapsAfterQuantization(
  graph: Graph,
  metadata: Readonly<Record<string, string>>,
): { readonly graph: Graph; readonly metadata: Readonly<Record<string, string>> } {
  const text = metadata[METADATA_KEYS.outputs];
  let outputs: unknown;
  try {
    outputs = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return { graph, metadata };
  }
  if (typeof outputs !== 'object' || outputs === null) return { graph, metadata };
  const maps = (outputs as { maps?: unknown }).maps;
  if (typeof maps !== 'string') return { graph, metadata };
  const quantize = graph.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === maps);
  const quantized = quantize?.outputs[0]?.name;
  const dequantize = graph.nodes.find((n) => n.opType === 'DequantizeLinear' && n.inputs[0] === quantized);
  const copy = dequantize?.outputs[0];
  if (copy === undefined) return { graph, metadata };
  return {
    graph: { ...graph, outputs: graph.outputs.map((o) => (o.name === maps ? copy : o)) },
    metadata: { ...metadata, [METADATA_KEYS.outputs]: JSON.stringify({ ...outputs, maps: copy.name }) },
  };
}
