// The log-space scan: `log_linear_scan` (op, VJP, compiled step) and `unroll`'s scanForm 'log'. The
// op gradchecks (float64, both directions, to second order, h0 = 0 included); minGRU with the
// paper's positive g(x) run in log space equals the direct scan and the step loop to 1e-12 in
// float64 and gradchecks; compiled plans equal the interpreter; coefficients not known to be
// positive are refused by name. And where the log form is more accurate in float32 (values out of
// float32's range, kept as logs) and where it is not (values in range: both within a few ulps).
import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, defineCell, getBuiltinCell, unroll, type UnrollOptions } from '@cellgrad/cells';
import { compile, extendGraph, GraphBuilder, interpret, linear, ndarray, ops, verify, type Feeds, type Graph } from '@cellgrad/graph';
import { expectClose } from '../passes/helpers.js';
import { cellgrad, repoRoot } from '../cli/helpers.js';

/** minGRU with the paper's g (Feng et al. 2024): h̃ = g(x W_h + b_h) > 0, g(v) = v + ½ for v ≥ 0, σ(v) below. */
const minGruG = defineCell({
  name: 'mingru_g',
  params: ({ input: I, hidden: H }) => ({ weight: [2 * H, I], bias: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { weight, bias }) => {
    const [zPre, hPre] = linear(x, weight, bias).split(2, -1);
    const z = zPre.sigmoid();
    // relu(v) + σ(−relu(−v)): v + ½ for v ≥ 0, σ(v) for v < 0.
    const candidate = hPre.relu().add(hPre.neg().relu().neg().sigmoid());
    return { h: z.oneMinus().mul(h).add(z.mul(candidate)) };
  },
});

const opCount = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).length;

/** loss = Σ out ⊙ tanh(out) + Σ h_T². */
function withLoss(g: Graph): Graph {
  return extendGraph(g, (ctx) => ({ loss: ctx.outputs.out!.mul(ctx.outputs.out!.tanh()).sum().add(ctx.outputs.h_T!.square().sum()) }));
}

/** Feeds of the cell with h0 made positive (the log form needs h ≥ 0). */
function positiveFeeds(options: UnrollOptions, seed: number): Feeds {
  const feeds = cellFeeds(minGruG, { ...options, dtype: 'float64' }, seed);
  const h0 = feeds.h0!;
  return {
    ...feeds,
    h0: ndarray(
      Float64Array.from(h0.data, (v) => 0.1 + Math.abs(v)),
      [...h0.shape],
      'float64',
    ),
  };
}

describe('log_linear_scan', () => {
  it('gradchecks to second order in float64, both directions, T = 1 and h0 = 0 included', () => {
    for (const [T, reverse, zero] of [
      [5, false, false],
      [5, true, false],
      [1, false, false],
      [4, false, true],
      [4, true, true],
    ] as const) {
      const b = new GraphBuilder('float64');
      const s = ops.logLinearScan(b.input('la', [T, 2, 3]), b.input('lb', [T, 2, 3]), b.input('h0', [2, 3]), { reverse });
      const g = b.build({ y: s.mul(s.tanh()).sum() });
      const n = T * 6;
      const feeds = {
        la: ndarray(
          Float64Array.from({ length: n }, (_, i) => -0.1 - ((i * 0.37) % 2)),
          [T, 2, 3],
          'float64',
        ),
        lb: ndarray(
          Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1.5),
          [T, 2, 3],
          'float64',
        ),
        h0: ndarray(
          Float64Array.from({ length: 6 }, (_, i) => (zero ? 0 : 0.2 + 0.3 * i)),
          [2, 3],
          'float64',
        ),
      };
      // h0 = 0 sits on the boundary of the domain (h0 ≥ 0): the gradient in h0 there is one-sided, so only la and lb are checked.
      const report = gradcheck(g, feeds, zero ? { wrt: ['la', 'lb'] } : {});
      expect(report.passed).toBe(true);
      if (!zero) expect(gradcheck(g, feeds, { order: 2, mode: 'fast', seed: 3 }).passed).toBe(true);
    }
  });

  it('equals log of linear_scan for positive coefficients, and the compiled step equals the interpreter', () => {
    const b = new GraphBuilder('float64');
    const la = b.input('la', [7, 3, 2]);
    const lb = b.input('lb', [7, 3, 2]);
    const h0 = b.input('h0', [3, 2]);
    const g = b.build({
      fwd: ops.logLinearScan(la, lb, h0),
      rev: ops.logLinearScan(la, lb, h0, { reverse: true }),
      direct: ops.linearScan(la.exp(), lb.exp(), h0).log(),
      directRev: ops.linearScan(la.exp(), lb.exp(), h0, { reverse: true }).log(),
    });
    const feeds = {
      la: ndarray(
        Float64Array.from({ length: 42 }, (_, i) => -Math.abs(Math.cos(i * 1.3)) * 3),
        [7, 3, 2],
        'float64',
      ),
      lb: ndarray(
        Float64Array.from({ length: 42 }, (_, i) => Math.sin(i) * 2),
        [7, 3, 2],
        'float64',
      ),
      h0: ndarray([0, 0.5, 1, 2, 0, 3], [3, 2], 'float64'),
    };
    const r = interpret(g, feeds);
    expectClose(r.fwd!, r.direct!, 'fwd', 1e-12);
    expectClose(r.rev!, r.directRev!, 'rev', 1e-12);
    for (const dtype of ['float64', 'float32'] as const) {
      const exe = compile(g, { dtype });
      expect(exe.stats.fallbacks).toBe(0);
      const got = exe.run(feeds);
      const want = interpret(g, feeds, { dtype });
      // The generated loop computes each step with the interpreter's expression and rounds once: equal bit for bit.
      expect([...got.fwd!.data]).toEqual([...want.fwd!.data]);
      expect([...got.rev!.data]).toEqual([...want.rev!.data]);
    }
    const bad = { ...feeds, h0: ndarray([0, 0.5, -1, 2, 0, 3], [3, 2], 'float64') };
    expect(() => interpret(g, bad)).toThrow(/log_linear_scan: h0 must be ≥ 0 .*got -1 at index 2/);
    expect(() => compile(g, { dtype: 'float64' }).run(bad)).toThrow(/log_linear_scan: h0 must be ≥ 0 .*got -1 at index 2/);
  });

  it('float32: keeps log h accurate where the values leave float32 range (the direct scan rounds them to 0)', () => {
    // a = ½, b = e^−110 at every step, h0 = 0: h_t = e^−110 · (2 − 2^−t), below float32's smallest denormal (e^−103.3).
    const T = 300;
    const b = new GraphBuilder('float32');
    const la = b.input('la', [T, 1]);
    const lb = b.input('lb', [T, 1]);
    const h0 = b.input('h0', [1]);
    const g = b.build({ log: ops.logLinearScan(la, lb, h0), direct: ops.linearScan(la.exp(), lb.exp(), h0).log() });
    const feeds = { la: ndarray(new Float32Array(T).fill(Math.log(0.5)), [T, 1]), lb: ndarray(new Float32Array(T).fill(-110), [T, 1]), h0: ndarray([0], [1]) };
    for (const r of [interpret(g, feeds), compile(g).run(feeds)]) {
      const exact = Array.from({ length: T }, (_, t) => -110 + Math.log(2 - 2 ** -t));
      const worst = Math.max(...exact.map((e, t) => Math.abs(r.log!.data[t]! - e) / Math.abs(e)));
      expect(worst).toBeLessThan(2e-7);
      expect([...r.direct!.data].every((v) => v === -Infinity)).toBe(true);
    }
  });

  it('float32, in range: for a minGRU-like recurrence both forms are within a few float32 ulps (neither is more stable)', () => {
    // a ∈ (0.5, 1), b ∈ (0, 0.5), T = 2000: h is a convex-like combination that stays in range, so
    // the direct scan has nothing to lose; measured: direct 2.2e-7, log 1.4e-7 (both ~2 ulps).
    const T = 2000;
    const C = 64;
    const aVals = Float64Array.from({ length: T * C }, (_, i) => 0.5 + 0.5 * Math.abs(Math.sin(i * 0.7)));
    const bVals = Float64Array.from({ length: T * C }, (_, i) => 0.5 * Math.abs(Math.cos(i * 1.1)));
    const build = (dtype: 'float32' | 'float64') => {
      const b = new GraphBuilder(dtype);
      const la = b.input('la', [T, C]);
      const lb = b.input('lb', [T, C]);
      const a = b.input('a', [T, C]);
      const bb = b.input('b', [T, C]);
      const h0 = b.input('h0', [C]);
      return b.build({ log: ops.logLinearScan(la, lb, h0).exp(), direct: ops.linearScan(a, bb, h0) });
    };
    const feeds = (dtype: 'float32' | 'float64') => ({
      la: ndarray(aVals.map(Math.log), [T, C], dtype),
      lb: ndarray(bVals.map(Math.log), [T, C], dtype),
      a: ndarray(aVals, [T, C], dtype),
      b: ndarray(bVals, [T, C], dtype),
      h0: ndarray(new Float64Array(C).fill(0.5), [C], dtype),
    });
    const exact = interpret(build('float64'), feeds('float64')).direct!.data;
    const r = interpret(build('float32'), feeds('float32'));
    const err = (x: ArrayLike<number>) => Array.from(exact).reduce((worst, e, i) => Math.max(worst, Math.abs(x[i]! - e) / Math.abs(e)), 0);
    const direct = err(r.direct!.data);
    const log = err(r.log!.data);
    expect(direct).toBeLessThan(1e-6);
    expect(log).toBeLessThan(1e-6);
    console.log(`float32 relative error against float64, T=${T}: direct ${direct.toExponential(2)}, log ${log.toExponential(2)}`);
  });
});

describe("unroll with scanForm 'log'", () => {
  const sizes = { input: 3, hidden: 4, batch: 2, steps: 6 };

  it('runs minGRU with a positive g as log_linear_scan, equal to the direct scan and the step loop (values and gradients, 1e-12)', () => {
    const log = unroll(minGruG, { ...sizes, dtype: 'float64', scanForm: 'log' });
    const direct = unroll(minGruG, { ...sizes, dtype: 'float64' });
    const looped = unroll(minGruG, { ...sizes, dtype: 'float64', scan: 'never' });
    verify(log);
    expect(opCount(log, 'log_linear_scan')).toBe(1);
    expect(opCount(log, 'linear_scan')).toBe(0);
    // log(1 − σ(u)) and log σ(u) are taken as −softplus(±u), never as log of a rounded gate.
    expect(opCount(log, 'softplus')).toBe(2);
    expect(opCount(direct, 'linear_scan')).toBe(1);
    const feeds = positiveFeeds(sizes, 1);
    const a = interpret(grad(withLoss(log), { of: 'loss' }), feeds);
    for (const other of [direct, looped]) {
      const b = interpret(grad(withLoss(other), { of: 'loss' }), feeds);
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(b)) expectClose(a[k]!, b[k]!, k, 1e-12);
    }
  });

  it('gradchecks in float64 (two layers) and compiles equal to the interpreter', () => {
    const options = { ...sizes, layers: 2, steps: 4 };
    const g = unroll(minGruG, { ...options, dtype: 'float64', scanForm: 'log' });
    const feeds = positiveFeeds(options, 2);
    expect(gradcheck(g, feeds).passed).toBe(true);
    const train = grad(withLoss(g), { of: 'loss' });
    for (const dtype of ['float64', 'float32'] as const) {
      const exe = compile(train, { dtype });
      expect(exe.stats.fallbacks).toBe(0);
      const got = exe.run(feeds);
      const want = interpret(train, feeds, { dtype });
      for (const k of Object.keys(want)) expectClose(got[k]!, want[k]!, k, dtype === 'float64' ? 1e-12 : 2e-5);
    }
  });

  it('refuses, by name, coefficients not known to be positive and unrolls that cannot run as scans', () => {
    // The built-in minGRU's candidate is x W_h + b_h, which may be negative.
    expect(() => unroll(getBuiltinCell('mingru'), { ...sizes, scanForm: 'log' })).toThrow(
      /unroll\(cell 'mingru'\): scanForm 'log' needs state 'h' to be h' = a ⊙ h \+ b with a and b products of positive factors, but its b: %\d+ = \w+ is not known to be positive/,
    );
    expect(() => unroll(getBuiltinCell('lstm'), { ...sizes, scanForm: 'log' })).toThrow(
      /unroll\(cell 'lstm'\): scanForm 'log', but the unroll cannot run as scans: state 'h' is not a linear recurrence/,
    );
    expect(() => unroll(minGruG, { ...sizes, scanForm: 'log', bidirectional: true })).toThrow(
      /scanForm 'log', but the unroll cannot run as scans: a bidirectional/,
    );
    expect(() => unroll(minGruG, { ...sizes, scanForm: 'log', scan: 'never' })).toThrow(
      /scanForm 'log' runs the recurrence as log-space scans, but scan is 'never'/,
    );
    expect(() => unroll(minGruG, { ...sizes, scanForm: 'exp' as never })).toThrow(/unknown scanForm "exp" \(expected 'direct' or 'log'\)/);
  });
});

describe('cellgrad gradcheck --scan-form log', () => {
  it('passes on examples/cells/mingru-log.ts and refuses the built-in minGRU (whose candidate may be negative) with exit 2', async () => {
    const ok = await cellgrad(['gradcheck', `${repoRoot}/examples/cells/mingru-log.ts`, '--scan-form', 'log', '--steps', '4', '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).passed).toBe(true);
    const refused = await cellgrad(['gradcheck', 'mingru', '--scan-form', 'log']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^cellgrad: unroll\(cell 'mingru'\): scanForm 'log' needs state 'h' .* is not known to be positive/);
  });
});
