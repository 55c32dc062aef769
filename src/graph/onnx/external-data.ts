import { readStringPair, WIRE, WireReader } from './wire-reader.js';

/** A tensor of an ONNX model whose data lives in another file rather than in the model's bytes. */
export interface ExternalDataReference {
  /** The tensor's name ('' when it has none, as a Constant's value may not). */
  readonly tensor: string;
  /** The `location` entry of its external_data: a path relative to the model's folder, or whatever a file says. */
  readonly location: string;
}

/** onnx.proto3 field numbers of every message on a path from ModelProto down to a TensorProto. */
const FIELDS = {
  model: { graph: 7, trainingInfo: 20, functions: 25 },
  trainingInfo: { initialization: 1, algorithm: 2 },
  graph: { node: 1, initializer: 5, sparseInitializer: 15 },
  node: { attribute: 5 },
  function: { node: 7, attributeProto: 11 },
  attribute: { t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 },
  sparseTensor: { values: 1, indices: 2 },
  tensor: { name: 8, externalData: 13, dataLocation: 14 },
} as const;

/** TensorProto.DataLocation.EXTERNAL */
const EXTERNAL = 1;
/** Deeper nesting of subgraphs than this is refused rather than followed (protobuf's own default limit is 100). */
const MAX_DEPTH = 64;

/**
 * Every tensor of an ONNX model that refers to external data: initializers, sparse initializers, Constant and
 * other attribute values, in the main graph, in subgraphs (If, Loop, Scan bodies) at any depth, in functions and in
 * training info. ONNX Runtime reads such data from a file named by the model: relative to the working directory
 * when the model is given as bytes, so a hostile model can pull any file it names into its weights. Read straight
 * from the wire format, skipping the weights, like readOnnxMetadata. Throws on bytes that are not protobuf.
 */
export function findExternalData(bytes: Uint8Array): ExternalDataReference[] {
  const found: ExternalDataReference[] = [];
  const scanner = new Scanner(found);
  try {
    scanner.model(new WireReader(bytes, 0, bytes.length));
  } catch (error) {
    throw new Error(`findExternalData: not a valid ONNX model (${(error as Error).message})`);
  }
  return found;
}

class Scanner {
  constructor(private readonly found: ExternalDataReference[]) {}

  model(reader: WireReader): void {
    this.fields(reader, 0, {
      [FIELDS.model.graph]: (r, depth) => this.graph(r, depth),
      [FIELDS.model.functions]: (r, depth) => this.function(r, depth),
      [FIELDS.model.trainingInfo]: (r, depth) =>
        this.fields(r, depth, {
          [FIELDS.trainingInfo.initialization]: (g, d) => this.graph(g, d),
          [FIELDS.trainingInfo.algorithm]: (g, d) => this.graph(g, d),
        }),
    });
  }

  private graph(reader: WireReader, depth: number): void {
    this.fields(reader, depth, {
      [FIELDS.graph.node]: (r, d) => this.node(r, d),
      [FIELDS.graph.initializer]: (r) => this.tensor(r),
      [FIELDS.graph.sparseInitializer]: (r, d) => this.sparseTensor(r, d),
    });
  }

  private function(reader: WireReader, depth: number): void {
    this.fields(reader, depth, {
      [FIELDS.function.node]: (r, d) => this.node(r, d),
      [FIELDS.function.attributeProto]: (r, d) => this.attribute(r, d),
    });
  }

  private node(reader: WireReader, depth: number): void {
    this.fields(reader, depth, { [FIELDS.node.attribute]: (r, d) => this.attribute(r, d) });
  }

  private attribute(reader: WireReader, depth: number): void {
    this.fields(reader, depth, {
      [FIELDS.attribute.t]: (r) => this.tensor(r),
      [FIELDS.attribute.tensors]: (r) => this.tensor(r),
      [FIELDS.attribute.g]: (r, d) => this.graph(r, d),
      [FIELDS.attribute.graphs]: (r, d) => this.graph(r, d),
      [FIELDS.attribute.sparseTensor]: (r, d) => this.sparseTensor(r, d),
      [FIELDS.attribute.sparseTensors]: (r, d) => this.sparseTensor(r, d),
    });
  }

  private sparseTensor(reader: WireReader, depth: number): void {
    this.fields(reader, depth, {
      [FIELDS.sparseTensor.values]: (r) => this.tensor(r),
      [FIELDS.sparseTensor.indices]: (r) => this.tensor(r),
    });
  }

  /** A tensor is external if it says so (data_location) or carries a location at all: either is refused. */
  private tensor(reader: WireReader): void {
    let name = '';
    let location: string | undefined;
    let external = false;
    while (!reader.done()) {
      const [field, wireType] = reader.tag();
      if (field === FIELDS.tensor.name && wireType === WIRE.lengthDelimited) name = reader.string();
      else if (field === FIELDS.tensor.dataLocation && wireType === WIRE.varint) {
        if (reader.uint() === EXTERNAL) external = true;
      } else if (field === FIELDS.tensor.externalData && wireType === WIRE.lengthDelimited) {
        external = true;
        const [key, value] = reader.message(readStringPair);
        if (key === 'location') location = value;
      } else reader.skip(wireType);
    }
    if (external) this.found.push({ tensor: name, location: location ?? '' });
  }

  /** Reads the length-delimited fields that `handlers` names, one level deeper; skips every other field. */
  private fields(
    reader: WireReader,
    depth: number,
    handlers: Record<number, (reader: WireReader, depth: number) => void>,
  ): void {
    if (depth > MAX_DEPTH) throw new Error(`subgraphs nested deeper than ${MAX_DEPTH} levels`);
    while (!reader.done()) {
      const [field, wireType] = reader.tag();
      const handler = wireType === WIRE.lengthDelimited ? handlers[field] : undefined;
      if (handler === undefined) reader.skip(wireType);
      else reader.message((r) => handler(r, depth + 1));
    }
  }
}
