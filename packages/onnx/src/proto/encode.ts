/**
 * Writing ONNX messages as protobuf bytes on `@bufbuild/protobuf`'s wire-level `BinaryWriter`. Field
 * numbers are those of onnx.proto; repeated numbers of TensorProto's data fields are packed (as
 * onnx.proto declares them), dims and attribute lists are not (proto2 defaults, as ONNX writes them).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto, ValueInfoProto } from './messages.js';

type Write<T> = (w: BinaryWriter, m: T) => void;

function message<T>(w: BinaryWriter, field: number, m: T | undefined, write: Write<T>): void {
  if (m === undefined) return;
  w.tag(field, WireType.LengthDelimited).fork();
  write(w, m);
  w.join();
}

function messages<T>(w: BinaryWriter, field: number, ms: readonly T[] | undefined, write: Write<T>): void {
  for (const m of ms ?? []) message(w, field, m, write);
}

function str(w: BinaryWriter, field: number, s: string | undefined): void {
  if (s !== undefined && s !== '') w.tag(field, WireType.LengthDelimited).string(s);
}

function strs(w: BinaryWriter, field: number, ss: readonly string[] | undefined): void {
  for (const s of ss ?? []) w.tag(field, WireType.LengthDelimited).string(s);
}

function bytes(w: BinaryWriter, field: number, b: Uint8Array | undefined): void {
  if (b !== undefined) w.tag(field, WireType.LengthDelimited).bytes(b);
}

function int64(w: BinaryWriter, field: number, v: number | undefined): void {
  if (v !== undefined) w.tag(field, WireType.Varint).int64(v);
}

function int32(w: BinaryWriter, field: number, v: number | undefined): void {
  if (v !== undefined) w.tag(field, WireType.Varint).int32(v);
}

function packed(w: BinaryWriter, field: number, vs: readonly number[] | undefined, put: (w: BinaryWriter, v: number) => void): void {
  if (!vs || vs.length === 0) return;
  w.tag(field, WireType.LengthDelimited).fork();
  for (const v of vs) put(w, v);
  w.join();
}

const writeTensor: Write<TensorProto> = (w, t) => {
  for (const d of t.dims ?? []) int64(w, 1, d);
  int32(w, 2, t.dataType);
  packed(w, 4, t.floatData, (w, v) => w.float(v));
  packed(w, 5, t.int32Data, (w, v) => w.int32(v));
  for (const s of t.stringData ?? []) bytes(w, 6, s);
  packed(w, 7, t.int64Data, (w, v) => w.int64(v));
  str(w, 8, t.name);
  bytes(w, 9, t.rawData);
  packed(w, 10, t.doubleData, (w, v) => w.double(v));
  packed(w, 11, t.uint64Data, (w, v) => w.uint64(v));
  str(w, 12, t.docString);
  int32(w, 14, t.dataLocation);
};

const writeType: Write<TypeProto> = (w, t) => {
  message(w, 1, t.tensorType, (w, tt) => {
    int32(w, 1, tt.elemType);
    message(w, 2, tt.shape, (w, s) =>
      messages(w, 1, s.dim, (w, d) => {
        int64(w, 1, d.dimValue);
        str(w, 2, d.dimParam);
      }),
    );
  });
};

const writeValueInfo: Write<ValueInfoProto> = (w, v) => {
  str(w, 1, v.name);
  message(w, 2, v.type, writeType);
  str(w, 3, v.docString);
};

const writeAttribute: Write<AttributeProto> = (w, a) => {
  str(w, 1, a.name);
  if (a.f !== undefined) w.tag(2, WireType.Bit32).float(a.f);
  int64(w, 3, a.i);
  bytes(w, 4, a.s);
  message(w, 5, a.t, writeTensor);
  message(w, 6, a.g, writeGraph);
  for (const f of a.floats ?? []) w.tag(7, WireType.Bit32).float(f);
  for (const i of a.ints ?? []) int64(w, 8, i);
  for (const s of a.strings ?? []) bytes(w, 9, s);
  messages(w, 10, a.tensors, writeTensor);
  str(w, 13, a.docString);
  int32(w, 20, a.type);
};

const writeNode: Write<NodeProto> = (w, n) => {
  strs(w, 1, n.input);
  strs(w, 2, n.output);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  messages(w, 5, n.attribute, writeAttribute);
  str(w, 6, n.docString);
  str(w, 7, n.domain);
};

function writeGraph(w: BinaryWriter, g: GraphProto): void {
  messages(w, 1, g.node, writeNode);
  str(w, 2, g.name);
  messages(w, 5, g.initializer, writeTensor);
  str(w, 10, g.docString);
  messages(w, 11, g.input, writeValueInfo);
  messages(w, 12, g.output, writeValueInfo);
  messages(w, 13, g.valueInfo, writeValueInfo);
}

/** The protobuf bytes of an ONNX ModelProto (what a `.onnx` file holds). */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new BinaryWriter();
  int64(w, 1, m.irVersion);
  str(w, 2, m.producerName);
  str(w, 3, m.producerVersion);
  str(w, 4, m.domain);
  int64(w, 5, m.modelVersion);
  str(w, 6, m.docString);
  message(w, 7, m.graph, writeGraph);
  messages(w, 8, m.opsetImport, (w, o) => {
    str(w, 1, o.domain);
    int64(w, 2, o.version);
  });
  return w.finish();
}

/** The protobuf bytes of a single TensorProto (the form of ONNX's test-data `.pb` files). */
export function encodeTensor(t: TensorProto): Uint8Array {
  const w = new BinaryWriter();
  writeTensor(w, t);
  return w.finish();
}
