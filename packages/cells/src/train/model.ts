/**
 * The sequence model that training, BPTT strategies, evaluation and gradient-flow diagnostics
 * share: a cell unrolled by the same time loop as `unroll` (`layerLoop`: stacked layers, both
 * directions, regularisers, variable lengths) over a window of steps [start, start + length) of a
 * sequence, the readout (`head_weight` [O, outputs], `head_bias` [O]: the seq2one head of `unroll`
 * for a loss at the last step, applied at every step otherwise) and a masked loss. Options add what
 * each user needs: Graves clipping of the states entering each step, a zero "tap" input added to
 * the state after every step (so ∂L/∂h(t) is the gradient w.r.t. the tap), and the inputs that
 * chain windows for checkpointed BPTT (incoming state cotangents and accumulated parameter gradients).
 */
import { CellgradError, DEFAULT_DTYPE, GraphBuilder, concat, stack, type DType, type Graph, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { describeUnroll, type UnrollLayout } from '../layout.js';
import type { HoistMode, ScanMode } from '../options.js';
import { timeForm, timeParallelLayers } from '../recurrence/scan-unroll.js';
import type { RegularizeMode, RegularizeOptions } from '../regularize/options.js';
import type { TrainerHooks } from '../unroll/direction.js';
import { readout } from '../unroll/head.js';
import { layerLoop } from '../unroll/layers.js';
import { gravesClip } from './graves.js';
import { lossTerm, type LossSpec } from './losses.js';
import { loopWindow, windowLoopBodies } from './loop-window.js';
import type { LoopMode } from '../options.js';

/** What is trained: a cell, its sizes and network options, a readout and a loss. */
export interface ModelSpec {
  readonly cell: Cell;
  /** Input width I. */
  readonly input: number;
  /** Hidden width H. */
  readonly hidden: number;
  readonly batch: number;
  /** Sequence length T. */
  readonly steps: number;
  /**
   * The loss and where it is taken: at the last step (`at: 'last'`, the seq2one pattern: the
   * readout reads each direction's last output, as `unroll`'s seq2one head) or at every step (seq2seq).
   */
  readonly loss: LossSpec;
  /** Element type of the graphs (default float32). */
  readonly dtype?: DType;
  /** Graves clipping: bound of every state's cotangent between steps (forward unchanged). */
  readonly gravesClip?: number;
  /** Stacked layers (default 1); parameters are named as `unroll` names them (`weight_ih_l1`, ...). */
  readonly layers?: number;
  /** Both directions in every layer (default false); full BPTT only (a window cannot see the future). */
  readonly bidirectional?: boolean;
  /** Variable-length batches: the batch carries `lengths` [B] (packed semantics, as `unroll`'s `lengths`). */
  readonly lengths?: boolean;
  /** Dropout-family regularisers, as `unroll`'s `regularize` option. */
  readonly regularize?: RegularizeOptions;
  /** `'train'` (default): random masks from a `key` input; `'eval'`: deterministic (see `unroll`'s `mode`). */
  readonly mode?: RegularizeMode;
  /**
   * A linear recurrence runs as `linear_scan`s over each window, from the window's incoming state
   * (`'auto'`, default, as `unroll`'s `scan`), or step by step (`'never'`).
   */
  readonly scan?: ScanMode;
  /** The time-parallel work of a cell that is not linear is computed once over each window's rows (`'auto'`, default) or per step (`'never'`). */
  readonly hoist?: HoistMode;
  /**
   * Windows as `loop` nodes (see `unroll`'s `loop`): `'auto'` (default) for windows of
   * `LOOP_MIN_STEPS` steps or more without Graves clipping, taps or regularisers; `'always'`; `'never'`.
   */
  readonly loop?: LoopMode;
}

/** Which window to build, and with which extras. */
export interface WindowOptions {
  /** First step (default 0). */
  readonly start?: number;
  /** Number of steps (default: to the end of the sequence). */
  readonly length?: number;
  /** Add `tap<t>` inputs [B, H] added to the tapped state (top layer, forward direction) after each step t, and its final value as `tapped_T`. */
  readonly taps?: boolean;
  /** Output the readout's predictions as `pred`. */
  readonly predictions?: boolean;
  /** Add `cot:<state>` and `acc:<param>` inputs and an `objective` output (see `chainedObjective`). */
  readonly chained?: boolean;
}

/** The graph of one window and how its inputs map to the model. */
export interface WindowGraph {
  readonly graph: Graph;
  readonly start: number;
  readonly length: number;
  /** Names of the trainable parameters (cell parameters of every layer and direction, then the head's). */
  readonly params: readonly string[];
  /** The cell's states, in declaration order (inputs `<state>0` [layers·dirs, B, ...]). */
  readonly states: readonly string[];
  /** Whether the window has loss terms (and so `y`, `mask` inputs). */
  readonly hasLoss: boolean;
  /** Whether the graph has a `key` input (regularisers in train mode). */
  readonly hasKey: boolean;
  /** Whether the graph has a `lengths` input. */
  readonly hasLengths: boolean;
  /** For chained windows: parameters whose accumulator is fed transposed (see `chainedObjective`). */
  readonly transposedAcc: readonly string[];
}

/** The state the taps perturb: `h` when the cell has it, else its first state. */
export function tappedState(cell: Cell, hidden: number, input: number): string {
  const names = Object.keys(cell.stateShapes({ input, hidden }));
  return names.includes('h') ? 'h' : names[0]!;
}

/** The `unroll` layout of `steps` steps of the model (names, shapes, resolved options). */
export function modelLayout(spec: ModelSpec, steps = spec.steps): UnrollLayout {
  return describeUnroll(
    spec.cell,
    {
      input: spec.input,
      hidden: spec.hidden,
      batch: spec.batch,
      steps,
      dtype: spec.dtype ?? DEFAULT_DTYPE,
      layers: spec.layers ?? 1,
      bidirectional: spec.bidirectional ?? false,
      lengths: spec.lengths ?? false,
      ...(spec.regularize !== undefined ? { regularize: spec.regularize } : {}),
      ...(spec.mode !== undefined ? { mode: spec.mode } : {}),
      ...(spec.scan !== undefined ? { scan: spec.scan } : {}),
      ...(spec.hoist !== undefined ? { hoist: spec.hoist } : {}),
    },
    'model',
  );
}

/** Parameter shapes of the model: the cell's in every layer and direction (`[out, in]` layout), then the readout's. */
export function modelParamShapes(spec: ModelSpec): Record<string, Shape> {
  const layout = modelLayout(spec);
  const shapes: Record<string, Shape> = {};
  for (const i of layout.inputs) if (i.role === 'param') shapes[i.name] = i.shape;
  if ('head_weight' in shapes || 'head_bias' in shapes)
    throw new CellgradError('cell', `cell '${spec.cell.name}': parameter names head_weight/head_bias are reserved for the readout`);
  shapes.head_weight = [spec.loss.outputs, layout.outputSize];
  shapes.head_bias = [spec.loss.outputs];
  return shapes;
}

/**
 * Build the graph of a window of the model. Inputs: `x` [n, B, I], `lengths` [B] (variable-length
 * models), `<state>0` [layers·dirs, B, ...], the parameters, `key` (regularisers in train mode),
 * `loss_scale` [] (1 / number of masked terms of the whole sequence), and when the window has loss
 * terms `y` and `mask` (see `LossSpec`). Outputs: `loss`, `<state>_T` (the states after the
 * window), and on request `pred`, `tapped_T` and `objective`.
 */
export function buildWindow(spec: ModelSpec, options: WindowOptions = {}): WindowGraph {
  const T = spec.steps;
  const start = options.start ?? 0;
  const n = options.length ?? T - start;
  if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n <= 0 || start + n > T) {
    throw new CellgradError('usage', `window [${start}, ${start + n}) is not inside the sequence of ${T} steps`);
  }
  if (spec.bidirectional && n !== T) {
    throw new CellgradError(
      'usage',
      `model option 'bidirectional': a window [${start}, ${start + n}) of a ${T}-step sequence cannot run the reverse direction, which reads the whole sequence; use full BPTT`,
    );
  }
  const { cell, batch: B } = spec;
  const layout = modelLayout(spec, n);
  const dtype = layout.options.dtype;
  const shapes = modelParamShapes(spec);
  const b = new GraphBuilder(dtype);
  const declared = new Map<string, Tensor>();
  for (const i of layout.inputs) declared.set(i.name, b.input(i.name, i.role === 'x' ? [n, B, spec.input] : i.shape, dtype));
  const x = declared.get('x')!;
  const params: Record<string, Tensor> = Object.fromEntries(Object.keys(shapes).map((p) => [p, declared.get(p) ?? b.input(p, shapes[p]!, dtype)]));
  const scale = b.input('loss_scale', []);
  const last = spec.loss.at === 'last';
  const hasLoss = !last || start + n === T;
  const y = hasLoss ? b.input('y', last ? [B, spec.loss.outputs] : [n, B, spec.loss.outputs]) : undefined;
  const mask = hasLoss ? b.input('mask', last ? [B] : [n, B]) : undefined;
  const states = Object.keys(layout.stateShapes);
  const tapped = tappedState(cell, spec.hidden, spec.input);
  const clip = spec.gravesClip;
  const topLayer = layout.options.layers - 1;
  const trainer = (k: number, d: number): TrainerHooks => ({
    ...(clip !== undefined ? { enter: (st: Readonly<Record<string, Tensor>>) => Object.fromEntries(states.map((s) => [s, gravesClip(st[s]!, clip)])) } : {}),
    ...(options.taps && k === topLayer && d === 0
      ? {
          settle: (r, t) => {
            const tap = b.input(`tap${t}`, [B, ...layout.stateShapes[tapped]!]);
            const next = { ...r.states, [tapped]: r.states[tapped]!.add(tap) };
            return { states: next, output: r.output === r.states[tapped] ? next[tapped]! : r.output };
          },
        }
      : {}),
  });
  const terms: Tensor[] = [];
  const preds: Tensor[] = [];
  const addTerm = (pred: Tensor, t: number, k: number) => {
    if (options.predictions) preds.push(pred);
    if (!hasLoss) return;
    const yt = last ? y! : y!.index(0, k);
    const mt = last ? mask! : mask!.index(0, k);
    terms.push(b.scoped({ cell: 'loss', step: t }, () => lossTerm(spec.loss.kind, pred, yt, mt)));
  };
  const readAt = (out: Tensor, k: number) =>
    addTerm(
      b.scoped({ cell: 'head', step: start + k }, () => readout(out, params.head_weight!, params.head_bias!)),
      start + k,
      k,
    );
  const oneWay = layout.directions === 1;
  const steppedHooks = clip !== undefined || options.taps === true;
  // Scans over the window (a linear cell) or the time-parallel work hoisted out of its step loop.
  const form = oneWay ? timeForm(cell, layout, steppedHooks) : undefined;
  if (layout.options.scan === 'always' && form?.kind !== 'scan')
    throw new CellgradError(
      'usage',
      `model of cell '${cell.name}': scan 'always', but the window cannot run as scans: ${form?.refusal ?? 'a bidirectional model runs step by step'}`,
    );
  // Long windows of a cell that is not linear as loops: the graph does not grow with the window's length.
  const bodies =
    form?.kind === 'scan'
      ? undefined
      : windowLoopBodies({
          cell,
          layout,
          mode: spec.loop,
          hooks: clip !== undefined ? 'Graves clipping' : options.taps ? 'gradient taps' : undefined,
        });
  let loss: Tensor;
  let finalsOf: Readonly<Record<string, readonly Tensor[]>>;
  let pred: Tensor | undefined;
  let tappedFinal: Tensor | undefined;
  if (bodies) {
    const w = loopWindow({
      cell,
      builder: b,
      layout,
      declared,
      bodies,
      x,
      start,
      loss: spec.loss,
      headWeight: params.head_weight!,
      headBias: params.head_bias!,
      ...(y && mask ? { y, mask } : {}),
      ends: start + n === T,
    });
    loss = w.loss ? w.loss.mul(scale) : scale.mul(0);
    finalsOf = w.finals;
    pred = w.pred;
  } else {
    let summary: () => Tensor;
    let loopFinals: Readonly<Record<string, readonly Tensor[]>>;
    if (form && form.kind !== 'loop') {
      const r = timeParallelLayers(cell, { builder: b, layout, declared, input: x, form, start, trainer: (k) => trainer(k, 0) });
      const outAt = (k: number) => b.scoped({ cell: cell.name, step: start + k }, () => r.output.index(0, k));
      if (!last) for (let k = 0; k < n; k++) readAt(outAt(k), k);
      summary = () => outAt(n - 1);
      loopFinals = r.finals;
    } else {
      const inputs = Array.from({ length: n }, (_, k) => b.scoped({ cell: cell.name, step: start + k }, () => x.index(0, k)));
      // One direction: every layer step by step with the readout right after each step (see layerLoop's `order`).
      const loop = layerLoop(cell, {
        builder: b,
        layout,
        declared,
        inputs,
        start,
        trainer,
        ...(oneWay ? { order: 'time' as const, ...(last ? {} : { onOutput: readAt }) } : {}),
        ...(form?.traced ? { firstStep: form.traced } : {}),
      });
      if (!last && !oneWay) loop.outputs.forEach(readAt);
      summary = loop.summary;
      loopFinals = loop.finals;
    }
    if (last && start + n === T) {
      const lastOut = summary();
      addTerm(
        b.scoped({ cell: 'head', step: T - 1 }, () => readout(lastOut, params.head_weight!, params.head_bias!)),
        T - 1,
        n - 1,
      );
    }
    loss = terms.length > 0 ? terms.reduce((a, c) => a.add(c)).mul(scale) : scale.mul(0);
    finalsOf = loopFinals;
    pred =
      preds.length === 0
        ? undefined
        : last
          ? preds[0]!
          : concat(
              preds.map((p) => p.reshape([1, ...p.shape])),
              0,
            );
    if (options.taps) tappedFinal = loopFinals[tapped]![topLayer * layout.directions]!;
  }
  const outputs: [string, Tensor][] = [['loss', loss]];
  const finals = states.map((s) => [s, stack([...finalsOf[s]!], 0)] as const);
  for (const [s, f] of finals) outputs.push([`${s}_T`, f]);
  if (options.predictions && pred) outputs.push(['pred', pred]);
  if (tappedFinal) outputs.push(['tapped_T', tappedFinal]);
  let transposedAcc: string[] = [];
  if (options.chained) {
    const chained = chainedObjective(b, loss, finals, params);
    outputs.push(['objective', chained.objective]);
    transposedAcc = chained.transposed;
  }
  return {
    graph: b.build(outputs),
    start,
    length: n,
    params: Object.keys(shapes),
    states,
    hasLoss,
    hasKey: declared.has('key'),
    hasLengths: declared.has('lengths'),
    transposedAcc,
  };
}

/**
 * The objective of a chained window: loss + Σ_s ⟨cot:s, s_T⟩ + Σ_P ⟨acc:P, P̂⟩. Its gradient w.r.t.
 * the window's initial states is the state cotangent to pass to the previous window, and w.r.t. a
 * parameter P it is the accumulator plus this window's contribution. P̂ is P, or Pᵀ when P's only
 * use is a transpose (as in `linear`): adding the accumulator where the per-step contributions are
 * summed makes the sum associate exactly as in one unrolled graph, so checkpointed gradients equal
 * stored ones bit for bit. Those parameters' accumulators are fed transposed.
 */
function chainedObjective(
  b: GraphBuilder,
  loss: Tensor,
  finals: readonly (readonly [string, Tensor])[],
  params: Record<string, Tensor>,
): { objective: Tensor; transposed: string[] } {
  const consumers = new Map<number, number[]>();
  for (let id = 0; id < b.size; id++) {
    for (const i of b.node(id).inputs) consumers.set(i, [...(consumers.get(i) ?? []), id]);
  }
  let objective = loss;
  for (const [s, t] of finals) objective = objective.add(b.input(`cot:${s}`, t.shape).mul(t).sum());
  const transposed: string[] = [];
  for (const [p, t] of Object.entries(params)) {
    const users = consumers.get(t.id) ?? [];
    const only = users.length === 1 ? b.node(users[0]!) : undefined;
    const viaT = only !== undefined && only.op === 'transpose' && t.rank === 2;
    const target = viaT ? b.tensor(only.id) : t;
    if (viaT) transposed.push(p);
    objective = objective.add(b.input(`acc:${p}`, target.shape).mul(target).sum());
  }
  return { objective, transposed };
}
