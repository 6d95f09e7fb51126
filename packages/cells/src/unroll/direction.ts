/**
 * One layer in one direction: calls the cell's step over the sequence, forward (t = 0..T−1) or
 * time-reversed (t = T−1..0), optionally replacing the fed-back output state by the true targets
 * (teacher forcing). Outputs are returned by time index, whatever the direction.
 *
 * Variable-length batches: with a per-step mask (1 where step t is real for a sequence, 0 on its
 * padding), a masked step keeps the previous state (`where(mask, new, old)`) and outputs 0 or the
 * previous output. The reverse direction meets a sequence's padding before its real steps, so its
 * state is still the initial one when the sequence's last real step comes: it starts there, as
 * PyTorch's packed sequences. `where` passes no gradient to the branch it did not pick, so padding
 * gets exactly zero gradient.
 */
import { CellgradError, type Graph, type GraphBuilder, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { MaskMode } from '../options.js';
import type { StepHooks } from '../regularize/unroll-hooks.js';
import { replayStep } from '../recurrence/replay.js';
import { runStep, stepWhere, type StepResult } from '../step.js';

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
  /** When given, a variable-length batch: 1 where time index `t` is a real step of a sequence, else 0 (`[batch, 1]`). */
  readonly maskAt?: (t: number) => Tensor;
  /** What a masked step outputs (default `'zero'`). */
  readonly maskMode?: MaskMode;
  /** Regularisation around every step (weight drop, variational state dropout, zoneout). */
  readonly hooks?: StepHooks;
  /** Time index of `inputs[0]` (default 0): a window of a longer sequence numbers its steps from here. */
  readonly start?: number;
  /** The trainer's hooks (Graves clipping of the states entering a step, taps added after it). */
  readonly trainer?: TrainerHooks;
  /**
   * The first processed step, already traced (`stepGraph` at this batch, by the recurrence
   * analysis): it is replayed instead of calling the step again, so the step runs once per time step.
   */
  readonly firstStep?: Graph;
}

/** What training adds around each step of a direction (see `LayerLoopArgs.trainer`). */
export interface TrainerHooks {
  /** The states as they enter step `t` (before any regulariser), e.g. with their gradient clipped. */
  readonly enter?: (states: Readonly<Record<string, Tensor>>, t: number) => Record<string, Tensor>;
  /** The result of step `t` as the next step and the layers above see it, e.g. with a tap added. */
  readonly settle?: (result: StepResult, t: number) => StepResult;
}

/** The outputs (by time index) and final states of one direction of one layer. */
export interface DirectionResult {
  readonly outputs: readonly Tensor[];
  readonly finals: Readonly<Record<string, Tensor>>;
  /**
   * The output of each sequence's last real step in processing order (`[batch, outputSize]`): the
   * last output without a mask; what a sequence-to-one head reads for the forward direction.
   */
  readonly last: Tensor;
}

/** The state the step returned as its output too (the Jordan feedback state), or an error. */
function feedbackState(cell: Cell, states: Record<string, Tensor>, output: Tensor, where: string): string {
  const name = Object.keys(states).find((s) => states[s] === output);
  if (name === undefined) {
    throw new CellgradError(
      'usage',
      `${where}: teacher forcing needs a cell that feeds its output back as a state (the step must return its output as one of its states, as 'jordan' does); cell '${cell.name}' returns an output that is none of its states (${Object.keys(states).join(', ')})`,
    );
  }
  return name;
}

/** One direction of one layer, advanced a step at a time (so several layers can advance in lockstep). */
export interface DirectionStepper {
  /** Run the direction's `j`-th step (in processing order) on its input; returns the step's time index and output. */
  step(j: number, input: Tensor): { readonly index: number; readonly output: Tensor };
  /** The outputs so far (by time index), the states after the last step run and the last output. */
  result(): DirectionResult;
}

/**
 * A stepper over `steps` steps of one direction of one layer (`args.inputs` is not read: each
 * step gets its input from the caller). The index of processing step j is j forward, steps−1−j reversed.
 */
export function directionStepper(cell: Cell, a: Omit<DirectionArgs, 'inputs'>, steps: number): DirectionStepper {
  const T = steps;
  const t0 = a.start ?? 0;
  const outputs = new Array<Tensor>(T);
  let states: Record<string, Tensor> = { ...a.initial };
  let forced: string | undefined;
  let carried: Tensor | undefined;
  const params = a.hooks ? a.hooks.params(a.params) : a.params;
  return {
    step(j, input) {
      const i = a.direction === 0 ? j : T - 1 - j;
      const t = t0 + i;
      if (a.targetAt && j > 0) states[forced!] = a.targetAt(a.direction === 0 ? t - 1 : t + 1);
      const ctx = { builder: a.builder, step: t, layer: a.layer, layers: a.layers, batch: a.batch, stateShapes: a.stateShapes, outputSize: a.outputSize };
      const entering = a.trainer?.enter ? a.trainer.enter(states, t) : states;
      const fed = a.hooks ? a.hooks.before(entering, t) : entering;
      const raw =
        j === 0 && a.firstStep
          ? a.builder.scoped({ cell: cell.name, step: t, layer: a.layer }, () => replayStep(a.firstStep!, a.builder, { x: input, ...fed }, params))
          : runStep(cell, ctx, { x: input, ...fed }, { ...params });
      if (a.targetAt && j === 0) forced = feedbackState(cell, raw.states, raw.output, stepWhere(cell, ctx));
      const regularized = a.hooks ? a.hooks.after(states, raw, t) : raw;
      const result = a.trainer?.settle ? a.trainer.settle(regularized, t) : regularized;
      if (a.maskAt) {
        const mask = a.maskAt(t);
        const held: Record<string, Tensor> = {};
        a.builder.scoped({ cell: cell.name, step: t, layer: a.layer }, () => {
          for (const [s, next] of Object.entries(result.states)) held[s] = mask.where(next, states[s]!);
          carried = mask.where(result.output, carried ?? 0);
          outputs[i] = a.maskMode === 'carry' ? carried : mask.where(result.output, 0);
        });
        states = held;
      } else {
        states = result.states;
        outputs[i] = result.output;
        carried = result.output;
      }
      return { index: i, output: outputs[i]! };
    },
    result: () => ({ outputs, finals: states, last: carried! }),
  };
}

/** Run one direction of one layer over all of `a.inputs`. */
export function runDirection(cell: Cell, a: DirectionArgs): DirectionResult {
  const T = a.inputs.length;
  const stepper = directionStepper(cell, a, T);
  for (let j = 0; j < T; j++) stepper.step(j, a.inputs[a.direction === 0 ? j : T - 1 - j]!);
  return stepper.result();
}
