// compile(g, { backend: 'auto' }) with ONNX Runtime registered: both executors are timed on the
// graph's shapes, one is chosen (either may win on a shared machine), and its outputs equal the
// reference interpreter's.
import { describe, expect, it } from 'vitest';
import '@cellgrad/onnx';
import { compile, extendGraph, interpret } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, getBuiltinCell, unroll } from '@cellgrad/cells';

describe("compile(g, { backend: 'auto' }) with ONNX Runtime", () => {
  it('times both executors on an LSTM training graph and runs the chosen one like interpret', async () => {
    const cell = getBuiltinCell('lstm');
    const sizes = { input: 3, hidden: 5, batch: 2, steps: 6 };
    const g = grad(
      extendGraph(unroll(cell, { ...sizes, dtype: 'float64' }), ({ outputs }) => ({ loss: outputs.out!.square().mean() })),
      { of: 'loss' },
    );
    const exe = compile(g, { backend: 'auto', dtype: 'float64', auto: { runs: 3 } });
    expect(exe.backend).toBeUndefined(); // chosen once timed
    const choice = await exe.ready;
    expect(Object.keys(choice.msPerRun).sort()).toEqual(['cellgrad', 'onnxruntime']);
    expect(choice.skipped).toEqual({});
    expect(['cellgrad', 'onnxruntime']).toContain(exe.backend);
    const feeds = cellFeeds(cell, sizes, 7);
    const ours = await exe.run(feeds);
    const ref = interpret(g, feeds);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(ref).sort());
    for (const [name, want] of Object.entries(ref)) {
      const scale = Math.max(1e-300, ...Array.from(want.data, Math.abs));
      want.data.forEach((w, i) => expect(Math.abs(ours[name]!.data[i]! - w) / scale, name).toBeLessThan(1e-10));
    }
    await exe.release();
  });
});
