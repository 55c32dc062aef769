/**
 * The preprocessing-in-graph variant of a model: uint8 NHWC pixels of the model's input size in, the model's
 * own normalisation as ONNX ops (Cast, Transpose, channel order, scale, mean, std), then the model unchanged.
 * Any engine then serves raw pixels; only the resize and centre crop stay with the client. The ops are the
 * float32 operations of src/preprocess/normalize.ts, in the same order, so the tensors agree bit for bit.
 */
import type { ModelProto } from 'onnx-buf';
import {
  GraphBuilder,
  ops,
  readOnnxProto,
  writeOnnx,
  float32Tensor,
  type Graph,
  type Value,
} from '../../graph/index.js';
import { specChannels, type PreprocessSpec } from '../../preprocess/index.js';

/**
 * The variant's input: a batch of inputSize × inputSize images, bytes in height, width, channel order; RGB, or one
 * grey byte per pixel for a 1-channel spec (made grey by the client, as PIL's convert('L') does, before the resize).
 */
export const PIXELS_INPUT = 'pixels';

/** Names of the nodes and values added in front of the model, kept apart from the model's own. */
const PREFIX = 'nin_preprocess/';

export function withPreprocessingGraph(model: ModelProto, spec: PreprocessSpec): Uint8Array {
  const onnx = readOnnxProto(model);
  const original = onnx.graph;
  const input = original.inputs[0];
  if (original.inputs.length !== 1 || input === undefined || input.dtype !== 'float32') {
    throw new Error('the model needs one float32 [N, C, S, S] input for preprocessing to be put in front of it');
  }
  const size = spec.inputSize;
  const channels = specChannels(spec);
  const g = new GraphBuilder({ name: original.name, opsetVersion: onnx.opsetVersion });
  const pixels = g.input(PIXELS_INPUT, 'uint8', [input.shape[0] ?? 'batch', size, size, channels]);
  const planes = ops.transpose(g, ops.cast(g, pixels, 'float32'), [0, 3, 1, 2]);
  const ordered = channels === 3 && spec.channelOrder === 'BGR' ? reverseChannels(g, planes) : planes;
  const divisor = 1 / spec.scale;
  // As normalize.ts's planeValue: ToTensor divides by 255 rather than multiplying by 1/255.
  const scaled =
    spec.scale === 1
      ? ordered
      : Number.isInteger(divisor)
        ? ops.div(g, ordered, g.constant(float32Tensor([divisor], [])))
        : ops.mul(g, ordered, g.constant(float32Tensor([spec.scale], [])));
  const perPlane = (values: readonly number[]) =>
    g.constant(float32Tensor(values.slice(0, channels), [1, channels, 1, 1]));
  const centred = ops.sub(g, scaled, perPlane(spec.mean));
  const normalised = ops.div(g, centred, perPlane(spec.std));
  g.output(normalised, input.name);
  const front = prefixNames(g.build(), new Set([PIXELS_INPUT, input.name]));
  const graph: Graph = {
    ...original,
    inputs: front.inputs,
    initializers: [...front.initializers, ...original.initializers],
    nodes: [...front.nodes, ...original.nodes],
  };
  return writeOnnx(graph, {
    opsetVersion: onnx.opsetVersion,
    irVersion: onnx.irVersion,
    producerName: onnx.producerName,
    producerVersion: onnx.producerVersion,
    docString: onnx.docString,
    metadata: onnx.metadata,
  });
}

/** RGB planes ↔ BGR planes: three one-plane slices concatenated in reverse. */
function reverseChannels(g: GraphBuilder, x: Value): Value {
  const plane = (c: number): Value => ops.slice(g, x, { starts: [c], ends: [c + 1], axes: [1] });
  return ops.concat(g, [plane(2), plane(1), plane(0)], 1);
}

function prefixNames(graph: Graph, keep: ReadonlySet<string>): Graph {
  const rename = (name: string): string => (keep.has(name) || name === '' ? name : `${PREFIX}${name}`);
  return {
    ...graph,
    inputs: graph.inputs.map((v) => ({ ...v, name: rename(v.name) })),
    outputs: graph.outputs.map((v) => ({ ...v, name: rename(v.name) })),
    initializers: graph.initializers.map((i) => ({ ...i, name: rename(i.name) })),
    nodes: graph.nodes.map((n) => ({
      ...n,
      name: rename(n.name),
      inputs: n.inputs.map(rename),
      outputs: n.outputs.map((v) => ({ ...v, name: rename(v.name) })),
    })),
  };
}
