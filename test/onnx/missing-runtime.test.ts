// ONNX Runtime missing (simulated: onnxruntime-node cannot be resolved): training on it is a usage
// error naming the package and how to install it (one line and exit 2 from `cellgrad train`), and
// compile(g, { backend: 'auto' }) and `train --backend auto` fall back to the own executor, saying why.
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:module', async (original) => {
  const actual = await original<typeof import('node:module')>();
  return {
    ...actual,
    createRequire: (from: string | URL) => {
      const real = actual.createRequire(from);
      return Object.assign((id: string) => {
        if (id === 'onnxruntime-node') throw Object.assign(new Error(`Cannot find module 'onnxruntime-node'`), { code: 'MODULE_NOT_FOUND' });
        return real(id);
      }, real);
    },
  };
});

const { Trainer, addingTask, getBuiltinCell, unroll } = await import('@cellgrad/cells');
const { compile, interpret } = await import('@cellgrad/graph');
await import('@cellgrad/onnx');
const { cellgradInProcess } = await import('../cli/in-process.js');
const SMALL = ['train', '--cell', 'gru', '--task', 'adding', '--steps', '5', '--hidden', '3', '--batch', '2', '--iterations', '2'];

describe('without onnxruntime-node', () => {
  it("Trainer backend 'onnxruntime' fails with a usage error naming the package", async () => {
    const t = new Trainer({
      cell: getBuiltinCell('lstm'),
      task: addingTask(5),
      hidden: 3,
      batch: 2,
      seed: 1,
      optimizer: { kind: 'sgd' },
      lr: 0.1,
      backend: 'onnxruntime',
    });
    const step = t.stepAsync();
    await expect(step).rejects.toMatchObject({ kind: 'usage' });
    await expect(step).rejects.toThrow(/ONNX Runtime is not installed; running ONNX models needs `npm install onnxruntime-node`/);
  });

  it("compile(g, { backend: 'auto' }) falls back to the own executor and records why", async () => {
    const g = unroll(getBuiltinCell('rnn_tanh'), { input: 2, hidden: 3, batch: 2, steps: 3, dtype: 'float64' });
    const exe = compile(g, { backend: 'auto', dtype: 'float64' });
    const choice = await exe.ready;
    expect(choice.backend).toBe('cellgrad');
    expect(exe.backend).toBe('cellgrad');
    expect(choice.skipped.onnxruntime).toMatch(/onnxruntime-node/);
    const feeds = { x: { shape: [3, 2, 2], data: Float64Array.from({ length: 12 }, (_, i) => i / 10) } };
    const full = {
      ...feeds,
      ...Object.fromEntries(
        g.inputs
          .filter((p) => p.name !== 'x')
          .map((p) => [p.name, { shape: g.nodes[p.id]!.shape, data: new Float64Array(g.nodes[p.id]!.shape.reduce((a, d) => a * d, 1)).fill(0.1) }]),
      ),
    };
    const got = await exe.run(full);
    const want = interpret(g, full);
    for (const [name, v] of Object.entries(want)) expect(Array.from(got[name]!.data)).toEqual(Array.from(v.data));
  });

  it('cellgrad train --backend onnxruntime exits 2 with one line naming the package', async () => {
    const r = await cellgradInProcess([...SMALL, '--backend', 'onnxruntime']);
    expect(r.code).toBe(2);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('cellgrad:')),
    ).toEqual([expect.stringMatching(/ONNX Runtime is not installed; running ONNX models needs `npm install onnxruntime-node`/)]);
  });

  it('cellgrad train --backend auto trains on cellgrad and says why ONNX Runtime was skipped', async () => {
    const r = await cellgradInProcess([...SMALL, '--backend', 'auto']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend: cellgrad \(chosen by measured time: cellgrad [\d.]+ ms per run\); onnxruntime skipped: .*onnxruntime-node/m);
  });
});
