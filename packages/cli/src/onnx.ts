/**
 * cellgrad/onnx — ONNX interchange, the `@cellgrad/onnx` package under the umbrella's name: `toOnnx`,
 * `exportRecurrentOp` (no ONNX Runtime needed) and `compileOnnx` / `openSession`, which load the
 * optional peer `onnxruntime-node` on first use. Importing it also registers the `onnxruntime`
 * backend of `compile`.
 */
export * from '@cellgrad/onnx';
