import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { modelProtoType } from './onnx-proto.js';

/**
 * A small ONNX model writer: describe a graph with plain data (or `GraphBuilder`), then
 * `encodeModel` / `writeModel` serialise it with protobufjs and the onnx.proto subset.
 *
 *     const g = new GraphBuilder('tiny');
 *     const x = g.input('x', 'float', ['batch', 4]);
 *     const w = g.initializer(floatTensor('w', [4, 2], new Float32Array(8)));
 *     g.output(g.op('MatMul', [x, w]), 'float', ['batch', 2]);   // or g.node({ op, inputs, outputs, attributes })
 *     await writeModel('tiny.onnx', g.build(), { opset: 18 });
 *
 * Attributes are typed explicitly (`attr.int(1)`, `attr.float(1e-3)`, `attr.ints([1, 1])`) because an
 * ONNX INT and FLOAT attribute are different things even when the number is whole. Tensor data is
 * written as little-endian `raw_data`; int64 tensors take a BigInt64Array.
 */

/** ONNX TensorProto.DataType codes for the element types this writer supports. */
export const TENSOR_DATA_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, double: 11 } as const;
export type ElemType = keyof typeof TENSOR_DATA_TYPE;

export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export interface Tensor {
  readonly name: string;
  readonly type: ElemType;
  readonly dims: readonly number[];
  /** Row-major (C order) values; length = product of dims. For `bool`, a Uint8Array of 0/1. */
  readonly data: TensorData;
}

export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: Tensor };

/** Typed attribute constructors. */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  strings: (value: readonly string[]): AttributeValue => ({ kind: 'strings', value }),
  tensor: (value: Tensor): AttributeValue => ({ kind: 'tensor', value }),
};

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** Operator domain; '' (the default ONNX domain) when absent. */
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A dimension: a fixed size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

export interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly shape: readonly Dim[];
}

export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly Tensor[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly docString?: string;
}

export interface ModelOptions {
  /** Default-domain opset version. @default 18 */
  readonly opset?: number;
  /** @default 9 (onnxruntime ≥ 1.15 reads it) */
  readonly irVersion?: number;
  /** @default 'vaflow' */
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** Free key/value pairs stored as metadata_props (readable from onnxruntime session metadata). */
  readonly metadata?: Readonly<Record<string, string>>;
}

export function floatTensor(name: string, dims: readonly number[], data: Float32Array | readonly number[]): Tensor {
  return checkedTensor({ name, type: 'float', dims, data: data instanceof Float32Array ? data : Float32Array.from(data) });
}

export function int64Tensor(name: string, dims: readonly number[], data: BigInt64Array | readonly number[]): Tensor {
  return checkedTensor({ name, type: 'int64', dims, data: data instanceof BigInt64Array ? data : BigInt64Array.from(data, (v) => BigInt(v)) });
}

export function int32Tensor(name: string, dims: readonly number[], data: Int32Array | readonly number[]): Tensor {
  return checkedTensor({ name, type: 'int32', dims, data: data instanceof Int32Array ? data : Int32Array.from(data) });
}

function checkedTensor(tensor: Tensor): Tensor {
  const expected = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== expected) {
    throw new RangeError(`tensor "${tensor.name}": dims [${tensor.dims.join(', ')}] need ${expected} values, got ${tensor.data.length}`);
  }
  return tensor;
}

/** Collects nodes, initializers, inputs and outputs; `op` names outputs itself (`<op>_<n>`). */
export class GraphBuilder {
  readonly #name: string;
  readonly #nodes: NodeSpec[] = [];
  readonly #initializers: Tensor[] = [];
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #used = new Set<string>();
  #counter = 0;

  constructor(name: string) {
    this.#name = name;
  }

  input(name: string, type: ElemType, shape: readonly Dim[]): string {
    this.#claim(name);
    this.#inputs.push({ name, type, shape });
    return name;
  }

  output(name: string, type: ElemType, shape: readonly Dim[]): void {
    this.#outputs.push({ name, type, shape });
  }

  initializer(tensor: Tensor): string {
    this.#claim(tensor.name);
    this.#initializers.push(checkedTensor(tensor));
    return tensor.name;
  }

  node(spec: NodeSpec): readonly string[] {
    for (const out of spec.outputs) this.#claim(out);
    this.#nodes.push(spec);
    return spec.outputs;
  }

  /** A single-output node; returns the output's name (`output` or a fresh `<op>_<n>`). */
  op(op: string, inputs: readonly string[], options: { attributes?: Readonly<Record<string, AttributeValue>>; output?: string; name?: string } = {}): string {
    const output = options.output ?? this.#fresh(op);
    this.node({ op, inputs, outputs: [output], name: options.name ?? output, attributes: options.attributes });
    return output;
  }

  build(docString?: string): GraphSpec {
    return { name: this.#name, nodes: [...this.#nodes], initializers: [...this.#initializers], inputs: [...this.#inputs], outputs: [...this.#outputs], docString };
  }

  #fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.#counter++}`; while (this.#used.has(name));
    return name;
  }

  #claim(name: string): void {
    if (this.#used.has(name)) throw new Error(`ONNX graph "${this.#name}": the name "${name}" is defined twice`);
    this.#used.add(name);
  }
}

function tensorMessage(tensor: Tensor): Record<string, unknown> {
  const { data } = tensor;
  return {
    name: tensor.name,
    dims: [...tensor.dims],
    data_type: TENSOR_DATA_TYPE[tensor.type],
    raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

function attributeMessage(name: string, value: AttributeValue): Record<string, unknown> {
  const encoder = new TextEncoder();
  switch (value.kind) {
    case 'int': return { name, type: 2, i: value.value };
    case 'float': return { name, type: 1, f: value.value };
    case 'string': return { name, type: 3, s: encoder.encode(value.value) };
    case 'tensor': return { name, type: 4, t: tensorMessage(value.value) };
    case 'floats': return { name, type: 6, floats: [...value.value] };
    case 'ints': return { name, type: 7, ints: [...value.value] };
    case 'strings': return { name, type: 8, strings: value.value.map((s) => encoder.encode(s)) };
  }
}

function valueInfoMessage(info: ValueInfo): Record<string, unknown> {
  const dim = info.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name: info.name, type: { tensor_type: { elem_type: TENSOR_DATA_TYPE[info.type], shape: { dim } } } };
}

/** Serialises a graph as an ONNX ModelProto. */
export function encodeModel(graph: GraphSpec, options: ModelOptions = {}): Uint8Array {
  const type = modelProtoType();
  const message = {
    ir_version: options.irVersion ?? 9,
    opset_import: [{ domain: '', version: options.opset ?? 18 }],
    producer_name: options.producerName ?? 'vaflow',
    producer_version: options.producerVersion ?? '',
    doc_string: options.docString ?? '',
    metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      doc_string: graph.docString ?? '',
      node: graph.nodes.map((n) => ({
        op_type: n.op,
        name: n.name ?? '',
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attributeMessage(k, v)),
      })),
      initializer: graph.initializers.map(tensorMessage),
      input: graph.inputs.map(valueInfoMessage),
      output: graph.outputs.map(valueInfoMessage),
    },
  };
  const invalid = type.verify(message);
  if (invalid) throw new Error(`ONNX model "${graph.name}" does not match onnx.proto: ${invalid}`);
  return type.encode(type.fromObject(message)).finish();
}

/** Writes the model atomically (temp file + rename), creating the folder if needed. */
export async function writeModel(file: string, graph: GraphSpec, options: ModelOptions = {}): Promise<void> {
  const bytes = encodeModel(graph, options);
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, file);
}

/** Decodes an ONNX file's ModelProto into a plain object (snake_case fields, int64 as numbers), for checks and tests. */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelProtoType();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Array, defaults: false });
}
