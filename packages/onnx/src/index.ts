/**
 * @cellgrad/onnx — interchange with ONNX: `toOnnx` exports any cellgrad graph (forward, gradient,
 * training step) as an ONNX model; `compileOnnx` runs a graph on ONNX Runtime; `exportRecurrentOp`
 * writes PyTorch's LSTM/GRU as ONNX's own LSTM/GRU op with the gates reordered; `fromOnnx` imports
 * ONNX models as cellgrad graphs and `runBackendTest` runs ONNX's conformance folders through it.
 */
export { toOnnx, buildOnnxModel, isExportable, checkOpset, irVersionFor, DEFAULT_OPSET, OPSETS, type ToOnnxOptions } from './to-onnx.js';
export { ONNX_OPS, type Lowering } from './op-table.js';
export { Emitter } from './emitter.js';
export { compileOnnx, type CompileOnnxOptions, type OnnxExecutable } from './compile-onnx.js';
export { openSession, toOrtTensor, fromOrtTensor, toSequenceLens, type SessionOptions, type OrtSession, type OrtTensor } from './session.js';
export { exportRecurrentOp, type RecurrentKind, type RecurrentExportOptions, type WeightValue } from './recurrent.js';
export { resolveRecurrentSizes, type RecurrentSizes, type ResolvedRecurrentSizes } from './recurrent-sizes.js';
export { reorderGates, LSTM_TORCH_TO_ONNX, GRU_TORCH_TO_ONNX } from './gate-order.js';
export { encodeModel, encodeTensor } from './proto/encode.js';
export { decodeModel, decodeTensor } from './proto/decode.js';
export {
  DataType,
  AttributeType,
  type ModelProto,
  type GraphProto,
  type NodeProto,
  type AttributeProto,
  type TensorProto,
  type ValueInfoProto,
  type TypeProto,
  type DimensionProto,
  type OperatorSetIdProto,
} from './proto/messages.js';
export { fromOnnx, type FromOnnxOptions, type ImportedModel, type ImportedInput } from './import/from-onnx.js';
export { ONNX_IMPORTERS } from './import/op-table.js';
export type { OpImporter, Value as ImportValue, Produced } from './import/context.js';
export { NodeView, ImportContext } from './import/context.js';
export { tensorValue, elemName, type TensorValue } from './import/tensor-data.js';
export { runBackendTest, BACKEND_TEST_TOLERANCE, type BackendTestResult, type OutputCheck } from './import/backend-test.js';
import './backend.js';
