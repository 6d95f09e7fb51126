/**
 * One layer in one direction: calls the cell's step over the sequence, forward (t = 0..T−1) or
 * time-reversed (t = T−1..0), optionally replacing the fed-back output state by the true targets
 * (teacher forcing). Outputs are returned by time index, whatever the direction.
 */
import { CellgradError, type GraphBuilder, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { StepHooks } from '../regularize/unroll-hooks.js';
import { runStep, stepWhere } from '../step.js';

/** Teacher forcing of one direction: the target output at time index `t`, `[batch, outputSize]`. */
export type TargetAt = (t: number) => Tensor;

/** What `runDirection` needs. */
export interface DirectionArgs {
  readonly builder: GraphBuilder;
  readonly layer: number;
  readonly layers: number;
  /** 0: forward in time; 1: time-reversed. */
  readonly direction: 0 | 1;
  readonly batch: number;
  readonly stateShapes: Readonly<Record<string, Shape>>;
  /** Size of one direction's per-step output. */
  readonly outputSize: number;
  /** The layer's input at each time index, `[batch, input]`. */
  readonly inputs: readonly Tensor[];
  /** Initial value of every state, `[batch, ...]`. */
  readonly initial: Readonly<Record<string, Tensor>>;
  /** The cell's parameters by their own names. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** When given, teacher forcing: the fed-back state at step t gets the target of the previous step. */
  readonly targetAt?: TargetAt;
  /** Regularisation around every step (weight drop, variational state dropout, zoneout). */
  readonly hooks?: StepHooks;
}

/** The outputs (by time index) and final states of one direction of one layer. */
export interface DirectionResult {
  readonly outputs: readonly Tensor[];
  readonly finals: Readonly<Record<string, Tensor>>;
}

/** The state the step returned as its output too (the Jordan feedback state), or an error. */
function feedbackState(cell: Cell, states: Record<string, Tensor>, output: Tensor, where: string): string {
  const name = Object.keys(states).find((s) => states[s] === output);
  if (name === undefined) {
    throw new CellgradError('usage', `${where}: teacher forcing needs a cell that feeds its output back as a state (the step must return its output as one of its states, as 'jordan' does); cell '${cell.name}' returns an output that is none of its states (${Object.keys(states).join(', ')})`);
  }
  return name;
}

/** Run one direction of one layer. */
export function runDirection(cell: Cell, a: DirectionArgs): DirectionResult {
  const T = a.inputs.length;
  const outputs = new Array<Tensor>(T);
  let states: Record<string, Tensor> = { ...a.initial };
  let forced: string | undefined;
  const params = a.hooks ? a.hooks.params(a.params) : a.params;
  for (let j = 0; j < T; j++) {
    const t = a.direction === 0 ? j : T - 1 - j;
    if (a.targetAt && j > 0) states[forced!] = a.targetAt(a.direction === 0 ? t - 1 : t + 1);
    const ctx = { builder: a.builder, step: t, layer: a.layer, layers: a.layers, batch: a.batch, stateShapes: a.stateShapes, outputSize: a.outputSize };
    const fed = a.hooks ? a.hooks.before(states, t) : states;
    const raw = runStep(cell, ctx, { x: a.inputs[t]!, ...fed }, { ...params });
    if (a.targetAt && j === 0) forced = feedbackState(cell, raw.states, raw.output, stepWhere(cell, ctx));
    const result = a.hooks ? a.hooks.after(states, raw, t) : raw;
    states = result.states;
    outputs[t] = result.output;
  }
  return { outputs, finals: states };
}
