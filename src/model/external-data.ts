import {
  TensorProto_DataLocation,
  type AttributeProto,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type SparseTensorProto,
  type TensorProto,
} from 'onnx-buf';

/** A tensor of an ONNX model whose data lives in another file rather than in the model's bytes. */
export interface ExternalDataReference {
  /** The tensor's name ('' when it has none, as a Constant's value may not). */
  readonly tensor: string;
  /** The `location` entry of its external_data: a path relative to the model's folder, or whatever a file says. */
  readonly location: string;
}

/**
 * Deeper nesting of subgraphs than this is refused rather than followed. Decoding already stops at protobuf's
 * recursion limit of 100 messages; a graph level takes at least two (node, attribute), so this is never the limit
 * that a decodable model reaches first, but the walk does not rely on that.
 */
export const MAX_SUBGRAPH_DEPTH = 64;

/**
 * Every tensor of a decoded ONNX model that refers to external data: initializers, sparse initializers, Constant and
 * other attribute values, in the main graph, in subgraphs (If, Loop, Scan bodies) at any depth, in functions and in
 * training info. ONNX Runtime reads such data from a file named by the model, relative to the working directory
 * when the model is given as bytes, so a hostile model can pull any file it names into its weights. A tensor is
 * external if it says so (data_location) or carries external_data entries at all: either is reported.
 * Throws when subgraphs nest deeper than MAX_SUBGRAPH_DEPTH.
 */
export function findExternalData(model: ModelProto): ExternalDataReference[] {
  const found: ExternalDataReference[] = [];
  const tensor = (t: TensorProto | undefined): void => {
    if (t === undefined) return;
    if (t.dataLocation !== TensorProto_DataLocation.EXTERNAL && t.externalData.length === 0) return;
    const location = t.externalData.find((entry) => entry.key === 'location')?.value ?? '';
    found.push({ tensor: t.name, location });
  };
  const sparse = (s: SparseTensorProto | undefined): void => {
    tensor(s?.values);
    tensor(s?.indices);
  };
  const attribute = (a: AttributeProto, depth: number): void => {
    tensor(a.t);
    a.tensors.forEach(tensor);
    sparse(a.sparseTensor);
    a.sparseTensors.forEach(sparse);
    if (a.g !== undefined) graph(a.g, depth + 1);
    for (const g of a.graphs) graph(g, depth + 1);
  };
  const nodes = (list: readonly NodeProto[], depth: number): void => {
    for (const node of list) for (const a of node.attribute) attribute(a, depth);
  };
  const graph = (g: GraphProto | undefined, depth: number): void => {
    if (g === undefined) return;
    if (depth > MAX_SUBGRAPH_DEPTH) throw new Error(`subgraphs nested deeper than ${MAX_SUBGRAPH_DEPTH} levels`);
    g.initializer.forEach(tensor);
    g.sparseInitializer.forEach(sparse);
    nodes(g.node, depth);
  };
  const fn = (f: FunctionProto): void => {
    nodes(f.node, 1);
    for (const a of f.attributeProto) attribute(a, 1);
  };
  graph(model.graph, 0);
  model.functions.forEach(fn);
  for (const info of model.trainingInfo) {
    graph(info.initialization, 0);
    graph(info.algorithm, 0);
  }
  return found;
}
