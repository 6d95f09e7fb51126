/**
 * @cellgrad/cells — recurrent cells as symbolic graphs.
 *
 * - `defineCell` declares a cell (parameters, states, one symbolic step);
 * - `unroll` traces it over time, stacked layers and both directions into a plain `Graph`, with
 *   PyTorch's naming, as sequence to sequence, sequence to one (softmax head) or with teacher forcing;
 * - `builtinCells` holds the cell zoo (Elman, IRNN, residual, Jordan, the LSTM and GRU variants),
 *   each matching PyTorch/Keras numerics exactly; `lstmCell` / `gruCell` build other variants;
 * - `initParams`, `initializers`, `withInit`, `cellFeeds` and `randomFeeds` give seeded values;
 * - `toPyTorch` / `fromPyTorch` / `toKeras` / `fromKeras` move weights between layouts;
 * - `parseReference` / `checkReference` compare a cell with the PyTorch reference vectors.
 *
 * This entry imports nothing from Node (it bundles for a browser); reading and writing files
 * (checkpoints, weight files, reference files, the real-data tasks) is `@cellgrad/cells/node`.
 */
export type { Cell, CellDef, CellSizes, InitFn, StepFn, StepInputs, StepParams } from './cell.js';
export { defineCell, isCell } from './define-cell.js';
export type { MaskMode, ResolvedUnrollOptions, HoistMode, LoopMode, ScanForm, ScanMode, UnrollOptions, UnrollPattern } from './options.js';
export { LOOP_MIN_STEPS } from './unroll/loop-layer.js';
export { checkLengths, checkSequenceFeeds, type LengthsSizes } from './lengths.js';
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
export { parseReference } from './reference/parse.js';
export { checkReference, type CheckReferenceOptions } from './reference/check.js';
export type { ReferenceCase, ReferenceExpected, ReferenceFile, ReferenceReport, TensorComparison } from './reference/types.js';
export { irnn } from './builtins/irnn.js';
export { rnnResidual } from './builtins/rnn-residual.js';
export { jordan, jordanCell } from './builtins/jordan.js';
export { lstmCell, withProjection, type LstmOptions } from './builtins/lstm-cell.js';
export { lstmNoForget } from './builtins/lstm-no-forget.js';
export { lstmPeephole } from './builtins/lstm-peephole.js';
export { lstmHard } from './builtins/lstm-hard.js';
export { lstmLayerNorm } from './builtins/lstm-layernorm.js';
export { gruCell, type GruOptions } from './builtins/gru-cell.js';
export { gruCho } from './builtins/gru-cho.js';
export { stepGate, gateFn, candidateFn, type GateKind, type SteKind, type CandidateKind, type BiasKind } from './builtins/gates.js';
export * as initializers from './init/initializers.js';
export type { Initializer } from './init/initializers.js';
export { withInit, initScheme } from './init/with-init.js';
export {
  sgd,
  adam,
  rmsprop,
  makeOptimizer,
  type Optimizer,
  type OptimizerSpec,
  type OptimizerState,
  type ParamValues,
  type SgdOptions,
  type AdamOptions,
  type RmspropOptions,
} from './train/optimizers.js';
export { schedule, type Schedule, type ScheduleSpec } from './train/schedules.js';
export { clipGradNorm, clipPerTensor, clipByValue, applyClip, type ClipSpec } from './train/clip.js';
export { gravesClip, withGravesClip } from './train/graves.js';
export { lossTerm, lossScale, type LossSpec } from './train/losses.js';
export { buildWindow, modelLayout, modelParamShapes, tappedState, type ModelSpec, type WindowGraph, type WindowOptions } from './train/model.js';
export { checkBatch, checkParamValues, windowDataFeeds, type Batch } from './train/batch.js';
export { runner, graphRunner, TRAIN_BACKENDS, type ExecOptions, type Runner, type GraphRunner, type TrainBackend } from './train/executor.js';
export { storedActivations, type MemoryReport, type Stored } from './train/memory.js';
export { backprop, updatesInPass, BPTT_KINDS, type Backprop, type BpttSpec, type GradResult } from './train/bptt.js';
export { exactInfluence, snap1Influence, patternOf, type Influence, type SparsityPattern } from './train/rtrl/influence.js';
export { rtrlLayout, stepJacobian, type RtrlLayout, type StepJacobian, type StepValues, type StateSlot, type ParamSlot } from './train/rtrl/step-jacobian.js';
export { onlineUpdates, type OnlineSpec } from './train/rtrl/online.js';
export { uoroSigns } from './train/rtrl/uoro.js';
export { Trainer, type StepRecord, type TrainerSnapshot } from './train/trainer.js';
export { initModel, modelOf, fingerprint, updatesPerIteration, type TrainConfig } from './train/config.js';
export { evaluate, countCorrect, type Evaluation } from './train/evaluate.js';
export { validateSnapshot, checkSnapshotFits, type SnapshotExpectation } from './train/checkpoint-validate.js';
export { dataRng, type Task, type TaskData, type DataStream } from './tasks/task.js';
export { taskBatch, batchIndices, batchesPerEpoch, heldoutBatches, epochAt, epochPermutation, fixedPermutation, sampleTraining } from './tasks/dataset.js';
export { addingTask } from './tasks/adding.js';
export { copyMemoryTask, type CopyMemoryOptions } from './tasks/copy-memory.js';
export { majorityTask, type MajorityOptions } from './tasks/majority.js';
export { gradientFlow, flowPoints, type FlowOptions, type FlowReport } from './flow/gradient-flow.js';
export { formatFlow } from './flow/format.js';
export { registerWeightFamily, weightFamily, type WeightFamily } from './weights/family.js';
export type { WeightOptions } from './weights/walk.js';
export type { TensorDict } from './weights/tensors.js';
export { toPyTorch, fromPyTorch } from './weights/pytorch.js';
export { toKeras, fromKeras } from './weights/keras.js';
export { parseWeights } from './weights/parse.js';
export { outputFeedback, type OutputFeedbackOptions } from './patterns/output-feedback.js';
export { dropout, dropoutMask, zoneout } from './regularize/masks.js';
export { streamId, SITES, type DrawPlace, type Site } from './regularize/streams.js';
export { resolveRegularize, type RegularizeMode, type RegularizeOptions, type ResolvedRegularize } from './regularize/options.js';
export { iterationKey } from './train/iteration-key.js';
export { effectiveMask } from './train/batch.js';
export { layerLoop, type LayerLoopArgs, type LayerLoopResult } from './unroll/layers.js';
export { fixedPoints, statesByName, type FixedPoint, type FixedPointOptions, type FixedPointsReport } from './dynamics/fixed-points.js';
export { lyapunovSpectrum, type LyapunovOptions, type LyapunovReport } from './dynamics/lyapunov.js';
export { stateMap, mapFeeds, type DynamicsSizes, type StateMap, type StateSlot as DynamicsStateSlot } from './dynamics/state-map.js';
export { checkDynamicsParams, type DynamicsParams } from './dynamics/params.js';
export { eigenvalues, modulus, type Eigenvalue } from './dynamics/eigen.js';
export { stateJacobians } from './dynamics/jacobian.js';
export type { NewtonOptions } from './dynamics/newton-cg.js';
export { stepGraph, nextName, type StepGraphOptions } from './recurrence/step-graph.js';
export {
  analyzeRecurrence,
  formatRecurrence,
  sumText,
  type AnalyzedNode,
  type LinearStateText,
  type RecurrenceAnalysis,
} from './recurrence/analyze.js';
export { minGru } from './builtins/min-gru.js';
export { minLstm } from './builtins/min-lstm.js';
export { sru, sruV, sruCell, type SruOptions } from './builtins/sru.js';
export { qrnn } from './builtins/qrnn.js';
export { scanLayer, whyNotScan, type ScanLayerArgs, type ScanLayerResult } from './recurrence/scan-layer.js';
export { optionRefusal, scanRefusal, timeForm, timeParallelLayers, type TimeForm, type TimeParallelArgs } from './recurrence/scan-unroll.js';
export { hoistedLayer, hoistPlan, type HoistedLayerArgs, type HoistPlan } from './recurrence/hoist-layer.js';
