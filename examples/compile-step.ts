// docs/compile.md's example, verbatim (test/docs/compile-doc.test.ts keeps the two equal and runs it).
import { cellFeeds, compile, grad, GraphBuilder, lstm, unroll } from 'cellgrad';

// An LSTM training step: unroll over 50 steps, loss = mean(h²), gradient to every weight.
const sizes = { input: 32, hidden: 64, batch: 16, steps: 50 };
const { builder, outputs } = GraphBuilder.extend(unroll(lstm, sizes));
const step = builder.build({ loss: outputs.out!.square().mean() });
const g = grad(step, { of: 'loss', wrt: ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] });
const feeds = cellFeeds(lstm, sizes, /* seed */ 1);

const exe = compile(g, { dtype: 'float32' });     // optimise, fuse, plan, generate: once per graph
const out = exe.run(feeds);                         // views into the plan's buffers, valid until the next run
const loss = out.loss!.data[0]!;
const dW = out['grad:weight_hh']!.data.slice();     // copy what you keep
console.log(loss > 0, dW.length);                   // true 16384 (4H × H)
console.log(exe.stats.matmulKernel);                // wasm-simd-4x8

// Where the time goes, most expensive first: e.g. "matmul 96×800 · 800×256", 27%.
const profile = exe.profile(feeds, 5);
console.log(profile.some((s) => s.label.startsWith('matmul'))); // true (which one tops it depends on the machine)

// Two threads (products, and fused loops, sums and scans big enough): the same numbers, bit for bit.
const exe2 = compile(g, { dtype: 'float32', threads: 2 });
console.log(exe2.run(feeds).loss!.data[0] === loss); // true
console.log(exe2.stats.threaded > 0);               // true: steps split over the two threads (profile labels end in '· 2 threads')
exe2.dispose();                                      // stop its worker (optional: it never holds the process)
