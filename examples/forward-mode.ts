// docs/autodiff.md's forward-mode example, verbatim (test/docs/autodiff-doc.test.ts keeps the two equal and runs it).
import { cellFeeds, extendGraph, grad, gradcheck, hvp, interpret, jvp, linearize, lstm, unroll } from 'cellgrad';

const sizes = { input: 3, hidden: 4, batch: 2, steps: 5, dtype: 'float64' as const };
const g = unroll(lstm, sizes);
const feeds = cellFeeds(lstm, sizes, 0);

// J·u for a direction u in the recurrent weights: one forward sweep, no cotangent.
const fg = jvp(g, { wrt: ['weight_hh'], of: ['h_T'] }); // adds input 'tan:weight_hh', output 'jvp:h_T'
const u = { shape: [16, 4], data: Float64Array.from({ length: 64 }, (_, i) => Math.sin(i)) };
const dh = interpret(fg, { ...feeds, 'tan:weight_hh': u })['jvp:h_T']!;

// The same number from reverse mode: vᵀ(J u) = (vᵀJ) u, here for v = ones (loss = sum(h_T)).
const withLoss = extendGraph(g, ({ outputs }) => ({ loss: outputs.h_T!.sum() }));
const vJ = interpret(grad(withLoss, { wrt: ['weight_hh'] }), feeds)['grad:weight_hh']!;
const forwardDot = Array.from(dh.data).reduce((a, b) => a + b, 0);
const reverseDot = Array.from(vJ.data).reduce((a, b, i) => a + b * u.data[i]!, 0);
console.log(Math.abs(forwardDot - reverseDot) < 1e-12); // true

// linearize: the map u ↦ J·u at this point, as a graph whose only input is the tangent.
const { linear, apply } = linearize(g, feeds, { wrt: ['weight_hh'], of: ['h_T'] });
console.log(linear.inputs.map((p) => p.name).join()); // tan:weight_hh
console.log(Math.abs(apply({ 'tan:weight_hh': u })['jvp:h_T']!.data[0]! - dh.data[0]!) < 1e-12); // true

// Hessian-vector products by forward over reverse: H·u without forming H.
const hg = hvp(withLoss, { of: 'loss', wrt: ['weight_hh'] });
const Hu = interpret(hg, { ...feeds, 'tan:weight_hh': u })['hvp:weight_hh']!;
console.log(Hu.shape.join('×')); // 16×4

// gradcheck in both modes (JAX's check_grads): forward and reverse against finite differences and each other.
console.log(gradcheck(g, feeds, { modes: ['fwd', 'rev'], mode: 'fast' }).passed); // true
