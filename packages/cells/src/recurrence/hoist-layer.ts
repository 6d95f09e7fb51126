/**
 * One layer of a cell that is not a linear recurrence, step by step but with its time-parallel work
 * hoisted out of the loop:
 * 1. the step is traced once per time step with B rows (the calls the plain step loop makes, so an
 *    error inside the step names its step; `traceSteps`), then once with T·B rows (`stepGraph`), and every
 *    time-parallel node of that trace (x·W, its bias, a layer norm of it, a gate reading only x,
 *    its activation) is replayed once over all T·B rows;
 * 2. for each step t its remaining nodes (the core, the readout) are replayed with every
 *    time-parallel value they read taken as rows [t·B, (t+1)·B) of the hoisted tensor. A step
 *    whose trace differs from the first step's is replayed whole on its own input rows.
 * When the step cannot be hoisted (no time-parallel work, a time-parallel node mixing rows, a
 * step building another graph at T·B rows) every step is replayed whole: the plain step loop.
 * Each element is computed by the same ops in the same order as in the plain step loop, so the
 * values and (the graph being differentiated as a whole) the gradients are the same.
 */
import { rowMixing, stack, type DType, type Graph, type Tensor } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import type { StepResult } from '../step.js';
import type { TrainerHooks } from '../unroll/direction.js';
import { replay } from './replay.js';
import { analyzedStep, type ScanLayerArgs } from './scan-layer.js';
import { nextName, stepGraph } from './step-graph.js';

/** What `hoistedLayer` needs: `ScanLayerArgs` and where the layer's steps sit. */
export interface HoistedLayerArgs extends ScanLayerArgs {
  /** Number of stacked layers (for error messages; default 1). */
  readonly layers?: number;
  /** Time index of the first step (default 0): a training window numbers its steps from here. */
  readonly start?: number;
  /** The trainer's hooks around each step (Graves clipping of the entering states, gradient taps). */
  readonly trainer?: TrainerHooks;
  /** The first step already traced at B rows (by the recurrence analysis), so the step runs once per time step. */
  readonly firstStep?: Graph;
  /** Every step already traced at B rows (`traceSteps`); traced here otherwise. */
  readonly traces?: readonly Graph[];
}

/**
 * The step of layer `layer` traced at every time step [start, start + steps) with `batch` rows, as
 * the plain loop calls it (an error names the step); `first` is the first step already traced.
 */
export function traceSteps(
  cell: Cell,
  sizes: CellSizes,
  at: { readonly steps: number; readonly batch: number; readonly dtype: DType; readonly layer: number; readonly layers: number; readonly start?: number },
  first?: Graph,
): Graph[] {
  const t0 = at.start ?? 0;
  return Array.from(
    { length: at.steps },
    (_, i) => (i === 0 && first) || stepGraph(cell, sizes, { batch: at.batch, dtype: at.dtype, step: t0 + i, layer: at.layer, layers: at.layers }),
  );
}

/** The trace of the step a hoisted layer replays over T·B rows and the roles of its nodes. */
export interface HoistPlan {
  readonly all: Graph;
  /** Ids of the time-parallel nodes other than the inputs (what is computed once for all rows). */
  readonly hoisted: readonly number[];
  readonly timeParallel: ReadonlySet<number>;
  /** Ids of the nodes that read neither x nor a state (parameters and what they alone compute). */
  readonly invariant: ReadonlySet<number>;
}

/** Same ops on the same inputs (ids) with the same outputs: what holds between the step at B and at T·B rows. */
const sameStructure = (a: Graph, b: Graph): boolean =>
  a.nodes.length === b.nodes.length &&
  a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n.op === m.op && n.inputs.length === m.inputs.length && n.inputs.every((x, j) => x === m.inputs[j]);
  }) &&
  a.outputs.length === b.outputs.length &&
  a.outputs.every((p, i) => p.id === b.outputs[i]!.id && p.name === b.outputs[i]!.name);

/** The same graph: structure, types and attributes (two traces of one step at the same batch). */
const identical = (a: Graph, b: Graph): boolean =>
  a === b ||
  (sameStructure(a, b) &&
    a.nodes.every((n, i) => {
      const m = b.nodes[i]!;
      return n.dtype === m.dtype && n.shape.join() === m.shape.join() && JSON.stringify(n.attrs) === JSON.stringify(m.attrs);
    }));

/**
 * How a layer of `cell` with `steps`·`batch` rows hoists its time-parallel work, given its step
 * traced at `batch` rows (`one`), or a reason it does not: no time-parallel node beyond the input, a
 * time-parallel node that mixes rows, or a step whose structure depends on the batch.
 */
export function hoistPlan(cell: Cell, sizes: CellSizes, one: Graph, steps: number, batch: number, dtype: DType): HoistPlan | string {
  const { graph: all, analysis } = analyzedStep(cell, sizes, steps * batch, dtype);
  if (!sameStructure(all, one)) return 'the step builds a different graph for a different batch';
  const timeParallel = new Set(all.nodes.filter((n) => analysis.roles[n.id] === 'time-parallel').map((n) => n.id));
  const hoisted = [...timeParallel].filter((id) => all.nodes[id]!.op !== 'input');
  if (hoisted.length === 0) return 'the step has no time-parallel work';
  const mixing = rowMixing(all, [...timeParallel], steps * batch);
  if (mixing) return `a time-parallel node mixes the rows of its batch (${mixing})`;
  const invariant = new Set(all.nodes.filter((n) => analysis.roles[n.id] === 'invariant').map((n) => n.id));
  return { all, hoisted, timeParallel, invariant };
}

const inputId = (g: Graph, name: string) => g.inputs.find((p) => p.name === name)!.id;
const outputOf = (g: Graph, env: Map<number, Tensor>, name: string) => env.get(g.outputs.find((p) => p.name === name)!.id)!;

/**
 * Build one layer of `cell` with its time-parallel work hoisted. Returns the per-step outputs
 * [T, B, outputs], each state's final value, and whether the work was hoisted (else the reason).
 * @example
 * const { output, finals } = hoistedLayer(getBuiltinCell('lstm_layernorm'), { builder, sizes, dtype, input: x, initial, params, layer: 0 });
 */
export function hoistedLayer(cell: Cell, a: HoistedLayerArgs): { output: Tensor; finals: Record<string, Tensor>; refusal?: string } {
  const b = a.builder;
  const [T, B] = a.input.shape as [number, number];
  const t0 = a.start ?? 0;
  const where = (i: number) => ({ cell: cell.name, step: t0 + i, layer: a.layer });
  // 1. The step at every time step, B rows: errors name the step, as in the plain loop.
  const steps = a.traces ?? traceSteps(cell, a.sizes, { steps: T, batch: B, dtype: a.dtype, layer: a.layer, layers: a.layers ?? 1, start: t0 }, a.firstStep);
  let plan: HoistPlan | string = 'one step: nothing to hoist';
  try {
    if (T > 1) plan = hoistPlan(cell, a.sizes, steps[0]!, T, B, a.dtype);
  } catch (e) {
    plan = `tracing the step with ${T * B} rows failed (${(e as Error).message})`;
  }
  const hoisting = typeof plan === 'string' ? undefined : plan;
  // 2. Every time-parallel node once over all T·B rows.
  const rows = b.scoped({ cell: cell.name, layer: a.layer }, () => a.input.reshape([T * B, ...a.input.shape.slice(2)]));
  const hoisted = new Map<number, Tensor>();
  if (hoisting) {
    b.scoped({ cell: cell.name, layer: a.layer }, () => {
      hoisted.set(inputId(hoisting.all, 'x'), rows);
      for (const [p, t] of Object.entries(a.params)) hoisted.set(inputId(hoisting.all, p), t);
      replay(hoisting.all, b, hoisted, (id) => hoisting.timeParallel.has(id) || hoisting.invariant.has(id));
    });
  }
  // The time-parallel values the rest of the step reads (or returns).
  const read = new Set<number>();
  if (hoisting) {
    const { timeParallel } = hoisting;
    for (const n of steps[0]!.nodes) if (!timeParallel.has(n.id)) for (const i of n.inputs) if (timeParallel.has(i)) read.add(i);
    for (const p of steps[0]!.outputs) if (timeParallel.has(p.id)) read.add(p.id);
  }
  // 3. The rest of each step on row slices of the hoisted values (or the whole step on its rows).
  const names = Object.keys(a.initial);
  let states: Record<string, Tensor> = { ...a.initial };
  const outputs: Tensor[] = [];
  for (let i = 0; i < T; i++) {
    const t = t0 + i;
    const g = steps[i]!;
    const entering = a.trainer?.enter ? a.trainer.enter(states, t) : states;
    const raw = b.scoped(where(i), (): StepResult => {
      const env = new Map<number, Tensor>();
      for (const [p, v] of Object.entries(a.params)) env.set(inputId(g, p), v);
      for (const s of names) env.set(inputId(g, s), entering[s]!);
      if (hoisting && identical(g, steps[0]!)) {
        for (const id of read) env.set(id, hoisted.get(id)!.slice(0, i * B, (i + 1) * B));
        replay(g, b, env, (id) => !hoisting.timeParallel.has(id));
      } else {
        env.set(inputId(g, 'x'), rows.slice(0, i * B, (i + 1) * B));
        replay(g, b, env, () => true);
      }
      return { states: Object.fromEntries(names.map((s) => [s, outputOf(g, env, nextName(s))])), output: outputOf(g, env, 'y') };
    });
    const result = a.trainer?.settle ? a.trainer.settle(raw, t) : raw;
    states = result.states;
    outputs.push(result.output);
  }
  const output = b.scoped({ cell: cell.name, layer: a.layer }, () => stack(outputs, 0));
  return { output, finals: states, ...(typeof plan === 'string' ? { refusal: plan } : {}) };
}
