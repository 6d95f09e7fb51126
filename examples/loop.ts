// docs/loop.md's example, verbatim (test/docs/loop-doc.test.ts keeps the two equal and runs it).
import { buildGraph, cellFeeds, compile, grad, GraphBuilder, interpret, loop, lstm, ndarray, print, unroll } from 'cellgrad';

// 1. A loop of your own. The body is one step: h′ = tanh(x·W + h·U), which is also the step's output.
const step = buildGraph(
  (s) => {
    const h = s.input('h', [2, 3]); // carry
    const x = s.input('x', [2, 4]); // one step's slice of the sequence
    const W = s.input('W', [4, 3]); // loop-invariant inputs
    const U = s.input('U', [3, 3]);
    const next = x.matmul(W).add(h.matmul(U)).tanh();
    return { h_next: next, y: next }; // next carries first, then per-step outputs
  },
  { dtype: 'float64' },
);
const b = new GraphBuilder('float64');
const [h0, xs, W, U] = [b.input('h0', [2, 3]), b.input('xs', [1000, 2, 4]), b.input('W', [4, 3]), b.input('U', [3, 3])];
const { finals, outputs } = loop({ body: step, carries: [h0], sequences: [xs], invariants: [W, U], save: true });
const g = b.build({ loss: outputs[0]!.square().mean(), hT: finals[0]! });
const dg = grad(g, { of: 'loss', wrt: ['W', 'U'] }); // a reverse loop over the step's VJP
console.log(dg.nodes.filter((n) => n.op === 'loop').length); // 2
console.log(print(g).includes('body of %')); // true (print shows the body, indented, under its loop)

const feeds = {
  h0: ndarray(new Array(6).fill(0.1), [2, 3]),
  xs: ndarray(
    Array.from({ length: 8000 }, (_, i) => Math.sin(i)),
    [1000, 2, 4],
  ),
};
const weights = {
  W: ndarray(
    Array.from({ length: 12 }, (_, i) => 0.1 * Math.cos(i)),
    [4, 3],
  ),
  U: ndarray(
    Array.from({ length: 9 }, (_, i) => 0.1 * Math.sin(i)),
    [3, 3],
  ),
};
const reference = interpret(dg, { ...feeds, ...weights });
const compiled = compile(dg, { dtype: 'float64' }).run({ ...feeds, ...weights }); // each body compiled once, run 1000 times
console.log(Math.abs(compiled['grad:W']!.data[0]! - reference['grad:W']!.data[0]!) < 1e-12); // true

// 2. unroll runs each layer and direction as one loop from 256 steps on (loop: 'auto'; 'always', 'never').
//    With lengths, the graph built for 1000 steps serves every sequence up to 1000 steps long.
const sizes = { input: 8, hidden: 16, batch: 4, steps: 1000, lengths: true };
const { builder, outputs: unrolled } = GraphBuilder.extend(unroll(lstm, sizes));
const train = grad(builder.build({ loss: unrolled.out!.square().mean() }), { of: 'loss', wrt: ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] });
console.log(train.nodes.length < 100); // true (step by step, loop: 'never', it holds 77 008 nodes)
const exe = compile(train);
const out = exe.run({ ...cellFeeds(lstm, sizes, 1), lengths: ndarray([1000, 700, 250, 3], [4]) });
console.log(exe.stats.loops, out.loss!.data[0]! > 0); // 2 true
