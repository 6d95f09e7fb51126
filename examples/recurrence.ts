// A cell of one's own whose state is a linear recurrence: cellgrad finds it and runs it as a scan.
import { analyzeRecurrence, cellFeeds, defineCell, grad, gradcheck, interpret, linear, unroll } from 'cellgrad';

// A gated leaky integrator: the gate and the candidate read only x, so h' = a ⊙ h + b.
export const leaky = defineCell({
  name: 'leaky',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], b: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, b }) => {
    const [gate, candidate] = linear(x, W, b).layerNorm().split(2, -1);
    const keep = gate.sigmoid();
    return { h: keep.mul(h).add(keep.oneMinus().mul(candidate.tanh())) };
  },
});

const r = analyzeRecurrence(leaky);
console.log(
  r.linear,
  r.core.map((n) => n.op),
); // true [ 'input', 'mul', 'add' ]: the core is the scan itself

const options = { input: 3, hidden: 4, batch: 2, steps: 50, dtype: 'float64' as const };
const scanned = unroll(leaky, options); // scan: 'auto' (the default)
const looped = unroll(leaky, { ...options, scan: 'never' });
console.log(scanned.nodes.filter((n) => n.op === 'linear_scan').length, scanned.nodes.length < looped.nodes.length); // 1 true

const feeds = cellFeeds(leaky, options, 0);
const a = interpret(grad(scanned, { of: 'h_T', cotangent: true }), { ...feeds, 'cotangent:h_T': feeds.h0! });
const b = interpret(grad(looped, { of: 'h_T', cotangent: true }), { ...feeds, 'cotangent:h_T': feeds.h0! });
const diff = Math.max(...Object.keys(b).flatMap((k) => [...b[k]!.data].map((v, i) => Math.abs(v - a[k]!.data[i]!))));
console.log(diff < 1e-12); // true: the same values and gradients as the step loop

console.log(gradcheck(scanned, feeds).passed); // true
