/**
 * @cellgrad/cells — recurrent cells as symbolic graphs.
 *
 * - `defineCell` declares a cell (parameters, states, one symbolic step);
 * - `unroll` traces it over time (and stacked layers) into a plain `Graph`, with PyTorch's naming;
 * - `builtinCells` holds rnn_tanh, rnn_relu, lstm and gru with PyTorch's exact numerics;
 * - `initParams`, `cellFeeds` and `randomFeeds` give seeded, reproducible values;
 * - `loadReference` / `checkReference` compare a cell with the PyTorch reference vectors.
 */
export type { Cell, CellDef, CellSizes, InitFn, StepFn, StepInputs, StepParams } from './cell.js';
export { defineCell, isCell } from './define-cell.js';
export type { ResolvedUnrollOptions, UnrollOptions, UnrollPattern } from './options.js';
export { cellInputs, describeUnroll, paramInputName, type InputSpec, type OutputSpec, type UnrollLayout } from './layout.js';
export { unroll } from './unroll/unroll.js';
export { withCrossEntropy } from './unroll/head.js';
export { builtinCells, getBuiltinCell } from './builtins/registry.js';
export { rnnTanh } from './builtins/rnn-tanh.js';
export { rnnRelu } from './builtins/rnn-relu.js';
export { lstm } from './builtins/lstm.js';
export { gru } from './builtins/gru.js';
export { initParams, type InitOptions } from './init/params.js';
export { cellFeeds, randomFeeds, type FeedOptions } from './feeds.js';
export { loadReference } from './reference/load.js';
export { checkReference, checkReferenceFile, type CheckReferenceOptions } from './reference/check.js';
export type { ReferenceCase, ReferenceExpected, ReferenceFile, ReferenceReport, TensorComparison } from './reference/types.js';
export { irnn } from './builtins/irnn.js';
export { rnnResidual } from './builtins/rnn-residual.js';
export { jordan, jordanCell } from './builtins/jordan.js';
export { lstmCell, type LstmOptions } from './builtins/lstm-cell.js';
export { lstmNoForget } from './builtins/lstm-no-forget.js';
export { lstmPeephole } from './builtins/lstm-peephole.js';
export { lstmHard } from './builtins/lstm-hard.js';
export { gruCell, type GruOptions } from './builtins/gru-cell.js';
export { gruCho } from './builtins/gru-cho.js';
export { stepGate, gateFn, candidateFn, type GateKind, type SteKind, type CandidateKind, type BiasKind } from './builtins/gates.js';
export * from './init/initializers.js';
export { withInit, initScheme } from './init/with-init.js';
