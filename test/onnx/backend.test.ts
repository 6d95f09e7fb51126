// compile(g, { backend: 'onnxruntime' }): the same API as cellgrad's own executor (feeds in, named
// outputs out), run by ONNX Runtime, equal to the reference interpreter; unknown backends are clear errors.
import { describe, expect, it } from 'vitest';
import '@cellgrad/onnx';
import { compile, extendGraph, interpret } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, getBuiltinCell, unroll } from '@cellgrad/cells';

describe("compile(g, { backend: 'onnxruntime' })", () => {
  it('runs an LSTM training graph with the same outputs as interpret', async () => {
    const cell = getBuiltinCell('lstm');
    const sizes = { input: 3, hidden: 4, batch: 2, steps: 5 };
    const g = grad(
      extendGraph(unroll(cell, { ...sizes, dtype: 'float64' }), ({ outputs }) => ({ loss: outputs.out!.square().mean() })),
      { of: 'loss' },
    );
    const feeds = cellFeeds(cell, sizes, 3);
    const exe = compile(g, { backend: 'onnxruntime', dtype: 'float64' });
    await exe.ready;
    const ours = await exe.run(feeds);
    const ref = interpret(g, feeds);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(ref).sort());
    for (const [name, want] of Object.entries(ref)) {
      const scale = Math.max(1e-300, ...Array.from(want.data, Math.abs));
      const got = ours[name]!.data;
      for (let i = 0; i < want.data.length; i++) expect(Math.abs(got[i]! - want.data[i]!) / scale).toBeLessThan(1e-10);
    }
    await expect(exe.run({})).rejects.toThrow(/missing feed for input 'x'/);
    await exe.release();
  });

  it('names the backends it knows when asked for another', () => {
    const g = unroll(getBuiltinCell('rnn_tanh'), { input: 2, hidden: 2, batch: 1, steps: 2 });
    expect(() => compile(g, { backend: 'nope' as 'onnxruntime' })).toThrow(/unknown backend 'nope'.*cellgrad, onnxruntime/);
  });
});
