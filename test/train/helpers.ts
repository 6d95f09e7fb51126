/** Shared helpers of the training tests: small models on seeded tasks, exact array comparison. */
import { addingTask, copyMemoryTask, dataRng, initModel, type Batch, type Cell, type ModelSpec, type ParamValues, type Task } from '@cellgrad/cells';

/** A small float64 model of `cell` on `task`. */
export function smallModel(cell: Cell, task: Task, hidden = 4, batch = 3): ModelSpec {
  return { cell, input: task.input, hidden, batch, steps: task.steps, loss: task.loss, dtype: 'float64' };
}

/** Parameters and a batch for a model (seeded). */
export function setup(spec: ModelSpec, task: Task, seed = 1): { params: ParamValues; batch: Batch } {
  return { params: initModel(spec, seed), batch: task.generate(dataRng(seed, 'train', 0), spec.batch) };
}

/** Largest |a − b| over all parameters (Infinity when a name is missing or sizes differ). */
export function maxDiff(a: ParamValues, b: ParamValues): number {
  let m = 0;
  for (const [k, v] of Object.entries(a)) {
    const w = b[k];
    if (!w || w.length !== v.length) return Infinity;
    for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]! - w[i]!));
  }
  return Object.keys(a).length === Object.keys(b).length ? m : Infinity;
}

export const tasks = { adding: addingTask, copy: copyMemoryTask };
