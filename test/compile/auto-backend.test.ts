// compile(g, { backend: 'auto' }): the own executor alone when no other backend is registered;
// otherwise every registered backend is timed on the graph's shapes and the fastest kept. Fake
// backends (a slow one, a broken one) make the choice certain without asserting any timing.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { compile, GraphBuilder, interpret, registerBackend, type AsyncExecutable, type AutoExecutable, type Executable, type Graph } from '@cellgrad/graph';

function smallGraph(): Graph {
  const b = new GraphBuilder('float64');
  const x = b.input('x', [2, 3]);
  const w = b.input('w', [3, 4]);
  return b.build([['y', x.matmul(w).tanh().sum()]]);
}
const feeds = {
  x: [
    [1, 2, 3],
    [4, 5, 6],
  ],
  w: [
    [0.1, 0.2, 0.3, 0.4],
    [0.5, 0.6, 0.7, 0.8],
    [0.9, 1.0, 1.1, 1.2],
  ].map((r) => r.map((v) => v / 4)),
};

let slowRuns = 0;
/** A correct but slow backend: the interpreter after 30 ms. */
function slowBackend(g: Graph): AsyncExecutable {
  return {
    dtype: 'float64',
    ready: Promise.resolve(),
    run: async (f) => {
      slowRuns++;
      await new Promise((r) => setTimeout(r, 30));
      return interpret(g, f);
    },
    release: async () => undefined,
  };
}

describe("compile(g, { backend: 'auto' })", () => {
  it('is the own executor when no other backend is registered, with the same outputs as interpret', async () => {
    const g = smallGraph();
    const exe = compile(g, { backend: 'auto', dtype: 'float64' });
    expect(exe.backend).toBe('cellgrad'); // nothing to time: chosen at once
    const choice = await exe.ready;
    expect(choice).toEqual({ backend: 'cellgrad', msPerRun: {}, skipped: {} });
    expect(exe.choice).toBe(choice);
    const out = await exe.run(feeds);
    expect(out.y!.data[0]).toBeCloseTo(interpret(g, feeds).y!.data[0]!, 12);
  });

  it('times every registered backend, keeps the fastest and says why a broken one was skipped', async () => {
    registerBackend('slowfake', { compile: (g) => slowBackend(g) });
    registerBackend('broken', {
      compile: () => ({ dtype: 'float64', ready: Promise.resolve(), run: () => Promise.reject(new Error('no session')), release: async () => undefined }),
    });
    const g = smallGraph();
    const exe = compile(g, { backend: 'auto', dtype: 'float64', auto: { runs: 3, feeds } });
    const choice = await exe.ready;
    expect(choice.backend).toBe('cellgrad');
    expect(Object.keys(choice.msPerRun).sort()).toEqual(['cellgrad', 'slowfake']);
    expect(choice.msPerRun.slowfake).toBeGreaterThanOrEqual(25);
    expect(choice.skipped).toEqual({ broken: 'no session' });
    expect(slowRuns).toBe(4); // one warm-up and three timed runs
    const first = await exe.run(feeds);
    const second = await exe.run({
      ...feeds,
      x: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
    expect(first.y!.data[0]).toBeCloseTo(interpret(g, feeds).y!.data[0]!, 12); // fresh arrays: not overwritten by the next run
    expect(second.y!.data[0]).toBe(0);
    expect(slowRuns).toBe(4);
  });

  it("types the result by backend: synchronous by default, an AutoExecutable for 'auto'", () => {
    expectTypeOf(compile(smallGraph(), { dtype: 'float64' })).toEqualTypeOf<Executable>();
    expectTypeOf(compile(smallGraph(), { backend: 'auto', auto: { runs: 1 } })).toEqualTypeOf<AutoExecutable>();
  });

  it('rejects bad timing options with usage errors naming them', () => {
    expect(() => compile(smallGraph(), { backend: 'auto', auto: { runs: 0 } })).toThrow(/option auto.runs must be a positive integer, got 0/);
    expect(() => compile(smallGraph(), { backend: 'auto', auto: { budgetMs: -1 } })).toThrow(/option auto.budgetMs must be a non-negative number/);
  });
});
