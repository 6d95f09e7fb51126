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
 * 6. reproduce a published result (Le, Jaitly & Hinton 2015): train a tanh RNN, an IRNN, an LSTM
 *    and a GRU on the adding problem with T = 100 under the same budget, measure their gradient
 *    flow before and after, and say honestly which expectations held;
 * 7. write everything measured to demo-output/results.json (and an HTML report beside it).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinCells,
  cellFeeds,
  checkReferenceFile,
  extendGraph,
  formatGradcheck,
  grad,
  gradcheck,
  getBuiltinCell,
  interpret,
  irnn,
  print,
  unroll,
  writeReport,
  type Graph,
} from 'cellgrad';
import mgu from './cells/minimal-gated-unit.js';
import { runContestant, type CellResult, type Contestant, type RaceSettings } from './demo/adding-race.js';
import { expectations, table } from './demo/summary.js';

const demoStarted = performance.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'demo-output');
const say = (s = '') => console.log(s);

// 1. A new cell in fifteen lines, the minimal gated unit (Zhou et al. 2016): see examples/cells/minimal-gated-unit.ts.

/** The cell unrolled, with loss = mean(out²) added as an output. */
function withLoss(g: Graph): Graph {
  return extendGraph(g, ({ outputs }) => ({ ...outputs, loss: outputs.out!.square().mean() }));
}

say('== 1. a new cell: the minimal gated unit, declared in fifteen lines (examples/cells/minimal-gated-unit.ts)');
const sizes = { input: 3, hidden: 4, batch: 2, steps: 6 };
const oneStep = unroll(mgu, { ...sizes, steps: 1, dtype: 'float64' });
say(print(oneStep));

say('\n== 2. unrolled over 6 steps: one graph, weights shared by every step');
const forward = withLoss(unroll(mgu, { ...sizes, dtype: 'float64' }));
say(`${forward.nodes.length} nodes, inputs ${forward.inputs.map((p) => p.name).join(', ')}; outputs ${forward.outputs.map((p) => p.name).join(', ')}`);

say('\n== 3. reverse mode: the gradient is another graph');
const backward = grad(forward, { of: 'loss' });
say(
  `${backward.nodes.length} nodes; gradient outputs ${backward.outputs
    .filter((p) => p.name.startsWith('grad:'))
    .map((p) => p.name)
    .join(', ')}`,
);
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
const check2 = gradcheck(unroll(mgu, { ...sizes, steps: 3, dtype: 'float64' }), cellFeeds(mgu, { ...sizes, steps: 3 }, 7), {
  order: 2,
  mode: 'fast',
  timeAxes,
});
say(formatGradcheck(check2));

const builtins: { cell: string; passed: boolean; evaluations: number; seconds: number }[] = [];
say('\nbuilt-in cells (PyTorch numerics):');
for (const [name, cell] of Object.entries(builtinCells)) {
  const small = { input: 3, hidden: 3, batch: 2, steps: 4 };
  const r = gradcheck(unroll(cell, { ...small, dtype: 'float64' }), cellFeeds(cell, small, 1), { timeAxes });
  builtins.push({ cell: name, passed: r.passed, evaluations: r.evaluations, seconds: r.seconds });
  say(
    `  ${name.padEnd(9)} ${r.passed ? 'pass' : 'FAIL'}  worst rel err ${Math.max(...r.orders[0]!.inputs.map((i) => i.maxRelError)).toExponential(2)}  (${r.evaluations} evaluations)`,
  );
}

// The independent originals beside the repository when present, else the repository's copy of them.
const sharedDir = path.resolve(root, '../shared/reference');
const refDir = existsSync(sharedDir) ? sharedDir : path.join(root, 'test/fixtures/reference');
const references: { file: string; passed: boolean; worst: number }[] = [];
if (existsSync(refDir)) say(`\nagainst PyTorch's reference vectors (${refDir}):`);
else say(`\nPyTorch's reference vectors: skipped (no folder ${refDir})`);
for (const file of existsSync(refDir)
  ? readdirSync(refDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : []) {
  try {
    const reports = checkReferenceFile(path.join(refDir, file), { tolerance: 1e-9 });
    const worst = Math.max(...reports.flatMap((r) => r.comparisons.map((c) => c.maxRelError)));
    references.push({ file, passed: reports.every((r) => r.passed), worst });
    say(`  ${file.padEnd(21)} ${reports.every((r) => r.passed) ? 'pass' : 'FAIL'}  max relative error ${worst.toExponential(2)}`);
  } catch (e) {
    references.push({ file, passed: false, worst: NaN });
    say(`  ${file.padEnd(21)} FAIL: ${(e as Error).message}`);
  }
}

say('\n== 6. the adding problem, T = 100 (Le, Jaitly & Hinton 2015): tanh RNN, IRNN, LSTM, GRU');
const race: RaceSettings = {
  steps: 100,
  hidden: 64,
  batch: 16,
  seed: 1,
  iterations: Number(process.env.DEMO_ITERATIONS ?? 8000),
  seconds: Number(process.env.DEMO_SECONDS ?? 120),
  target: 0.01,
  heldOutBatches: 32,
  flowBatch: 4,
};
const contestants: Contestant[] = [
  { name: 'rnn_tanh', cell: getBuiltinCell('rnn_tanh'), optimizer: { kind: 'adam' }, lr: 1e-3, note: 'Adam, a standard rate for a plain RNN' },
  { name: 'irnn', cell: irnn, optimizer: { kind: 'rmsprop' }, lr: 3e-4, note: 'identity recurrent init needs a small rate (Le et al.)' },
  { name: 'lstm', cell: getBuiltinCell('lstm'), optimizer: { kind: 'adam' }, lr: 1e-2, note: 'Adam' },
  { name: 'gru', cell: getBuiltinCell('gru'), optimizer: { kind: 'adam' }, lr: 1e-2, note: 'Adam' },
];
say(
  `same budget for every cell: at most ${race.iterations} iterations of ${race.batch} sequences and ${race.seconds} s, stopping early once the held-out MSE < ${race.target};`,
);
say(
  `hidden ${race.hidden}, global-norm clipping 1, seed ${race.seed}; the final MSE is measured on ${race.heldOutBatches * race.batch} held-out sequences; predicting the mean scores 0.167`,
);
const raceStarted = performance.now();
const trained: CellResult[] = [];
for (const c of contestants) {
  say(`${c.name} (${c.optimizer.kind} lr ${c.lr}: ${c.note})`);
  const r = runContestant(c, race, say);
  trained.push(r);
  say(
    `  → ${r.iterations} iterations, ${r.seconds.toFixed(1)} s${r.stoppedEarly ? ' (reached the target)' : r.timedOut ? ' (time cap)' : ''}; held-out MSE ${r.finalMSE.toFixed(4)}; gradcheck of the training graph ${r.gradcheckPassed ? 'passed' : 'FAILED'}`,
  );
}
const raceSeconds = (performance.now() - raceStarted) / 1000;

say('\n== 7. results');
say(table(trained, race.target));
say('\ngradient flow |dh(T)/dh(t)| at the end of training (t = 0, 33, 66, 99; power iteration, double-VJP products):');
for (const r of trained) {
  const pick = r.flowAtEnd.jacobianNorms.filter((p) => [0, 33, 66, 99].includes(p.step)).map((p) => `t=${p.step}: ${p.norm.toExponential(1)}`);
  say(`  ${r.name.padEnd(9)} ${pick.join('  ')}`);
}
const claims = expectations(trained, race.target);
say('\nthe published picture, checked against what was measured here:');
for (const c of claims) say(`  [${c.held ? 'held' : 'NOT reproduced'}] ${c.claim}`);
say(`(training took ${raceSeconds.toFixed(0)} s in all)`);

mkdirSync(outDir, { recursive: true });
const slim = (r: CellResult) => ({
  name: r.name,
  finalMSE: r.finalMSE,
  iterations: r.iterations,
  seconds: r.seconds,
  gradcheckPassed: r.gradcheckPassed,
  optimizer: r.optimizer,
  stoppedEarly: r.stoppedEarly,
  timedOut: r.timedOut,
});
const results = {
  seconds: 0,
  cell: 'mgu',
  sizes,
  gradcheck: { passed: check.passed, secondOrderPassed: check2.passed, inputs: check.orders[0]!.inputs },
  float32Deviation: worst32,
  builtins,
  references,
  adding: {
    task: 'adding',
    steps: race.steps,
    baseline: 1 / 6,
    settings: race,
    seconds: raceSeconds,
    cells: trained.map(slim),
    expectations: claims,
  },
  report: {
    lossCurves: trained.map((r) => ({ name: r.name, points: r.lossCurve })),
    flow: trained.map((r) => ({
      name: r.name,
      norms: r.flowAtEnd.stateGradNorms,
      byIteration: r.flowByIteration.norms,
      iterations: r.flowByIteration.iterations,
    })),
    jacobian: trained.map((r) => ({ name: r.name, atInit: r.flowAtInit.jacobianNorms, atEnd: r.flowAtEnd.jacobianNorms })),
  },
};
results.seconds = Number(((performance.now() - demoStarted) / 1000).toFixed(1));
writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
// The report's data on its own (viz's ReportData), for `cellgrad report --data demo-output/report-data.json`.
const reportData = {
  title: 'cellgrad demo: the adding problem, T = 100',
  subtitle: `tanh RNN, IRNN, LSTM, GRU; ${race.iterations} iterations / ${race.seconds} s budget each`,
  lossCurves: results.report.lossCurves,
  flow: results.report.flow,
  gradcheck: [{ cell: 'mgu', report: check }],
  // The new cell as graphs: one step, unrolled over 4 steps (one cluster per step, recurrent edges
  // drawn as such), and its gradient graph (backward nodes marked).
  graphs: [
    { title: 'mgu: one step', graph: unroll(mgu, { ...sizes, steps: 1 }) },
    { title: 'mgu: unrolled over 4 steps', graph: unroll(mgu, { ...sizes, steps: 4 }) },
    { title: 'mgu: gradient of mean(out²), 3 steps', graph: grad(withLoss(unroll(mgu, { ...sizes, steps: 3 })), { of: 'loss' }) },
  ],
};
writeFileSync(path.join(outDir, 'report-data.json'), JSON.stringify(reportData));
try {
  const html = await writeReport(path.join(outDir, 'report.html'), reportData);
  say(`report: ${path.relative(root, html)}`);
} catch (e) {
  say(`(HTML report not written: ${(e as Error).message})`);
}
const allPassed =
  check.passed && check2.passed && builtins.every((b) => b.passed) && references.every((r) => r.passed) && trained.every((r) => r.gradcheckPassed);
say(
  `\n${allPassed ? 'All gradients proven.' : 'Some checks FAILED (see above).'} The demo took ${((performance.now() - demoStarted) / 1000).toFixed(0)} s. Results in ${path.relative(root, path.join(outDir, 'results.json'))}`,
);
process.exitCode = allPassed ? 0 : 1;
