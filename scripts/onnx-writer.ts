// A minimal hand-written protobuf encoder for the few ONNX messages a tiny test model needs
// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto); field numbers follow onnx/onnx.proto.

/** Element types the writer can declare; values are ONNX `TensorProto.DataType` codes. */
export type OnnxElemType = 'float' | 'int64';

const ELEM_TYPE_CODE: Record<OnnxElemType, number> = { float: 1, int64: 7 };

/** A graph input or output: a name, an element type and a shape whose symbolic dims are strings. */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElemType;
  /** Fixed sizes as numbers, symbolic sizes (`dim_param`, e.g. `batch_size`) as strings. */
  shape: readonly (number | string)[];
}

/**
 * A node attribute: a number is an INT, `{ float }` a FLOAT, an array of numbers INTS, `{ elemType }` an
 * element type code for e.g. Cast's `to` (written as an INT).
 */
export type OnnxAttribute = number | readonly number[] | { float: number } | { elemType: OnnxElemType };

/** One operator node of the graph (default domain). */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A float initializer, stored as little-endian `raw_data`. */
export interface OnnxFloatTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

/** An int64 initializer (e.g. the `axes` input of Unsqueeze or ReduceSum), stored as little-endian `raw_data`. */
export interface OnnxInt64Tensor {
  name: string;
  dims: readonly number[];
  data: BigInt64Array;
}

/** Any initializer the writer can store. */
export type OnnxTensor = OnnxFloatTensor | OnnxInt64Tensor;

/** Everything needed to encode a single-graph ONNX model. */
export interface OnnxModelSpec {
  graphName: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  /** Defaults to 8, which onnxruntime 1.14 accepts. */
  irVersion?: number;
  /** Opset of the default domain; defaults to 13. */
  opsetVersion?: number;
  producerName?: string;
}

// Protobuf wire types.
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

// AttributeProto.AttributeType codes.
const ATTRIBUTE_FLOAT = 1;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growing list of byte chunks. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  /** An integer field (int32/int64/enum); negative values take ten bytes, as int64 does on the wire. */
  varint(field: number, value: number): this {
    this.tag(field, VARINT);
    this.chunks.push(encodeVarint(value));
    return this;
  }

  /** A 32-bit float field. */
  float(field: number, value: number): this {
    this.tag(field, FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** A bytes field, or an embedded message already encoded. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.chunks.push(encodeVarint(value.length), value);
    return this;
  }

  /** An embedded message built by `build`. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.chunks.push(encodeVarint(field * 8 + wireType));
  }
}

/** Base-128 varint of a safe integer; a negative one is encoded as its 64-bit two's complement. */
function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`cannot encode ${value} as a varint`);
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) + 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Uint8Array.from(bytes);
}

/** Float32 or int64 values as little-endian bytes, whatever the host's byte order. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((value, i) => view.setFloat32(i * 4, value, true));
  else data.forEach((value, i) => view.setBigInt64(i * 8, value, true));
  return out;
}

function writeValueInfo(w: ProtoWriter, info: OnnxValueInfo): void {
  w.string(1, info.name); // ValueInfoProto.name
  w.message(2, (type) => {
    // TypeProto.tensor_type
    type.message(1, (tensor) => {
      tensor.varint(1, ELEM_TYPE_CODE[info.elemType]); // TypeProto.Tensor.elem_type
      tensor.message(2, (shape) => {
        for (const dim of info.shape) {
          // TensorShapeProto.dim: dim_value = 1, dim_param = 2
          shape.message(1, (d) => (typeof dim === 'number' ? d.varint(1, dim) : d.string(2, dim)));
        }
      });
    });
  });
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name !== undefined) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.message(5, (a) => writeAttribute(a, name, value));
}

function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  // AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20
  w.string(1, name);
  if (typeof value === 'number') w.varint(3, value).varint(20, ATTRIBUTE_INT);
  else if ('float' in value) w.float(2, value.float).varint(20, ATTRIBUTE_FLOAT);
  else if ('elemType' in value) w.varint(3, ELEM_TYPE_CODE[value.elemType]).varint(20, ATTRIBUTE_INT);
  else {
    for (const item of value) w.varint(8, item);
    w.varint(20, ATTRIBUTE_INTS);
  }
}

function writeTensor(w: ProtoWriter, tensor: OnnxTensor): void {
  // onnx.proto is proto2, so repeated dims are written unpacked, one field each.
  for (const dim of tensor.dims) w.varint(1, dim);
  w.varint(2, ELEM_TYPE_CODE[tensor.data instanceof Float32Array ? 'float' : 'int64']);
  w.string(8, tensor.name);
  w.bytes(9, littleEndianBytes(tensor.data));
}

/** Encodes `spec` as the bytes of an `.onnx` file. */
export function encodeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const model = new ProtoWriter();
  model.varint(1, spec.irVersion ?? 8); // ModelProto.ir_version
  model.string(2, spec.producerName ?? 'idm-speech-chat tiny-model'); // producer_name
  model.message(7, (graph) => {
    // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12
    for (const node of spec.nodes) graph.message(1, (w) => writeNode(w, node));
    graph.string(2, spec.graphName);
    for (const tensor of spec.initializers) graph.message(5, (w) => writeTensor(w, tensor));
    for (const input of spec.inputs) graph.message(11, (w) => writeValueInfo(w, input));
    for (const output of spec.outputs) graph.message(12, (w) => writeValueInfo(w, output));
  });
  model.message(8, (opset) => {
    // OperatorSetIdProto: domain = 1 ("" is the default ONNX domain), version = 2
    opset.string(1, '');
    opset.varint(2, spec.opsetVersion ?? 13);
  });
  return model.finish();
}
