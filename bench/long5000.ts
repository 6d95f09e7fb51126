/**
 * `pnpm long5000`: how long building, differentiating, optimising and compiling the LSTM training
 * graph of shape long5000 (B=16, I=32, H=64, T=5000; loss = mean(out²), as bench/cases.ts) takes,
 * the compiled plan's arena, and one training step's time and peak RSS. `--loop never` measures the
 * unrolled graph instead (slow: ~20 s); `--steps N` another length. Figures vary with the machine's
 * load; never assert them in tests.
 */
import { parseArgs } from 'node:util';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, lstm, unroll, type LoopMode } from '@cellgrad/cells';
import { compile, GraphBuilder, optimize } from '@cellgrad/graph';

const { values } = parseArgs({ options: { loop: { type: 'string', default: 'auto' }, steps: { type: 'string', default: '5000' } } });
const loop = values.loop as LoopMode;
const shape = { input: 32, hidden: 64, batch: 16, steps: Number(values.steps), dtype: 'float32' as const };
const ms = (t0: number) => (performance.now() - t0).toFixed(0);

let t = performance.now();
const g0 = unroll(lstm, { ...shape, loop });
const { builder, outputs } = GraphBuilder.extend(g0);
const g = builder.build({ loss: outputs.out!.square().mean() });
const build = ms(t);
t = performance.now();
const weights = g.inputs.map((p) => p.name).filter((n) => n !== 'x' && !/^[hc]0$/.test(n));
const dg = grad(g, { of: 'loss', wrt: weights });
const gradMs = ms(t);
t = performance.now();
const opt = optimize(dg);
const optimizeMs = ms(t);
t = performance.now();
const exe = compile(opt, { optimize: false });
const compileMs = ms(t);
const feeds = cellFeeds(lstm, shape, 1);
t = performance.now();
exe.run(feeds);
const firstRun = ms(t);
t = performance.now();
exe.run(feeds);
const run = ms(t);
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
console.log(
  [
    `long5000 lstm training graph, T=${shape.steps}, loop '${loop}': ${dg.nodes.length} nodes (${dg.nodes.filter((n) => n.op === 'loop').length} loops)`,
    `build ${build} ms, grad ${gradMs} ms, optimize ${optimizeMs} ms, compile ${compileMs} ms (total ${Number(build) + Number(gradMs) + Number(optimizeMs) + Number(compileMs)} ms)`,
    `arena ${mb(exe.stats.arenaBytes)} MB, plan steps ${exe.stats.steps} (+${exe.stats.loopBodySteps} in loop bodies)`,
    `first run ${firstRun} ms, run ${run} ms, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`,
  ].join('\n'),
);
