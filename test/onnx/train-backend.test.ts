// Training on ONNX Runtime (Trainer backend 'onnxruntime' and 'auto'): the same losses as the own
// executor to float32 tolerance with full, truncated and checkpointed BPTT; checkpoints resume on
// the other backend; RTRL and the synchronous step() say what to use instead.
import { describe, expect, it } from 'vitest';
import '@cellgrad/onnx';
import { Trainer, addingTask, getBuiltinCell, type TrainConfig } from '@cellgrad/cells';

const base: TrainConfig = {
  cell: getBuiltinCell('lstm'),
  task: addingTask(12),
  hidden: 8,
  batch: 4,
  seed: 3,
  optimizer: { kind: 'adam' },
  lr: 0.02,
  clip: { kind: 'global-norm', maxNorm: 1 },
};

async function losses(config: TrainConfig, iterations: number): Promise<number[]> {
  const t = new Trainer(config);
  for (let i = 0; i < iterations; i++) await t.stepAsync();
  return t.losses;
}

/** Float32 agreement: the runs differ only by rounding (ORT fuses and orders sums its own way). */
function expectClose(got: readonly number[], want: readonly number[], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!) / Math.max(1, Math.abs(want[i]!)), `iteration ${i + 1}`).toBeLessThan(tol));
}

describe("Trainer backend 'onnxruntime'", () => {
  it('trains 20 iterations of the adding task with the losses of the own executor', async () => {
    const own = await losses(base, 20);
    const ort = await losses({ ...base, backend: 'onnxruntime' }, 20);
    expectClose(ort, own);
    expect(ort[19]).not.toBe(ort[0]); // it trained
  });

  it.each([
    ['truncated', { kind: 'truncated', k: 5 }],
    ['truncated per window', { kind: 'truncated', k: 5, perWindow: true }],
    ['checkpointed', { kind: 'checkpoint', every: 4 }],
  ] as const)('runs %s BPTT like the own executor', async (_name, bptt) => {
    const own = await losses({ ...base, bptt }, 4);
    const ort = await losses({ ...base, bptt, backend: 'onnxruntime' }, 4);
    expectClose(ort, own);
  });

  it('trains windows long enough to be loops on the own executor step by step instead (ONNX has no loop)', async () => {
    const long = { ...base, task: addingTask(300), hidden: 4, batch: 2 };
    const own = await losses(long, 2); // windows of 300 steps: loop nodes on the own executor
    const ort = await losses({ ...long, backend: 'onnxruntime' }, 2);
    expectClose(ort, own);
  });

  it('resumes a checkpoint of either backend on the other', async () => {
    const whole = await losses(base, 8);
    const ortFirst = new Trainer({ ...base, backend: 'onnxruntime' });
    for (let i = 0; i < 4; i++) await ortFirst.stepAsync();
    const onOwn = Trainer.restore(base, ortFirst.save());
    for (let i = 0; i < 4; i++) onOwn.step();
    expectClose(onOwn.losses, whole);
    const ownFirst = new Trainer(base);
    for (let i = 0; i < 4; i++) ownFirst.step();
    const onOrt = Trainer.restore({ ...base, backend: 'onnxruntime' }, ownFirst.save());
    expect(onOrt.backend).toBe('onnxruntime');
    for (let i = 0; i < 4; i++) await onOrt.stepAsync();
    expectClose(onOrt.losses, whole);
    expect(onOrt.losses.slice(0, 4)).toEqual(whole.slice(0, 4)); // the snapshot's own history, as written
  });

  it('asks for stepAsync when step() is called, and refuses to save while a step runs', async () => {
    const t = new Trainer({ ...base, backend: 'onnxruntime' });
    expect(() => t.step()).toThrow(/backend 'onnxruntime' runs asynchronously; call `await trainer.stepAsync\(\)`/);
    const pending = t.stepAsync();
    expect(() => t.save()).toThrow(/stepAsync\(\) is still running; await it first/);
    await pending;
    expect(t.save().iteration).toBe(1);
  });

  it('refuses RTRL with a usage error saying which strategies it runs', () => {
    expect(() => new Trainer({ ...base, bptt: { kind: 'rtrl' }, backend: 'onnxruntime' })).toThrow(
      /rtrl .* own executor only; backend 'onnxruntime' needs bptt full, truncated or checkpoint/,
    );
  });

  it("backend 'auto' trains with the own executor's losses", async () => {
    const own = await losses(base, 3);
    const auto = await losses({ ...base, backend: 'auto' }, 3);
    expectClose(auto, own);
  });
});
