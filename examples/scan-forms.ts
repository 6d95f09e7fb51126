// The two other forms of a scan: chunked (for threads; compile's `scan`) and log space (unroll's `scanForm`).
import { cellFeeds, compile, defineCell, gradcheck, GraphBuilder, interpret, linear, ops, unroll } from 'cellgrad';

// Chunked: the same linear_scan, cut into chunks of 100 steps (reduce, carries, apply).
const b = new GraphBuilder('float64');
const h = ops.linearScan(b.input('a', [1000, 4]), b.input('b', [1000, 4]), b.input('h0', [4]));
const g = b.build({ h });
const feeds = {
  a: { shape: [1000, 4], data: Float64Array.from({ length: 4000 }, (_, i) => 0.9 + 0.1 * Math.sin(i)) },
  b: { shape: [1000, 4], data: Float64Array.from({ length: 4000 }, (_, i) => Math.cos(i)) },
  h0: { shape: [4], data: new Float64Array(4) },
};
const chunked = compile(g, { dtype: 'float64', scan: 'chunked', scanChunk: 100 });
const sequential = interpret(g, feeds).h!.data;
console.log(
  chunked.stats.chunkedScans,
  chunked.run(feeds).h!.data.every((v, i) => Math.abs(v - sequential[i]!) < 1e-12),
); // 1 true

// Log space: minGRU with a positive candidate, h' = (1 − z) ⊙ h + z ⊙ g(ĥ).
const minGruG = defineCell({
  name: 'mingru_g',
  params: ({ input: I, hidden: H }) => ({ weight: [2 * H, I], bias: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { weight, bias }) => {
    const [zPre, hPre] = linear(x, weight, bias).split(2, -1);
    const z = zPre.sigmoid();
    const candidate = hPre.relu().add(hPre.neg().relu().neg().sigmoid()); // v + ½ for v ≥ 0, σ(v) below
    return { h: z.oneMinus().mul(h).add(z.mul(candidate)) };
  },
});
const options = { input: 3, hidden: 4, batch: 2, steps: 20, dtype: 'float64' as const, scanForm: 'log' as const };
const logForm = unroll(minGruG, options);
console.log(logForm.nodes.filter((n) => n.op === 'log_linear_scan').length); // 1
const cellInputs = cellFeeds(minGruG, options, 0); // initial states drawn > 0 for the log form
const direct = interpret(unroll(minGruG, { ...options, scanForm: 'direct' }), cellInputs).out!.data;
console.log(interpret(logForm, cellInputs).out!.data.every((v, i) => Math.abs(v - direct[i]!) < 1e-12)); // true
console.log(gradcheck(logForm, cellInputs).passed); // true
