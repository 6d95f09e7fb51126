/**
 * One layer of a cell that is not a linear recurrence, step by step but with its time-parallel work
 * hoisted out of the loop:
 * 1. the step is traced with T·B rows (`stepGraph`) and every time-parallel node (x·W, its bias,
 *    a layer norm of it, a gate reading only x, its activation) is replayed once over all T·B rows;
 * 2. the step is traced again with B rows, and for each step t its remaining nodes (the core, the
 *    readout) are replayed with every time-parallel value they read taken as rows [t·B, (t+1)·B)
 *    of the hoisted tensor.
 * Each element is computed by the same ops in the same order as in the plain step loop, so the
 * values and (the graph being differentiated as a whole) the gradients are the same.
 */
import { rowMixing, stack, type DType, type Graph, type GraphBuilder, type Tensor } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import { replay } from './replay.js';
import { analyzedStep } from './scan-layer.js';
import { nextName } from './step-graph.js';

/** What `hoistedLayer` needs (as `ScanLayerArgs`). */
export interface HoistedLayerArgs {
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
}

/** The two traces of the step a hoisted layer replays (T·B rows and B rows) and the hoisted node ids. */
export interface HoistPlan {
  readonly all: Graph;
  readonly one: Graph;
  /** Ids of the time-parallel nodes other than the inputs (what is computed once for all rows). */
  readonly hoisted: readonly number[];
  readonly timeParallel: ReadonlySet<number>;
  /** Ids of the nodes that read neither x nor a state (parameters and what they alone compute). */
  readonly invariant: ReadonlySet<number>;
}

const sameStructure = (a: Graph, b: Graph): boolean =>
  a.nodes.length === b.nodes.length &&
  a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n.op === m.op && n.inputs.length === m.inputs.length && n.inputs.every((x, j) => x === m.inputs[j]);
  }) &&
  a.outputs.every((p, i) => p.id === b.outputs[i]?.id);

/**
 * How a layer of `cell` with `steps`·`batch` rows hoists its time-parallel work, or a reason it
 * does not: no time-parallel node beyond the input, a time-parallel node that mixes rows, or a
 * step whose structure depends on the batch.
 */
export function hoistPlan(cell: Cell, sizes: CellSizes, steps: number, batch: number, dtype: DType): HoistPlan | string {
  const { graph: all, analysis } = analyzedStep(cell, sizes, steps * batch, dtype);
  const one = analyzedStep(cell, sizes, batch, dtype).graph;
  if (!sameStructure(all, one)) return 'the step builds a different graph for a different batch';
  const timeParallel = new Set(all.nodes.filter((n) => analysis.roles[n.id] === 'time-parallel').map((n) => n.id));
  const hoisted = [...timeParallel].filter((id) => all.nodes[id]!.op !== 'input');
  if (hoisted.length === 0) return 'the step has no time-parallel work';
  const mixing = rowMixing(all, [...timeParallel], steps * batch);
  if (mixing) return `a time-parallel node mixes the rows of its batch (${mixing})`;
  const invariant = new Set(all.nodes.filter((n) => analysis.roles[n.id] === 'invariant').map((n) => n.id));
  return { all, one, hoisted, timeParallel, invariant };
}

/**
 * Build one layer of `cell` with its time-parallel work hoisted (`plan` from `hoistPlan` for this
 * layer's sizes). Returns the per-step outputs [T, B, outputs] and each state's final value.
 * @example
 * const plan = hoistPlan(getBuiltinCell('lstm_layernorm'), sizes, T, B, 'float64');
 * if (typeof plan !== 'string') hoistedLayer(cell, plan, { builder, sizes, dtype, input: x, initial, params, layer: 0 });
 */
export function hoistedLayer(cell: Cell, plan: HoistPlan, a: HoistedLayerArgs): { output: Tensor; finals: Record<string, Tensor> } {
  const b = a.builder;
  const { all, one, timeParallel, invariant } = plan;
  const [T, B] = a.input.shape as [number, number];
  const inputId = (g: Graph, name: string) => g.inputs.find((p) => p.name === name)!.id;
  const names = Object.keys(a.initial);
  // 1. Every time-parallel node once over all T·B rows.
  const hoisted = b.scoped({ cell: cell.name, layer: a.layer }, () => {
    const env = new Map<number, Tensor>();
    env.set(inputId(all, 'x'), a.input.reshape([T * B, ...a.input.shape.slice(2)]));
    for (const [p, t] of Object.entries(a.params)) env.set(inputId(all, p), t);
    replay(all, b, env, (id) => timeParallel.has(id) || invariant.has(id));
    return env;
  });
  // The time-parallel values the rest of the step reads (or returns).
  const read = new Set<number>();
  for (const n of one.nodes) if (!timeParallel.has(n.id)) for (const i of n.inputs) if (timeParallel.has(i)) read.add(i);
  for (const p of one.outputs) if (timeParallel.has(p.id)) read.add(p.id);
  // 2. The rest of the step, once per step, on row slices of the hoisted values.
  let states: Record<string, Tensor> = { ...a.initial };
  const outputs: Tensor[] = [];
  for (let t = 0; t < T; t++) {
    b.scoped({ cell: cell.name, step: t, layer: a.layer }, () => {
      const env = new Map<number, Tensor>();
      for (const [p, v] of Object.entries(a.params)) env.set(inputId(one, p), v);
      for (const s of names) env.set(inputId(one, s), states[s]!);
      for (const id of read) env.set(id, hoisted.get(id)!.slice(0, t * B, (t + 1) * B));
      replay(one, b, env, (id) => !timeParallel.has(id));
      const next: Record<string, Tensor> = {};
      for (const s of names) next[s] = env.get(one.outputs.find((p) => p.name === nextName(s))!.id)!;
      states = next;
      outputs.push(env.get(one.outputs.find((p) => p.name === 'y')!.id)!);
    });
  }
  const output = b.scoped({ cell: cell.name, layer: a.layer }, () => stack(outputs, 0));
  return { output, finals: states };
}
