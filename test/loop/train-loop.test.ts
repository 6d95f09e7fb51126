// Training windows as loops: a model with loop 'always' gives the loss and gradients of the step
// loop (loop 'never') to 1e-12 in float64, for full and checkpointed BPTT, a loss at every step and at
// the last step, with lengths; Graves clipping makes 'always' an error and 'auto' fall back.
import { describe, expect, it } from 'vitest';
import { addingTask, backprop, buildWindow, copyMemoryTask, getBuiltinCell, majorityTask, type ModelSpec } from '@cellgrad/cells';
import { maxDiff, setup, smallModel } from '../train/helpers.js';

const exec = { executor: 'interpreted', dtype: 'float64' } as const;

function relDiff(a: Record<string, Float64Array | Float32Array>, b: Record<string, Float64Array | Float32Array>): number {
  let scale = 0;
  for (const k of Object.keys(b)) for (const v of b[k]!) scale = Math.max(scale, Math.abs(v));
  return maxDiff(a as never, b as never) / Math.max(scale, 1e-300);
}

describe('training windows as loops', () => {
  it.each([
    ['lstm', addingTask(7)],
    ['gru', copyMemoryTask(8, { symbols: 3, length: 2 })],
    ['rnn_tanh', majorityTask(6, 3)],
  ] as const)('%s: loss and gradients equal the step loop (full and checkpointed BPTT)', (cell, task) => {
    const base = smallModel(getBuiltinCell(cell), task);
    const looped: ModelSpec = { ...base, loop: 'always' };
    const stepped: ModelSpec = { ...base, loop: 'never' };
    expect(buildWindow(looped).graph.nodes.some((n) => n.op === 'loop')).toBe(true);
    expect(buildWindow(stepped).graph.nodes.some((n) => n.op === 'loop')).toBe(false);
    const { params, batch } = setup(base, task);
    const reference = backprop(stepped, { kind: 'full' }, exec).run(params, batch);
    for (const bptt of [{ kind: 'full' }, { kind: 'checkpoint', every: 3 }] as const) {
      const r = backprop(looped, bptt, exec).run(params, batch);
      expect(Math.abs(r.loss - reference.loss) / Math.abs(reference.loss)).toBeLessThan(1e-12);
      expect(relDiff(r.grads, reference.grads), `${cell} ${bptt.kind}`).toBeLessThan(1e-12);
    }
  });

  it("Graves clipping runs step by step: 'auto' falls back, 'always' says why", () => {
    const task = addingTask(300);
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('lstm'), task), gravesClip: 1 };
    expect(buildWindow(spec).graph.nodes.some((n) => n.op === 'loop')).toBe(false);
    expect(buildWindow({ ...spec, gravesClip: undefined } as ModelSpec).graph.nodes.some((n) => n.op === 'loop')).toBe(true);
    expect(() => buildWindow({ ...spec, loop: 'always' })).toThrow(/loop 'always', but the window cannot run as loops: Graves clipping run step by step/);
  });
});
