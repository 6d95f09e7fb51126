/**
 * Reading ONNX messages from protobuf bytes with `@bufbuild/protobuf`'s wire-level `BinaryReader`.
 * Unknown fields are skipped; repeated numbers are accepted packed or not (protobuf readers must);
 * bad bytes become a CellgradError of kind `graph` naming what was being read.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { CellgradError } from '@cellgrad/graph';
import type {
  AttributeProto,
  DimensionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  TensorProto,
  TypeProto,
  ValueInfoProto,
} from './messages.js';

/** The wire type of each field a message reader consumes; `[type]` marks a repeated number, which may also come packed. */
type Schema = Readonly<Record<number, WireType | readonly [WireType]>>;

const V = WireType.Varint;
const L = WireType.LengthDelimited;
const F32 = WireType.Bit32;
const F64 = WireType.Bit64;

/**
 * Reads one message's fields from `r` until `end`, calling `field` for each known one (which must
 * consume it or return false); a known field with another wire type, or a field running past the
 * message's end, is an error.
 */
function fields(r: BinaryReader, end: number, schema: Schema, field: (no: number, wt: WireType) => boolean): void {
  while (r.pos < end) {
    const [no, wt] = r.tag();
    const spec = schema[no];
    const want = Array.isArray(spec) ? spec[0] : spec;
    if (want !== undefined && wt !== want && !(wt === L && Array.isArray(spec))) throw new Error(`field ${no} has wire type ${wt}, expected ${want}`);
    if (want === undefined || !field(no, wt)) r.skip(wt, no);
  }
  if (r.pos !== end) throw new Error(`a field runs past the end of its message (at byte ${r.pos}, the message ends at ${end})`);
}

function sub<T>(r: BinaryReader, read: (r: BinaryReader, end: number) => T): T {
  const len = r.uint32();
  if (r.pos + len > r.len) throw new Error(`a message of ${len} bytes at byte ${r.pos} runs past the end of the data (${r.len} bytes)`);
  return read(r, r.pos + len);
}

const TENSOR: Schema = { 1: [V], 2: V, 4: [F32], 5: [V], 6: L, 7: [V], 8: L, 9: L, 10: [F64], 11: [V], 12: L, 14: V };
const DIM: Schema = { 1: V, 2: L };
const TYPE: Schema = { 1: L };
const TENSOR_TYPE: Schema = { 1: V, 2: L };
const SHAPE: Schema = { 1: L };
const VALUE_INFO: Schema = { 1: L, 2: L, 3: L };
const ATTRIBUTE: Schema = { 1: L, 2: F32, 3: V, 4: L, 5: L, 6: L, 7: [F32], 8: [V], 9: L, 10: L, 13: L, 20: V };
const NODE: Schema = { 1: L, 2: L, 3: L, 4: L, 5: L, 6: L, 7: L };
const GRAPH: Schema = { 1: L, 2: L, 5: L, 10: L, 11: L, 12: L, 13: L };
const OPSET: Schema = { 1: L, 2: V };
const MODEL: Schema = { 1: V, 2: L, 3: L, 4: L, 5: V, 6: L, 7: L, 8: L };

const num = (v: bigint | string): number => Number(v);

/** Push one value, or every value of a packed run, of a repeated number field. */
function repeated(r: BinaryReader, wt: WireType, out: number[], one: () => number): void {
  if (wt === WireType.LengthDelimited) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) out.push(one());
  } else out.push(one());
}

function readTensor(r: BinaryReader, end: number): TensorProto {
  const t: Required<Pick<TensorProto, 'dims' | 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data' | 'stringData'>> & TensorProto = {
    dims: [],
    floatData: [],
    int32Data: [],
    int64Data: [],
    doubleData: [],
    uint64Data: [],
    stringData: [],
  };
  fields(r, end, TENSOR, (no, wt) => {
    if (no === 1) repeated(r, wt, t.dims, () => num(r.int64()));
    else if (no === 2) t.dataType = r.int32();
    else if (no === 4) repeated(r, wt, t.floatData, () => r.float());
    else if (no === 5) repeated(r, wt, t.int32Data, () => r.int32());
    else if (no === 6) t.stringData.push(r.bytes());
    else if (no === 7) repeated(r, wt, t.int64Data, () => num(r.int64()));
    else if (no === 8) t.name = r.string();
    else if (no === 9) t.rawData = r.bytes();
    else if (no === 10) repeated(r, wt, t.doubleData, () => r.double());
    else if (no === 11) repeated(r, wt, t.uint64Data, () => num(r.uint64()));
    else if (no === 12) t.docString = r.string();
    else if (no === 14) t.dataLocation = r.int32();
    else return false;
    return true;
  });
  return t;
}

function readDim(r: BinaryReader, end: number): DimensionProto {
  const d: DimensionProto = {};
  fields(r, end, DIM, (no) => {
    if (no === 1) d.dimValue = num(r.int64());
    else if (no === 2) d.dimParam = r.string();
    else return false;
    return true;
  });
  return d;
}

function readType(r: BinaryReader, end: number): TypeProto {
  const t: TypeProto = {};
  fields(r, end, TYPE, (no) => {
    if (no !== 1) return false;
    t.tensorType = sub(r, (r, end) => {
      const tt: NonNullable<TypeProto['tensorType']> = {};
      fields(r, end, TENSOR_TYPE, (no) => {
        if (no === 1) tt.elemType = r.int32();
        else if (no === 2) {
          const dim: DimensionProto[] = [];
          sub(r, (r, end) =>
            fields(r, end, SHAPE, (no) => {
              if (no !== 1) return false;
              dim.push(sub(r, readDim));
              return true;
            }),
          );
          tt.shape = { dim };
        } else return false;
        return true;
      });
      return tt;
    });
    return true;
  });
  return t;
}

function readValueInfo(r: BinaryReader, end: number): ValueInfoProto {
  const v: ValueInfoProto = {};
  fields(r, end, VALUE_INFO, (no) => {
    if (no === 1) v.name = r.string();
    else if (no === 2) v.type = sub(r, readType);
    else if (no === 3) v.docString = r.string();
    else return false;
    return true;
  });
  return v;
}

function readAttribute(r: BinaryReader, end: number): AttributeProto {
  const a: AttributeProto & { floats: number[]; ints: number[]; strings: Uint8Array[]; tensors: TensorProto[] } = {
    floats: [],
    ints: [],
    strings: [],
    tensors: [],
  };
  fields(r, end, ATTRIBUTE, (no, wt) => {
    if (no === 1) a.name = r.string();
    else if (no === 2) a.f = r.float();
    else if (no === 3) a.i = num(r.int64());
    else if (no === 4) a.s = r.bytes();
    else if (no === 5) a.t = sub(r, readTensor);
    else if (no === 6) a.g = sub(r, readGraph);
    else if (no === 7) repeated(r, wt, a.floats, () => r.float());
    else if (no === 8) repeated(r, wt, a.ints, () => num(r.int64()));
    else if (no === 9) a.strings.push(r.bytes());
    else if (no === 10) a.tensors.push(sub(r, readTensor));
    else if (no === 13) a.docString = r.string();
    else if (no === 20) a.type = r.int32();
    else return false;
    return true;
  });
  return a;
}

function readNode(r: BinaryReader, end: number): NodeProto {
  const n: NodeProto & { input: string[]; output: string[]; attribute: AttributeProto[] } = { input: [], output: [], attribute: [] };
  fields(r, end, NODE, (no) => {
    if (no === 1) n.input.push(r.string());
    else if (no === 2) n.output.push(r.string());
    else if (no === 3) n.name = r.string();
    else if (no === 4) n.opType = r.string();
    else if (no === 5) n.attribute.push(sub(r, readAttribute));
    else if (no === 6) n.docString = r.string();
    else if (no === 7) n.domain = r.string();
    else return false;
    return true;
  });
  return n;
}

function readGraph(r: BinaryReader, end: number): GraphProto {
  const g: GraphProto & { node: NodeProto[]; initializer: TensorProto[]; input: ValueInfoProto[]; output: ValueInfoProto[]; valueInfo: ValueInfoProto[] } = {
    node: [],
    initializer: [],
    input: [],
    output: [],
    valueInfo: [],
  };
  fields(r, end, GRAPH, (no) => {
    if (no === 1) g.node.push(sub(r, readNode));
    else if (no === 2) g.name = r.string();
    else if (no === 5) g.initializer.push(sub(r, readTensor));
    else if (no === 10) g.docString = r.string();
    else if (no === 11) g.input.push(sub(r, readValueInfo));
    else if (no === 12) g.output.push(sub(r, readValueInfo));
    else if (no === 13) g.valueInfo.push(sub(r, readValueInfo));
    else return false;
    return true;
  });
  return g;
}

function readOpset(r: BinaryReader, end: number): OperatorSetIdProto {
  const o: OperatorSetIdProto = { domain: '' };
  fields(r, end, OPSET, (no) => {
    if (no === 1) o.domain = r.string();
    else if (no === 2) o.version = num(r.int64());
    else return false;
    return true;
  });
  return o;
}

function guarded<T>(what: string, bytes: Uint8Array, read: (r: BinaryReader, end: number) => T): T {
  const r = new BinaryReader(bytes);
  try {
    return read(r, bytes.length);
  } catch (e) {
    throw Object.assign(new CellgradError('graph', `cannot read ${what}: not a valid protobuf message (${(e as Error).message})`), { cause: e });
  }
}

/** Decode the bytes of a `.onnx` file into a ModelProto. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return guarded('the ONNX model', bytes, (r, end) => {
    const m: ModelProto & { opsetImport: OperatorSetIdProto[] } = { opsetImport: [] };
    fields(r, end, MODEL, (no) => {
      if (no === 1) m.irVersion = num(r.int64());
      else if (no === 2) m.producerName = r.string();
      else if (no === 3) m.producerVersion = r.string();
      else if (no === 4) m.domain = r.string();
      else if (no === 5) m.modelVersion = num(r.int64());
      else if (no === 6) m.docString = r.string();
      else if (no === 7) m.graph = sub(r, readGraph);
      else if (no === 8) m.opsetImport.push(sub(r, readOpset));
      else return false;
      return true;
    });
    return m;
  });
}

/** Decode one serialized TensorProto (an ONNX test-data `input_0.pb`, say). */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return guarded('the ONNX tensor', bytes, readTensor);
}
