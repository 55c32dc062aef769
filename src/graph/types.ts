/**
 * The project's graph IR: plain, immutable data.
 *
 * A graph is what ONNX can express and nothing more; it exists so that the
 * converter, the printer, the passes and (later) autodiff can work on typed
 * TypeScript objects instead of protobuf messages. Everything here must run in
 * a browser: typed arrays only, no Buffer.
 */

/**
 * Element types the IR knows. Extend {@link TensorDataMap} and the table in
 * `dtypes.ts` together to add one.
 *
 * @example
 * ```ts
 * import type { DataType } from 'nin-sdk/train';
 * const dtype: DataType = 'float32';
 * ```
 */
export type DataType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/**
 * The typed array that holds each element type. float16 is kept as its raw
 * IEEE half bits because JavaScript (Node 20) has no Float16Array.
 *
 * @example
 * ```ts
 * import type { TensorDataMap } from 'nin-sdk/train';
 * const weights: TensorDataMap['float16'] = new Uint16Array(4); // float16 bits
 * ```
 */
export interface TensorDataMap {
  float32: Float32Array;
  float16: Uint16Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

/**
 * A static size, or a symbolic one such as `'batch'` that is only known at run time.
 *
 * @example
 * ```ts
 * import type { Dim } from 'nin-sdk/train';
 * const batch: Dim = 'batch';
 * const channels: Dim = 3;
 * ```
 */
export type Dim = number | string;

/**
 * A tensor's shape, dimension by dimension.
 *
 * @example
 * ```ts
 * import type { Shape } from 'nin-sdk/train';
 * const shape: Shape = ['batch', 3, 32, 32];
 * ```
 */
export type Shape = readonly Dim[];

/**
 * The type of a tensor value: what shape inference computes.
 *
 * @example
 * ```ts
 * import type { TensorType } from 'nin-sdk/train';
 * const type: TensorType = { dtype: 'float32', shape: ['batch', 10] };
 * ```
 */
export interface TensorType {
  readonly dtype: DataType;
  readonly shape: Shape;
}

/**
 * A named tensor flowing through the graph (graph input, node output or initializer).
 *
 * @example
 * ```ts
 * import type { GraphBuilder, Value } from 'nin-sdk/train';
 * declare const g: GraphBuilder;
 * const input: Value = g.input('targets', 'float32', ['batch', 10]);
 * console.log(input.name, input.dtype, input.shape);
 * ```
 */
export interface Value extends TensorType {
  readonly name: string;
}

/**
 * Concrete tensor contents, for initializers and constants. Distributes over
 * the dtype so that checking `t.dtype === 'int64'` narrows `t.data` to BigInt64Array.
 * Data is row-major; `dims` are always static.
 *
 * @example
 * ```ts
 * import type { TensorData } from 'nin-sdk/train';
 * const bias: TensorData<'float32'> = { dtype: 'float32', dims: [2], data: new Float32Array([0.5, -0.5]) };
 * ```
 */
export type TensorData<T extends DataType = DataType> = {
  [K in T]: {
    readonly dtype: K;
    readonly dims: readonly number[];
    readonly data: TensorDataMap[K];
  };
}[T];

/**
 * A weight or other constant stored in the graph's initializer list.
 *
 * @example
 * ```ts
 * import type { ForwardModel, Initializer } from 'nin-sdk/train';
 * declare const model: ForwardModel;
 * const constants: readonly Initializer[] = model.train.initializers;
 * for (const c of constants) console.log(c.name, c.tensor.dims);
 * ```
 */
export interface Initializer {
  readonly name: string;
  readonly tensor: TensorData;
}

/**
 * A node attribute. ONNX integers are int64, but every attribute this project
 * writes (axes, pads, strides, dtype codes) fits a double exactly, so they are
 * numbers; the reader refuses the ones that do not fit.
 *
 * @example
 * ```ts
 * import type { Attribute } from 'nin-sdk/train';
 * const strides: Attribute = { type: 'ints', value: [2, 2] };
 * ```
 */
export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'tensor'; readonly value: TensorData };

/**
 * A node's attributes by name.
 *
 * @example
 * ```ts
 * import type { Attributes } from 'nin-sdk/train';
 * const pool: Attributes = { kernel_shape: { type: 'ints', value: [3, 3] }, strides: { type: 'ints', value: [2, 2] } };
 * ```
 */
export type Attributes = Readonly<Record<string, Attribute>>;

/**
 * One operator application. A node owns the values it defines (so their types
 * live here) and refers to the values it consumes by name, as ONNX does; an
 * empty string stands for an omitted optional input.
 *
 * @example
 * ```ts
 * import type { ForwardModel, Node } from 'nin-sdk/train';
 * declare const model: ForwardModel;
 * const nodes: readonly Node[] = model.train.nodes;
 * console.log(nodes.map((node) => node.opType).join(' → '));
 * ```
 */
export interface Node {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly Value[];
  readonly attributes: Attributes;
}

/**
 * A whole computation. Nodes are in topological order.
 *
 * @example
 * ```ts
 * import type { ForwardModel, Graph } from 'nin-sdk/train';
 * declare const model: ForwardModel;
 * const graph: Graph = model.train;
 * console.log(graph.inputs.map((input) => input.name), graph.nodes.length, graph.opsetVersion);
 * ```
 */
export interface Graph {
  readonly name: string;
  /** The ai.onnx opset the nodes are written for (GraphBuilder's option; read from the file by readOnnx). */
  readonly opsetVersion: number;
  readonly docString: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly initializers: readonly Initializer[];
  readonly nodes: readonly Node[];
}
