/**
 * Library-level validation of saved training state: `optimizer.load` refuses malformed states
 * (library users call it directly), a loaded optimizer refuses buffers that do not fit the
 * parameters it is stepped with, and `Trainer.restore` checks a snapshot against the configuration
 * (parameter names and sizes, optimizer buffers and step) with errors naming the field.
 */
import { describe, expect, it } from 'vitest';
import { Trainer, adam, addingTask, getBuiltinCell, rmsprop, sgd, type OptimizerState, type TrainConfig, type TrainerSnapshot } from '@cellgrad/cells';
import { thrown } from './helpers.js';

const usage = (fn: () => unknown): string => {
  const e = thrown(fn);
  expect(e.kind).toBe('usage');
  return e.message;
};
const state = (s: unknown): OptimizerState => s as OptimizerState;
/** The message of loading an Adam state at `step` with `buffers`. */
const adamLoad = (step: number, buffers: unknown): string => usage(() => adam().load(state({ kind: 'adam', step, buffers })));

describe('optimizer.load validates the state', () => {
  it('kind, step, buffer names, values and signs', () => {
    const o = adam();
    expect(usage(() => o.load(state({ kind: 'adam', step: -1, buffers: {} })))).toBe("optimizer state: 'step' must be a non-negative integer, got -1");
    expect(usage(() => o.load(state({ kind: 'adam', step: 1.5, buffers: {} })))).toBe("optimizer state: 'step' must be a non-negative integer, got 1.5");
    expect(usage(() => o.load(state({ kind: 'adam', step: 1 })))).toBe("optimizer state: 'buffers' is missing or not an object");
    expect(usage(() => o.load(state(null)))).toBe('optimizer state: expected an object with kind, step and buffers, got null');
    expect(adamLoad(1, { w: { m: [0] } })).toBe("optimizer state: buffer 'v.w' is missing");
    expect(adamLoad(1, { w: { m: [0], v: [0], x: [1] } })).toBe("optimizer state: unknown buffer 'x.w' (adam keeps m, v)");
    expect(adamLoad(1, { w: { m: [0, 'a'], v: [0, 0] } })).toBe('optimizer state: buffer \'m.w\' holds "a" at index 1, expected a finite number');
    expect(adamLoad(1, { w: { m: [0, 0], v: [0] } })).toBe("optimizer state: buffer 'v.w' has 1 values, 'm.w' has 2");
    expect(adamLoad(1, { w: { m: [0], v: [-1] } })).toBe("optimizer state: buffer 'v.w' holds -1 at index 0; it must be non-negative");
    expect(adamLoad(0, { w: { m: [0], v: [0] } })).toBe('optimizer state: step 0 (no update yet) cannot have buffers');
    expect(usage(() => rmsprop({ centered: true }).load(state({ kind: 'rmsprop-centered', step: 1, buffers: { w: { square_avg: [0] } } })))).toBe(
      "optimizer state: buffer 'grad_avg.w' is missing",
    );
    expect(usage(() => sgd().load(state({ kind: 'sgd', step: 2, buffers: { w: { momentum: [0] } } })))).toBe(
      "optimizer state: unknown buffer 'momentum.w' (sgd keeps no buffers)",
    );
  });

  it('a failed load leaves the optimizer as it was', () => {
    const o = adam();
    const p = { w: Float64Array.of(1, 2) };
    o.step(p, { w: Float64Array.of(0.5, -0.5) }, 0.1);
    const saved = o.state();
    usage(() => o.load(state({ ...saved, buffers: { w: { m: [0, 0], v: [0, Number.NaN] } } })));
    expect(o.state()).toEqual(saved);
  });

  it('stepping a loaded state with parameters of another size is refused, not NaN', () => {
    const o = adam();
    o.load({ kind: 'adam', step: 2, buffers: { w: { m: [0, 0], v: [0, 0] } } });
    const p = { w: new Float64Array(3) };
    expect(usage(() => o.step(p, { w: new Float64Array(3) }, 0.1))).toBe("optimizer: buffer 'm.w' has 2 values, parameter 'w' has 3");
    expect(usage(() => o.step({ u: new Float64Array(1) }, { u: new Float64Array(1) }, 0.1))).toBe(
      "optimizer: no saved buffers for parameter 'u' at step 2 (the state was saved for w)",
    );
    expect(Array.from(p.w)).toEqual([0, 0, 0]);
  });
});

describe('Trainer.restore checks the snapshot against the configuration', () => {
  const config: TrainConfig = {
    cell: getBuiltinCell('gru'),
    task: addingTask(4),
    hidden: 3,
    batch: 2,
    seed: 1,
    optimizer: { kind: 'rmsprop', momentum: 0.5 },
    lr: 0.01,
    exec: { executor: 'interpreted' },
  };
  const saved = (): TrainerSnapshot => {
    const t = new Trainer(config);
    t.step();
    t.step();
    return JSON.parse(JSON.stringify(t.save())) as TrainerSnapshot;
  };

  it('accepts what it saved, and names each damaged field with the source', () => {
    expect(Trainer.restore(config, saved()).iteration).toBe(2);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const damaged = (edit: (s: any) => void): TrainerSnapshot => {
      const s = saved();
      edit(s);
      return s;
    };
    expect(
      usage(() =>
        Trainer.restore(
          config,
          damaged((s) => {
            s.params.weight_hh.pop();
          }),
        ),
      ),
    ).toBe("snapshot: parameter 'weight_hh' has 26 values, expected 27 (shape [9,3])");
    expect(
      usage(() =>
        Trainer.restore(
          config,
          damaged((s) => {
            s.optimizer.buffers.bias_hh.momentum.pop();
          }),
          'checkpoint run.json',
        ),
      ),
    ).toBe("checkpoint run.json: optimizer buffer 'momentum.bias_hh' has 8 values, expected 9 (parameter bias_hh [9])");
    expect(
      usage(() =>
        Trainer.restore(
          config,
          damaged((s) => {
            s.optimizer.step = 3;
          }),
        ),
      ),
    ).toBe("snapshot: optimizer 'step' is 3, expected 2 (one update per iteration, 2 iterations)");
    expect(
      usage(() =>
        Trainer.restore(
          config,
          damaged((s) => {
            s.seconds = -1;
          }),
        ),
      ),
    ).toBe("snapshot: 'seconds' must be a finite non-negative number, got -1");
    expect(
      usage(() =>
        Trainer.restore(
          config,
          damaged((s) => {
            s.fingerprint = 'x';
          }),
        ),
      ),
    ).toMatch(/^snapshot was written by a run with different settings/);
  });

  it('per-window truncated BPTT makes one optimizer step per window', () => {
    const perWindow: TrainConfig = { ...config, bptt: { kind: 'truncated', k: 3, perWindow: true } };
    const t = new Trainer(perWindow);
    t.step();
    const s = t.save();
    expect(s.optimizer.step).toBe(2); // T = 4 in windows of 3: two windows
    expect(Trainer.restore(perWindow, s).iteration).toBe(1);
    expect(usage(() => Trainer.restore(perWindow, { ...s, optimizer: { ...s.optimizer, step: 1 } }))).toBe(
      "snapshot: optimizer 'step' is 1, expected 2 (2 updates per iteration, one per BPTT window, 1 iteration)",
    );
  });
});
