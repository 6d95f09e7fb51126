/**
 * The non-finite debug mode: `interpret(g, feeds, { checkFinite: true })`, `checkedExecutable` over a
 * compiled plan and `cellgrad gradcheck --check-finite` stop at the first node that produces NaN or
 * ±Infinity and report the op, the node, the user's cell and time step, and the inputs' ranges, as a
 * CellgradError of kind 'nonfinite'.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, checkedExecutable, compile, interpret, NonFiniteError, type NDArray } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, defineCell, unroll } from '@cellgrad/cells';
import { cellgrad } from '../cli/helpers.js';
import { thrown } from './helpers.js';

/** x → log(x − 2) → ·3 → sum: NaN first appears at the log wherever x < 2. */
const logGraph = () =>
  buildGraph(
    (b) => {
      const x = b.input('x', [4]);
      return { y: x.sub(2).log().mul(3).sum() };
    },
    { dtype: 'float64' },
  );

function nonFinite(fn: () => unknown): NonFiniteError {
  const e = thrown(fn);
  expect(e.kind).toBe('nonfinite');
  expect(e).toBeInstanceOf(NonFiniteError);
  return e as NonFiniteError;
}

describe('interpret with checkFinite', () => {
  it('stops at the first node producing NaN and reports op, node and input ranges', () => {
    const g = logGraph();
    const feeds = { x: [3, 5, 1, 2.5] };
    expect(Number.isNaN(interpret(g, feeds).y!.data[0])).toBe(true); // silently NaN without the check
    const e = nonFinite(() => interpret(g, feeds, { checkFinite: true }));
    const log = g.nodes.find((n) => n.op === 'log')!;
    expect(e.report).toMatchObject({ node: log.id, op: 'log', index: 2, shape: [4] });
    expect(Number.isNaN(e.report.value)).toBe(true);
    expect(e.report.inputs).toEqual([{ min: -1, max: 3, nan: 0, posInf: 0, negInf: 0, size: 4 }]);
    expect(e.report.output).toMatchObject({ nan: 1, posInf: 0, negInf: 0 });
    expect(e.message).toBe(
      `non-finite value: node %${log.id} (log) produced NaN at flat index 2 of [4]; ` +
        `output: min ${Math.log(0.5)}, max ${Math.log(3)}, 1 non-finite (1 NaN); input 0: min -1, max 3, all finite`,
    );
  });

  it('finite values pass unchanged', () => {
    const g = logGraph();
    const feeds = { x: [3, 5, 4, 2.5] };
    expect(interpret(g, feeds, { checkFinite: true })).toEqual(interpret(g, feeds));
  });

  it('reports ±Infinity and -Infinity counts, and a non-finite feed as the input that was fed', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [3]).exp().neg() }), { dtype: 'float64' });
    const e = nonFinite(() => interpret(g, { x: [1, 800, 900] }, { checkFinite: true }));
    expect(e.report.op).toBe('exp');
    expect(e.report.output).toMatchObject({ posInf: 2, min: Math.E, max: Math.E });
    expect(e.message).toMatch(/produced Infinity at flat index 1 of \[3\]; output: .* 2 non-finite \(2 \+Inf\); input 0: min 1, max 900, all finite$/);
    const fed = nonFinite(() => interpret(g, { x: [1, Number.NaN, -Infinity] }, { checkFinite: true }));
    expect(fed.report).toMatchObject({ input: 'x', op: 'input', index: 1 });
    expect(fed.message).toMatch(
      /^non-finite value: input 'x' \(node %0\) was fed NaN at flat index 1 of \[3\]; output: min 1, max 1, 2 non-finite \(1 NaN, 1 -Inf\)$/,
    );
  });

  it("names the user's cell and the time step where a recurrent state blows up", () => {
    // h ← h + x + 0·log(3.5 − h): with h0 = 0 and x = 1, h = t before step t, so log's argument turns negative at step 4.
    const counter = defineCell({
      name: 'counter',
      params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: ({ x, h }, { W }) => ({ h: h.add(x.matmul(W.T)).add(h.neg().add(3.5).log().mul(0)) }),
    });
    const opts = { input: 1, hidden: 1, batch: 1, steps: 7, dtype: 'float64' as const };
    const g = unroll(counter, opts);
    const fill: Record<string, number> = { x: 1, h0: 0, W: 1 };
    const feeds: Record<string, NDArray> = Object.fromEntries(
      Object.entries(cellFeeds(counter, opts, 0)).map(([k, v]) => [k, { shape: v.shape, data: new Float64Array(v.data.length).fill(fill[k]!) }]),
    );
    const e = nonFinite(() => interpret(g, feeds, { checkFinite: true }));
    expect(e.report.op).toBe('log');
    expect(e.report.scope).toMatchObject({ cell: 'counter', step: 4 });
    expect(e.message).toMatch(/produced NaN .* in cell 'counter', layer 0, step 4; .*input 0: min -0\.5, max -0\.5, all finite$/);
  });

  it('marks a non-finite value first produced by the backward pass', () => {
    // sqrt(x²) at x = 0: the forward value is 0, its derivative 1/(2·0) is infinite.
    const g = buildGraph((b) => ({ loss: b.input('x', [2]).square().sqrt().sum() }), { dtype: 'float64' });
    const dg = grad(g, { of: 'loss' });
    const e = nonFinite(() => interpret(dg, { x: [0, 1] }, { checkFinite: true }));
    expect(e.report.scope?.phase).toBe('backward');
    expect(e.message).toMatch(/in backward pass;/);
  });
});

describe('the compiled executor', () => {
  it('checkedExecutable locates the same node as the interpreter, in float64 and float32', () => {
    const g = logGraph();
    for (const dtype of ['float64', 'float32'] as const) {
      const exe = checkedExecutable(compile(g, { dtype }));
      const e = nonFinite(() => exe.run({ x: [3, 5, 1, 2.5] }));
      const want = nonFinite(() => interpret(g, { x: [3, 5, 1, 2.5] }, { dtype, checkFinite: true }));
      expect(e.report).toEqual(want.report);
      const ok = { x: [3, 5, 4, 2.5] };
      expect(Array.from(exe.run(ok).y!.data)).toEqual(Array.from(compile(g, { dtype }).run(ok).y!.data));
    }
  });
});

describe('compile(g, { checkFinite: true })', () => {
  it("names the culprit in the user's graph, not in the optimised plan", () => {
    // mul(1) and add(0) are simplified away in the plan, so its node ids differ from g's.
    const g = buildGraph((b) => ({ y: b.input('x', [3]).mul(1).add(0).sub(2).log().sum() }), { dtype: 'float64' });
    const log = g.nodes.find((n) => n.op === 'log')!;
    for (const dtype of ['float64', 'float32'] as const) {
      const plan = compile(g, { dtype });
      expect(plan.graph.nodes.find((n) => n.op === 'log')!.id).not.toBe(log.id);
      const e = nonFinite(() => compile(g, { dtype, checkFinite: true }).run({ x: [3, 1, 4] }));
      expect(e.report).toMatchObject({ node: log.id, op: 'log', index: 1 });
      expect(Array.from(compile(g, { dtype, checkFinite: true }).run({ x: [3, 5, 4] }).y!.data)).toEqual(Array.from(plan.run({ x: [3, 5, 4] }).y!.data));
    }
  });
});

describe('cellgrad gradcheck --check-finite', () => {
  const args = ['gradcheck', 'test/robustness/fixtures/exploding-cell.ts', '--steps', '7', '--hidden', '3', '--input', '2', '--batch', '2', '--mode', 'fast'];

  it('stops at the first Infinity: one line naming op, node, cell, step and input ranges; exit 2', async () => {
    const r = await cellgrad([...args, '--check-finite']);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    // The exploding cell is a linear recurrence (h' = 1e60 ⊙ h + …), so it runs as a linear_scan:
    // the one node holds every step, and the report names the step of the first non-finite row.
    expect(lines[0]).toMatch(
      /^cellgrad: non-finite value: node %\d+ \(linear_scan\) produced -?Infinity at flat index 3\d of \[7,2,3\] in cell 'exploding', layer 0, step 5; output: .*non-finite.*; input 0: min 1e\+60, max 1e\+60, all finite; input 1: min -?[\d.e+-]+, max -?[\d.e+-]+, all finite; input 2: .*all finite$/,
    );
  });

  it('without the flag the same check runs to its report (no non-finite stop)', async () => {
    const r = await cellgrad(args);
    expect(r.stderr).not.toMatch(/non-finite value/);
    expect([0, 1]).toContain(r.code);
  });
});

describe('cellgrad train --check-finite', () => {
  const args = [
    'train',
    '--cell',
    'test/robustness/fixtures/exploding-f32-cell.ts',
    '--task',
    'adding',
    '--steps',
    '12',
    '--hidden',
    '4',
    '--batch',
    '4',
    '--iterations',
    '3',
    '--json',
  ];

  // The cell is a linear recurrence (h' = 1e6·h + x·W): by default it trains as a scan, whose overflow
  // is named with the time step of its flat index; step by step (--scan never) the step's own mul.
  it.each([
    ['compiled', 'auto', /\(linear_scan\) produced -?Infinity at flat index \d+ of \[12,4,4\]/],
    ['interpreted', 'auto', /\(linear_scan\) produced -?Infinity at flat index \d+ of \[12,4,4\]/],
    ['compiled', 'never', /\(mul\) produced -?Infinity at flat index \d+ of \[4,4\]/],
    ['interpreted', 'never', /\(mul\) produced -?Infinity at flat index \d+ of \[4,4\]/],
  ] as const)('%s executor, scan %s: stops at the overflowing node with one line, exit 2', async (executor, scan, node) => {
    const r = await cellgrad([...args, '--executor', executor, '--check-finite', '--scan', scan]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('cellgrad: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(node);
    expect(lines[0]).toMatch(
      /^cellgrad: non-finite value: node %\d+ \(\w+\) produced -?Infinity at flat index \d+ of \[[\d,]+\] in cell 'exploding_f32', layer 0, step \d+; output: .*; input 0: .*all finite; input 1: .*all finite/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('without the flag the run still stops at the non-finite loss (exit 2), naming the iteration but not the node', async () => {
    const r = await cellgrad(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('cellgrad: '));
    expect(lines).toEqual(['cellgrad: iteration 1: loss is NaN (training diverged: lower the learning rate or clip the gradients)']);
  });

  it('a healthy run is unchanged by the flag', async () => {
    const healthy = [
      'train',
      '--cell',
      'gru',
      '--task',
      'adding',
      '--steps',
      '6',
      '--hidden',
      '4',
      '--batch',
      '4',
      '--iterations',
      '4',
      '--seed',
      '2',
      '--json',
    ];
    const [plain, checked] = await Promise.all([cellgrad(healthy), cellgrad([...healthy, '--check-finite'])]);
    expect(checked.code).toBe(0);
    const a = JSON.parse(plain.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    const b = JSON.parse(checked.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(b.loss).toBe(a.loss);
    expect(b.heldOut).toBe(a.heldOut);
  });
});
