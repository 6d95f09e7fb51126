/**
 * The ONNX messages cellgrad reads and writes, as plain objects. Field names follow onnx.proto in
 * camelCase; 64-bit integers are numbers (an ONNX size, axis or attribute never needs more than
 * 2^53). Every field is optional when writing; decoding fills every repeated field (empty when absent).
 */

/** ONNX TensorProto.DataType values. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

/** ONNX AttributeProto.AttributeType values. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** An operator set a model imports: `domain` ('' is the default ONNX domain) at `version`. */
export interface OperatorSetIdProto {
  domain?: string;
  version?: number;
}

/** A tensor value: dims, element type and the data in one of its typed fields or as raw little-endian bytes. */
export interface TensorProto {
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: number[];
  name?: string;
  docString?: string;
  rawData?: Uint8Array;
  doubleData?: number[];
  uint64Data?: number[];
  /** 1 when the data lives in an external file (not supported by cellgrad's reader). */
  dataLocation?: number;
}

/** One dimension of a tensor shape: a size or a symbolic name. */
export interface DimensionProto {
  dimValue?: number;
  dimParam?: string;
}

/** The type of a value; cellgrad reads and writes tensor types only. */
export interface TypeProto {
  tensorType?: { elemType?: number; shape?: { dim?: DimensionProto[] } };
}

/** A named value with its type (graph inputs, outputs, value_info). */
export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  docString?: string;
}

/** A node attribute; `type` says which of the value fields holds it. */
export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  docString?: string;
}

/** One operator call: inputs and outputs by value name ('' for an omitted optional one). */
export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: AttributeProto[];
  docString?: string;
}

/** A graph: nodes in topological order, stored initializers, and typed inputs and outputs. */
export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  docString?: string;
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
}

/** A whole model: versions, producer, the opsets it imports and its graph. */
export interface ModelProto {
  irVersion?: number;
  opsetImport?: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: GraphProto;
}
