// A minimal hand-written protobuf encoder for the few ONNX messages a tiny test model needs
// (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto); field numbers follow onnx/onnx.proto.

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

/** One operator node of the graph (default domain, no attributes). */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
}

/** A float initializer, stored as little-endian `raw_data`. */
export interface OnnxFloatTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

/** Everything needed to encode a single-graph ONNX model. */
export interface OnnxModelSpec {
  graphName: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxFloatTensor[];
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

const textEncoder = new TextEncoder();

/** Appends protobuf fields to a growing list of byte chunks. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  /** A non-negative integer field (int32/int64/enum). */
  varint(field: number, value: number): this {
    this.tag(field, VARINT);
    this.chunks.push(encodeVarint(value));
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

/** Base-128 varint; plain arithmetic instead of bit ops so values above 2^31 stay correct. */
function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as a varint`);
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) + 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

/** Float32 values as little-endian bytes, whatever the host's byte order. */
function littleEndianFloats(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  data.forEach((value, i) => view.setFloat32(i * 4, value, true));
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
}

function writeFloatTensor(w: ProtoWriter, tensor: OnnxFloatTensor): void {
  // onnx.proto is proto2, so repeated dims are written unpacked, one field each.
  for (const dim of tensor.dims) w.varint(1, dim);
  w.varint(2, ELEM_TYPE_CODE.float);
  w.string(8, tensor.name);
  w.bytes(9, littleEndianFloats(tensor.data));
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
    for (const tensor of spec.initializers) graph.message(5, (w) => writeFloatTensor(w, tensor));
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
