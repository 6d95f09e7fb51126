/**
 * The seeded computations the determinism tests repeat: parameters, feeds, interpreted and compiled
 * outputs of an unrolled LSTM and its gradient graph, and a fast-mode gradient check (random
 * directions), and a regularised LSTM (dropout masks from the seed's random key, interpreted and
 * compiled on two threads), serialised to one string whose bytes must not change between runs with one seed.
 */
import { compile, extendGraph, interpret, type NDArray } from '@cellgrad/graph';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, getBuiltinCell, initParams, unroll } from '@cellgrad/cells';

const hex = (a: NDArray): string => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex');
const dump = (r: Record<string, NDArray>): string =>
  Object.keys(r)
    .sort()
    .map((k) => `${k}:${r[k]!.shape}:${hex(r[k]!)}`)
    .join('\n');

/** Every seeded result for `seed`, as one string (raw bytes in hex). */
export function digestOf(seed: number): string {
  const cell = getBuiltinCell('lstm');
  const opts = { input: 3, hidden: 4, batch: 2, steps: 4, dtype: 'float64' as const };
  const g = extendGraph(unroll(cell, opts), ({ outputs }) => ({ ...outputs, loss: outputs.out!.square().sum() }));
  const feeds = cellFeeds(cell, opts, seed);
  const dg = grad(g, { of: 'loss' });
  const report = gradcheck(unroll(cell, { ...opts, steps: 2 }), cellFeeds(cell, { ...opts, steps: 2 }, seed), { mode: 'fast', seed });
  const regOpts = { ...opts, layers: 2, regularize: { dropout: 0.3, variationalState: 0.2, weightDrop: 0.4, zoneout: { c: 0.5 } } };
  const reg = unroll(cell, regOpts);
  const regFeeds = cellFeeds(cell, regOpts, seed);
  const threaded = compile(reg, { dtype: 'float32', threads: 2 });
  const regCompiled = threaded.run(regFeeds);
  threaded.dispose();
  return [
    dump(initParams(cell, opts, { seed, layers: 2 })),
    dump(feeds),
    dump(interpret(dg, feeds)),
    dump(interpret(g, feeds, { dtype: 'float32' })),
    dump(compile(dg, { dtype: 'float32' }).run(feeds)),
    dump(interpret(reg, regFeeds)),
    dump(regCompiled),
    JSON.stringify({ ...report, seconds: 0 }), // wall time is the one field that may differ
  ].join('\n--\n');
}
