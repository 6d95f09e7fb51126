/**
 * @cellgrad/graph — the IR, the op set, the tracer and the reference interpreter.
 * Importing this module registers every built-in op.
 */
export * from './ops/index.js';
export { LOWERING_KINDS, loweringsOf, opLowerings, registeredLowerings, registerLowerings, type LoweringKind, type OpLowerings } from './ops/lowerings.js';
export { CellgradError, fail, isCellgradError, type ErrorKind } from './ir/errors.js';
export { allocate, checkDType, dtypeOf, DEFAULT_DTYPE, DTYPES, type DType, type TypedArray } from './ir/dtype.js';
export { broadcastShapes, formatShape, normalizeAxis, sameShape, sizeOf, stridesOf, tryBroadcast, type Shape } from './ir/shape.js';
export type { AttrValue, Attrs, Graph, Node, NodeScope, Port, ValueType } from './ir/node.js';
export { print, printNode, typeText } from './ir/print.js';
export { formatScope, hasScope, scopePrefix } from './ir/scope.js';
export { verify } from './ops/verify.js';
export { loop, loopLayout, loopOp, type LoopLayout, type LoopPart, type LoopResult, type LoopSpec } from './ops/loop.js';
export { bodyText, evaluateBody, parseBody } from './ops/loop-body.js';
export { registerLoopDifferentiator, type LoopBodyShape, type LoopDifferentiator } from './ops/loop-hook.js';
export { deserialize, fromJSON, serialize, toJSON, GRAPH_FORMAT, GRAPH_VERSION, type GraphJSON } from './ops/serialize.js';
export { Tensor, HARD_SIGMOID_SLOPE, type HardSigmoidKind, type SplitParts } from './trace/tensor.js';
export { GraphBuilder, buildGraph, formatType, type TensorLike } from './trace/builder.js';
export * from './trace/functions.js';
export { ndarray, zeros, castArray, toNested, ndDType, type NDArray } from './ir/ndarray.js';
export { checkFeeds, toArray, type Feeds, type FeedValue, type Nested } from './exec/feeds.js';
export { interpret, interpretAll, type InterpretOptions, type Outputs } from './exec/interpret.js';
export {
  checkMaxBytes,
  checkMemoryBudget,
  DEFAULT_MAX_BYTES,
  formatBytes,
  interpretPeak,
  type ExtraBuffer,
  type MemoryEstimate,
} from './exec/memory-budget.js';
export { castGraph } from './ir/cast.js';
export { extendGraph, type ExtendContext } from './trace/extend.js';
export { createRng, randomUniform, randomNormal, type Rng } from './util/random.js';
export { eliminateDeadCode } from './passes/dce.js';
export { eliminateCommonSubexpressions } from './passes/cse.js';
export { foldConstants, type FoldOptions } from './passes/constant-fold.js';
export { rebuild, sameStructure, structureKey, type RebuildContext, type RebuildHook } from './passes/rebuild.js';
export { applyRules, defineRule, type ApplyRulesOptions, type Rule, type RuleContext, type RuleNode, type RulesResult } from './passes/rules.js';
export { simplify, simplifyWithStats, ALGEBRAIC_RULES, type SimplifyOptions } from './passes/simplify.js';
export { SIMPLIFY_RULES } from './passes/simplify-rules.js';
export { SLICE_RULES } from './passes/slice-rules.js';
export { stabilize, stabilizeWithStats, STABILIZE_RULES } from './passes/stabilize.js';
export { compile, type CompileOptions, type AutoCompileOptions, type Executable, type PlanStats, type ProfileEntry } from './compile/index.js';
export { registerBackend, type AsyncExecutable, type ExternalBackend, type ExternalBackends } from './compile/index.js';
export type { AutoExecutable, AutoOptions, BackendChoice, BackendName } from './compile/index.js';
export {
  chunkedScanPhases,
  chunkedScanSource,
  chunkPlan,
  chunkScratch,
  useChunkedScan,
  type ChunkedScanPhases,
  type ChunkPlan,
  type ChunkScratch,
  type ScanAlgorithm,
  type ScanSpan,
} from './compile/index.js';
export { fuseElementwise, type Fusion, type Instruction } from './compile/schedule/fuse-elementwise.js';
import type { Instruction } from './compile/schedule/fuse-elementwise.js';
/** @deprecated renamed `Instruction` ("step" now means only a time step of a cell). */
export type Step = Instruction;
export { planMemory, type MemoryPlan } from './compile/schedule/plan-memory.js';
export { batchGates, batchGatesOnce, gateGroups, type GateGroup } from './passes/batch-gates.js';
export { hoistInputProjections, projectionGroups } from './passes/hoist-time.js';
export { batchSumOfProducts, productSums, type ProductSum } from './passes/sum-products.js';
export { optimize, optimizeWithTrace, PIPELINE, type OptimizeOptions, type OptimizeTrace, type PassEntry, type TraceStep } from './passes/pipeline.js';
/** Debugging aids: the non-finite check of `interpret` and of compiled executables. */
export {
  checkFinite,
  firstNonFinite,
  formatNonFinite,
  formatRange,
  NonFiniteError,
  valueRange,
  type NonFiniteReport,
  type ValueRange,
} from './exec/finite.js';
export { checkedExecutable } from './compile/checked-executable.js';
export { mulHi32, philox4x32, uniformFromWord, PHILOX_ROUNDS } from './util/philox.js';
export { randomKey, keyInputNames, keyWords, KEY_SHAPE, KEYED_OPS } from './util/random-key.js';
export { drawUniform } from './trace/draw-uniform.js';
export {
  analyzeStep,
  rolledGraph,
  type RecurrenceRole,
  type StateLink,
  type StateRecurrence,
  type StepRecurrence,
} from './analysis/recurrence.js';
export { linearForm, type LinearForm, type LinearResult, type LinearTerm } from './analysis/linear.js';
export { rowMixing } from './analysis/rows.js';
export { recurrentCore } from './analysis/unrolled-core.js';
