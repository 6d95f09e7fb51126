/**
 * The cellgrad demo (`pnpm demo`): a researcher's new cell, from declaration to proven gradients.
 *
 * 1. declare a cell nobody ships (a minimal gated unit) in fifteen lines;
 * 2. unroll it over time into one symbolic graph and print that graph;
 * 3. differentiate a loss symbolically (reverse mode, a graph → graph transform);
 * 4. run the value and the gradients in float64 and float32 and compare them;
 * 5. prove every gradient — parameters, inputs, initial state — against central finite
 *    differences (full Jacobian, PyTorch's tolerances), the second derivatives too, and the
 *    built-in cells against PyTorch's own reference vectors;
 * 6. write everything measured to demo-output/results.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinCells, cellFeeds, checkReferenceFile, defineCell, extendGraph, formatGradcheck, grad, gradcheck,
  interpret, linear, print, unroll, type Graph,
} from 'cellgrad';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'demo-output');
const say = (s = '') => console.log(s);

// 1. A new cell in fifteen lines: the minimal gated unit (Zhou et al. 2016).
const mgu = defineCell({
  name: 'mgu',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => {
    const [Wf, Wn] = W!.split(2, 0);
    const [Uf, Un] = U!.split(2, 0);
    const [bf, bn] = b!.split(2);
    const f = linear(x, Wf!, bf).add(linear(h!, Uf!)).sigmoid();
    const n = linear(x, Wn!, bn).add(linear(f.mul(h!), Un!)).tanh();
    return { h: f.oneMinus().mul(h!).add(f.mul(n)) };
  },
});

/** The cell unrolled, with loss = mean(out²) added as an output. */
function withLoss(g: Graph): Graph {
  return extendGraph(g, ({ outputs }) => ({ ...outputs, loss: outputs.out!.square().mean() }));
}

say('== 1. a new cell: the minimal gated unit, declared in fifteen lines');
const sizes = { input: 3, hidden: 4, batch: 2, steps: 6 };
const oneStep = unroll(mgu, { ...sizes, steps: 1, dtype: 'float64' });
say(print(oneStep));

say('\n== 2. unrolled over 6 steps: one graph, weights shared by every step');
const forward = withLoss(unroll(mgu, { ...sizes, dtype: 'float64' }));
say(`${forward.nodes.length} nodes, inputs ${forward.inputs.map((p) => p.name).join(', ')}; outputs ${forward.outputs.map((p) => p.name).join(', ')}`);

say('\n== 3. reverse mode: the gradient is another graph');
const backward = grad(forward, { of: 'loss' });
say(`${backward.nodes.length} nodes; gradient outputs ${backward.outputs.filter((p) => p.name.startsWith('grad:')).map((p) => p.name).join(', ')}`);
say(print(backward).split('\n').slice(-4).join('\n'));

say('\n== 4. float64 and float32');
const feeds = cellFeeds(mgu, sizes, 7);
const r64 = interpret(backward, feeds, { dtype: 'float64' });
const r32 = interpret(backward, feeds, { dtype: 'float32' });
let worst32 = 0;
for (const name of Object.keys(r64)) {
  const a = r64[name]!.data;
  const b = r32[name]!.data;
  const scale = Math.max(1e-30, ...Array.from(a, Math.abs));
  for (let i = 0; i < a.length; i++) worst32 = Math.max(worst32, Math.abs(a[i]! - b[i]!) / scale);
}
say(`loss float64 ${r64.loss!.data[0]}  float32 ${r32.loss!.data[0]}; largest float32 deviation ${worst32.toExponential(2)} (relative to each tensor's scale)`);

say('\n== 5. the gradients, proven: every Jacobian element against central finite differences (float64)');
const timeAxes = { x: 0, out: 0 };
const check = gradcheck(unroll(mgu, { ...sizes, dtype: 'float64' }), feeds, { timeAxes });
say(formatGradcheck(check));
say('\nsecond order (the gradient graph differentiated again), fast mode:');
const check2 = gradcheck(unroll(mgu, { ...sizes, steps: 3, dtype: 'float64' }), cellFeeds(mgu, { ...sizes, steps: 3 }, 7), { order: 2, mode: 'fast', timeAxes });
say(formatGradcheck(check2));

const builtins: { cell: string; passed: boolean; evaluations: number; seconds: number }[] = [];
say('\nbuilt-in cells (PyTorch numerics):');
for (const [name, cell] of Object.entries(builtinCells)) {
  const small = { input: 3, hidden: 3, batch: 2, steps: 4 };
  const r = gradcheck(unroll(cell, { ...small, dtype: 'float64' }), cellFeeds(cell, small, 1), { timeAxes });
  builtins.push({ cell: name, passed: r.passed, evaluations: r.evaluations, seconds: r.seconds });
  say(`  ${name.padEnd(9)} ${r.passed ? 'pass' : 'FAIL'}  worst rel err ${Math.max(...r.orders[0]!.inputs.map((i) => i.maxRelError)).toExponential(2)}  (${r.evaluations} evaluations)`);
}

const refDir = path.resolve(root, '../shared/reference');
const references: { file: string; passed: boolean; worst: number }[] = [];
if (existsSync(refDir)) say(`\nagainst PyTorch's reference vectors (${refDir}):`);
else say(`\nPyTorch's reference vectors: skipped (no folder ${refDir})`);
for (const file of existsSync(refDir) ? ['rnn_tanh.json', 'lstm.json', 'gru.json'] : []) {
  try {
    const reports = checkReferenceFile(path.join(refDir, file), { tolerance: 1e-9 });
    const worst = Math.max(...reports.flatMap((r) => r.comparisons.map((c) => c.maxRelError)));
    references.push({ file, passed: reports.every((r) => r.passed), worst });
    say(`  ${file.padEnd(14)} ${reports.every((r) => r.passed) ? 'pass' : 'FAIL'}  max relative error ${worst.toExponential(2)}`);
  } catch (e) {
    references.push({ file, passed: false, worst: NaN });
    say(`  ${file.padEnd(14)} FAIL: ${(e as Error).message}`);
  }
}

mkdirSync(outDir, { recursive: true });
const results = {
  cell: 'mgu', sizes,
  gradcheck: { passed: check.passed, secondOrderPassed: check2.passed, inputs: check.orders[0]!.inputs },
  float32Deviation: worst32,
  builtins, references,
};
writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
const allPassed = check.passed && check2.passed && builtins.every((b) => b.passed) && references.every((r) => r.passed);
say(`\n${allPassed ? 'All gradients proven.' : 'Some checks FAILED (see above).'} Results in ${path.relative(root, path.join(outDir, 'results.json'))}`);
process.exitCode = allPassed ? 0 : 1;
