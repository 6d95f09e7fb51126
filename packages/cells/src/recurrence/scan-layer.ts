/**
 * One layer of a cell whose every state is a linear recurrence (h' = a ⊙ h + b, `analyzeStep`),
 * built without a time loop:
 * 1. the step is traced once with T·B rows (`stepGraph`): every time-parallel node (the input
 *    projections, layer norms of them, gates reading only x and their activations) is replayed
 *    once over all T·B rows, as are the coefficients a and b of each state;
 * 2. each state runs as one `linear_scan` over [T, B, ...] from its initial value;
 * 3. the readout (what reads a state but lies on no cycle, such as QRNN's o ⊙ c) is replayed once
 *    over all T·B rows with the previous states (h0, h_1 … h_{T−1}) and the scanned next ones.
 * The values equal the step-by-step loop's (the same ops in the same order per element) and so do
 * the gradients: the scan's VJP is a reverse scan.
 */
import {
  analyzeStep,
  CellgradError,
  concat,
  ops,
  rowMixing,
  type DType,
  type Graph,
  type LinearTerm,
  type StepRecurrence,
  type Tensor,
  type GraphBuilder,
} from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import type { ScanForm } from '../options.js';
import { logScanState } from './log-scan-state.js';
import { replay } from './replay.js';
import { nextName, stepGraph } from './step-graph.js';

/** What `scanLayer` needs. */
export interface ScanLayerArgs {
  readonly builder: GraphBuilder;
  readonly sizes: CellSizes;
  readonly dtype: DType;
  /** The layer's input over time, [T, B, input]. */
  readonly input: Tensor;
  /** Initial value of every state, [B, ...state]. */
  readonly initial: Readonly<Record<string, Tensor>>;
  /** The layer's parameters by the cell's names. */
  readonly params: Readonly<Record<string, Tensor>>;
  readonly layer: number;
  /** `'log'`: each state as `log_linear_scan` on log a, log b (`logScanState`); default `'direct'`. */
  readonly form?: ScanForm;
}

/** The layer's per-step outputs [T, B, outputs] and each state's final value [B, ...state]. */
export interface ScanLayerResult {
  readonly output: Tensor;
  readonly finals: Record<string, Tensor>;
}

/** The step of `cell` traced with `rows` rows, and its recurrence analysis. */
export function analyzedStep(cell: Cell, sizes: CellSizes, rows: number, dtype: DType) {
  const graph = stepGraph(cell, sizes, { batch: rows, dtype });
  const names = Object.keys(cell.stateShapes(sizes));
  const analysis: StepRecurrence = analyzeStep(
    graph,
    names.map((s) => ({ name: s, input: s, output: nextName(s) })),
    ['x'],
  );
  return { graph, analysis, names };
}

/**
 * Why a step cannot run as scans, or undefined when it can: a state that is not a linear
 * recurrence, or a node that mixes the rows (`rowMixing`: computing it once over all T·B rows would
 * not be computing it per step). `rows` is the batch the step was traced with.
 */
export function whyNotScan(graph: Graph, analysis: StepRecurrence, rows: number): string | undefined {
  const bad = analysis.states.find((s) => !s.linear);
  if (bad) return `state '${bad.name}' is not a linear recurrence (${bad.reason})`;
  const varying = graph.nodes.filter((n) => analysis.roles[n.id] !== 'invariant').map((n) => n.id);
  const mixing = rowMixing(graph, varying, rows);
  return mixing ? `the step mixes the rows of its batch (${mixing}), so it cannot run for all steps at once` : undefined;
}

/** Σ sign · Π factors, as a tensor of `shape` (zeros for an empty sum). */
function sumOfProducts(b: GraphBuilder, terms: readonly LinearTerm[], env: Map<number, Tensor>, shape: readonly number[], dtype: DType): Tensor {
  let total: Tensor | undefined;
  for (const t of terms) {
    let p: Tensor | undefined;
    for (const f of t.factors) p = p ? p.mul(env.get(f)!) : env.get(f)!;
    const term = p ?? b.fill(1, shape, dtype);
    total = total === undefined ? (t.sign === 1 ? term : term.neg()) : t.sign === 1 ? total.add(term) : total.sub(term);
  }
  if (total === undefined) return b.fill(0, shape, dtype);
  return total.shape.length === shape.length && total.shape.every((d, i) => d === shape[i]) ? total : ops.broadcastTo(total, { shape: [...shape] });
}

/**
 * Build one layer of `cell` as scans. Throws a `cell` error when a state is not linear.
 * @example
 * const { output, finals } = scanLayer(getBuiltinCell('mingru'), { builder, sizes, dtype, input: x, initial: { h: h0 }, params, layer: 0 });
 */
export function scanLayer(cell: Cell, a: ScanLayerArgs): ScanLayerResult {
  const b = a.builder;
  const [T, B] = a.input.shape as [number, number];
  const { graph: g, analysis } = analyzedStep(cell, a.sizes, T * B, a.dtype);
  const why = whyNotScan(g, analysis, T * B);
  if (why) throw new CellgradError('cell', `cell '${cell.name}' cannot run as a scan: ${why}`);
  return b.scoped({ cell: cell.name, layer: a.layer }, () => {
    const env = new Map<number, Tensor>();
    const inputId = (name: string) => g.inputs.find((p) => p.name === name)!.id;
    env.set(inputId('x'), a.input.reshape([T * B, ...a.input.shape.slice(2)]));
    for (const [p, t] of Object.entries(a.params)) env.set(inputId(p), t);
    // 1. Everything no state reaches, once over all T·B rows.
    replay(g, b, env, (id) => analysis.roles[id] === 'time-parallel' || analysis.roles[id] === 'invariant');
    // 2. One scan per state.
    const finals: Record<string, Tensor> = {};
    const scanned = new Map<string, Tensor>();
    for (const s of analysis.states) {
      const rowShape = g.nodes[s.outputId]!.shape;
      const form = s.linear!;
      const step = [T, B, ...rowShape.slice(1)];
      const hs =
        a.form === 'log'
          ? logScanState({ graph: g, env, form, state: s.name, cell: cell.name, rowShape, step, h0: a.initial[s.name]! })
          : ops.linearScan(
              sumOfProducts(b, form.a, env, rowShape, a.dtype).reshape(step),
              sumOfProducts(b, form.b, env, rowShape, a.dtype).reshape(step),
              a.initial[s.name]!,
            );
      scanned.set(s.name, hs);
      finals[s.name] = hs.index(0, T - 1);
    }
    // 3. The readout: states before each step (h0, h_1 … h_{T−1}) and after it, over T·B rows.
    for (const s of analysis.states) {
      const hs = scanned.get(s.name)!;
      const h0 = a.initial[s.name]!;
      const before = T === 1 ? h0.reshape([1, ...h0.shape]) : concat([h0.reshape([1, ...h0.shape]), hs.slice(0, 0, T - 1)], 0);
      const rows = [T * B, ...hs.shape.slice(2)];
      env.set(s.inputId, before.reshape(rows));
      env.set(s.outputId, hs.reshape(rows));
    }
    replay(g, b, env, () => true);
    const y = env.get(g.outputs.find((p) => p.name === 'y')!.id)!;
    return { output: y.reshape([T, B, ...y.shape.slice(1)]), finals };
  });
}
