/**
 * The sequence model that training, BPTT strategies and gradient-flow diagnostics share: one layer
 * of a cell unrolled over a window of steps [start, start + length) of a sequence, a linear readout
 * (`head_weight` [O, H], `head_bias` [O]) and a masked loss. Options add what each user needs:
 * Graves clipping of the state gradient between steps, a zero "tap" input added to the state after
 * every step (so ∂L/∂h(t) is the gradient w.r.t. the tap), and the inputs that chain windows for
 * checkpointed BPTT (incoming state cotangents and accumulated parameter gradients).
 */
import { CellgradError, DEFAULT_DTYPE, GraphBuilder, concat, linear, type DType, type Graph, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { runStep } from '../step.js';
import { gravesClip } from './graves.js';
import { lossTerm, type LossSpec } from './losses.js';

/** What is trained: a cell, its sizes, a readout and a loss. */
export interface ModelSpec {
  readonly cell: Cell;
  /** Input width I. */
  readonly input: number;
  /** Hidden width H. */
  readonly hidden: number;
  readonly batch: number;
  /** Sequence length T. */
  readonly steps: number;
  readonly loss: LossSpec;
  /** Element type of the graphs (default float32). */
  readonly dtype?: DType;
  /** Graves clipping: bound of every state's cotangent between steps (forward unchanged). */
  readonly gravesClip?: number;
}

/** Which window to build, and with which extras. */
export interface WindowOptions {
  /** First step (default 0). */
  readonly start?: number;
  /** Number of steps (default: to the end of the sequence). */
  readonly length?: number;
  /** Add `tap<t>` inputs [B, H] added to the tapped state after each step t. */
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
  /** Names of the trainable parameters (cell parameters, then the head's). */
  readonly params: readonly string[];
  /** The cell's states, in declaration order. */
  readonly states: readonly string[];
  /** Whether the window has loss terms (and so `y`, `mask` inputs). */
  readonly hasLoss: boolean;
  /** For chained windows: parameters whose accumulator is fed transposed (see `chainedObjective`). */
  readonly transposedAcc: readonly string[];
}

/** The state the taps perturb: `h` when the cell has it, else its first state. */
export function tappedState(cell: Cell, hidden: number, input: number): string {
  const names = Object.keys(cell.stateShapes({ input, hidden }));
  return names.includes('h') ? 'h' : names[0]!;
}

/** Parameter shapes of the model: the cell's (`[out, in]` layout) and the readout's. */
export function modelParamShapes(spec: ModelSpec): Record<string, Shape> {
  const sizes = { input: spec.input, hidden: spec.hidden };
  const out = spec.cell.outputSize(sizes);
  const shapes: Record<string, Shape> = { ...spec.cell.paramShapes(sizes) };
  if ('head_weight' in shapes || 'head_bias' in shapes) throw new CellgradError('cell', `cell '${spec.cell.name}': parameter names head_weight/head_bias are reserved for the readout`);
  shapes.head_weight = [spec.loss.outputs, out];
  shapes.head_bias = [spec.loss.outputs];
  return shapes;
}

/**
 * Build the graph of a window of the model. Inputs: `x` [n, B, I], `<state>0` [B, ...], the
 * parameters, `loss_scale` [] (1 / number of masked terms of the whole sequence), and when the
 * window has loss terms `y` and `mask` (see `LossSpec`). Outputs: `loss`, `<state>_T` (the states
 * after the window), and on request `pred` and `objective`.
 */
export function buildWindow(spec: ModelSpec, options: WindowOptions = {}): WindowGraph {
  const T = spec.steps;
  const start = options.start ?? 0;
  const n = options.length ?? T - start;
  if (!Number.isInteger(start) || !Number.isInteger(n) || start < 0 || n <= 0 || start + n > T) {
    throw new CellgradError('usage', `window [${start}, ${start + n}) is not inside the sequence of ${T} steps`);
  }
  const dtype = spec.dtype ?? DEFAULT_DTYPE;
  const { cell, batch: B } = spec;
  const sizes = { input: spec.input, hidden: spec.hidden };
  const stateShapes = cell.stateShapes(sizes);
  const states = Object.keys(stateShapes);
  const outSize = cell.outputSize(sizes);
  const shapes = modelParamShapes(spec);
  const b = new GraphBuilder(dtype);
  const x = b.input('x', [n, B, spec.input]);
  let cur: Record<string, Tensor> = Object.fromEntries(states.map((s) => [s, b.input(`${s}0`, [B, ...stateShapes[s]!])]));
  const params = Object.fromEntries(Object.entries(shapes).map(([p, shape]) => [p, b.input(p, shape)]));
  const scale = b.input('loss_scale', []);
  const last = spec.loss.at === 'last';
  const hasLoss = !last || start + n === T;
  const y = hasLoss ? b.input('y', last ? [B, spec.loss.outputs] : [n, B, spec.loss.outputs]) : undefined;
  const mask = hasLoss ? b.input('mask', last ? [B] : [n, B]) : undefined;
  const tapped = tappedState(cell, spec.hidden, spec.input);
  const cellParams = Object.fromEntries(Object.keys(cell.paramShapes(sizes)).map((p) => [p, params[p]!]));
  const clip = spec.gravesClip;
  const ctx = { builder: b, layer: 0, layers: 1, batch: B, stateShapes, outputSize: outSize };

  const terms: Tensor[] = [];
  const preds: Tensor[] = [];
  for (let k = 0; k < n; k++) {
    const t = start + k;
    const xt = b.scoped({ cell: cell.name, step: t }, () => x.index(0, k));
    const inputs = clip !== undefined ? Object.fromEntries(states.map((s) => [s, gravesClip(cur[s]!, clip)])) : cur;
    const result = runStep(cell, { ...ctx, step: t }, { x: xt, ...inputs }, cellParams);
    let output = result.output;
    cur = result.states;
    if (options.taps) {
      const tap = b.input(`tap${t}`, [B, ...stateShapes[tapped]!]);
      const isOutput = output === cur[tapped];
      cur = { ...cur, [tapped]: cur[tapped]!.add(tap) };
      if (isOutput) output = cur[tapped]!;
    }
    if (last && t !== T - 1) continue;
    const pred = b.scoped({ cell: 'head', step: t }, () => linear(output, params.head_weight!, params.head_bias!));
    if (options.predictions) preds.push(pred);
    if (hasLoss) {
      const yt = last ? y! : y!.index(0, k);
      const mt = last ? mask! : mask!.index(0, k);
      terms.push(b.scoped({ cell: 'loss', step: t }, () => lossTerm(spec.loss.kind, pred, yt, mt)));
    }
  }
  const loss = terms.length > 0 ? terms.reduce((a, c) => a.add(c)).mul(scale) : scale.mul(0);
  const outputs: [string, Tensor][] = [['loss', loss]];
  for (const s of states) outputs.push([`${s}_T`, cur[s]!]);
  if (options.predictions && preds.length > 0) {
    outputs.push(['pred', last ? preds[0]! : concat(preds.map((p) => p.reshape([1, ...p.shape])), 0)]);
  }
  let transposedAcc: string[] = [];
  if (options.chained) {
    const chained = chainedObjective(b, loss, states.map((s) => [s, cur[s]!]), params);
    outputs.push(['objective', chained.objective]);
    transposedAcc = chained.transposed;
  }
  return { graph: b.build(outputs), start, length: n, params: Object.keys(shapes), states, hasLoss, transposedAcc };
}

/**
 * The objective of a chained window: loss + Σ_s ⟨cot:s, s_T⟩ + Σ_P ⟨acc:P, P̂⟩. Its gradient w.r.t.
 * the window's initial states is the state cotangent to pass to the previous window, and w.r.t. a
 * parameter P it is the accumulator plus this window's contribution. P̂ is P, or Pᵀ when P's only
 * use is a transpose (as in `linear`): adding the accumulator where the per-step contributions are
 * summed makes the sum associate exactly as in one unrolled graph, so checkpointed gradients equal
 * stored ones bit for bit. Those parameters' accumulators are fed transposed.
 */
function chainedObjective(b: GraphBuilder, loss: Tensor, finals: readonly (readonly [string, Tensor])[], params: Record<string, Tensor>): { objective: Tensor; transposed: string[] } {
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
