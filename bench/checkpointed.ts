/**
 * The `lstm_train_ckpt` case: one training step of an LSTM as the Trainer computes it with
 * checkpointed BPTT (`backprop(spec, { kind: 'checkpoint' })`: the forward pass keeps the states at
 * window boundaries every ⌈√T⌉ steps, the backward pass re-runs each window from its checkpoint),
 * compiled float32, at the case's sizes with a one-wide readout and mean squared error at every step.
 * It is the memory reference of full BPTT at long T: the same gradients with less stored.
 */
import { backprop, initModel, lstm, type Batch, type ModelSpec } from '@cellgrad/cells';
import type { Shape } from './cases.js';

/** The model spec of the checkpointed case at shape `s`. */
export function checkpointedSpec(s: Shape): ModelSpec {
  return { cell: lstm, input: s.input, hidden: s.hidden, batch: s.batch, steps: s.steps, loss: { kind: 'mse', at: 'every', outputs: 1 } };
}

/** A deterministic batch for `spec`: inputs and targets in [−1, 1], every step counted. */
function batchOf(spec: ModelSpec): Batch {
  const { steps: T, batch: B, input: I } = spec;
  const wave = (n: number, phase: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase));
  return { x: wave(T * B * I, 0), y: wave(T * B, 1), mask: new Float64Array(T * B).fill(1) };
}

/**
 * A function running one checkpointed training step (loss and every gradient) at shape `s` on
 * `threads` threads. The window graphs are built and compiled by its first call.
 */
export function checkpointedStep(s: Shape, threads: number): { run: () => void; windows: number } {
  const spec = checkpointedSpec(s);
  const bp = backprop(spec, { kind: 'checkpoint' }, { threads });
  const params = initModel(spec, 1);
  const batch = batchOf(spec);
  return { run: () => void bp.run(params, batch), windows: Math.ceil(s.steps / Math.ceil(Math.sqrt(s.steps))) };
}
