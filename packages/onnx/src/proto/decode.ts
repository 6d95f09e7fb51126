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

/** Reads one message's fields from `r` until `end`, calling `field` for each (which must consume it or return false). */
function fields(r: BinaryReader, end: number, field: (no: number, wt: WireType) => boolean): void {
  while (r.pos < end) {
    const [no, wt] = r.tag();
    if (!field(no, wt)) r.skip(wt, no);
  }
}

function sub<T>(r: BinaryReader, read: (r: BinaryReader, end: number) => T): T {
  const len = r.uint32();
  return read(r, r.pos + len);
}

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
  fields(r, end, (no, wt) => {
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
  fields(r, end, (no) => {
    if (no === 1) d.dimValue = num(r.int64());
    else if (no === 2) d.dimParam = r.string();
    else return false;
    return true;
  });
  return d;
}

function readType(r: BinaryReader, end: number): TypeProto {
  const t: TypeProto = {};
  fields(r, end, (no) => {
    if (no !== 1) return false;
    t.tensorType = sub(r, (r, end) => {
      const tt: NonNullable<TypeProto['tensorType']> = {};
      fields(r, end, (no) => {
        if (no === 1) tt.elemType = r.int32();
        else if (no === 2) {
          const dim: DimensionProto[] = [];
          sub(r, (r, end) =>
            fields(r, end, (no) => {
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
  fields(r, end, (no) => {
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
  fields(r, end, (no, wt) => {
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
  fields(r, end, (no) => {
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
  fields(r, end, (no) => {
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
  fields(r, end, (no) => {
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
    fields(r, end, (no) => {
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
