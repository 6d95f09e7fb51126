// The loop op: one step graph run T times. Values equal the same step unrolled T times (float64, 1e-12);
// gradients equal the unrolled graph's and gradcheck to second order; compiled equals interpreted;
// serialize, verify, print, cast and the passes keep the body; a body whose signature does not fit is
// a clear error.
import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '@cellgrad/autodiff';
import {
  buildGraph,
  castGraph,
  CellgradError,
  compile,
  deserialize,
  GraphBuilder,
  interpret,
  loop,
  ndarray,
  optimize,
  print,
  serialize,
  verify,
  type Graph,
  type Tensor,
} from '@cellgrad/graph';
import { expectClose } from '../passes/helpers.js';

const close = (a: { shape: readonly number[]; data: ArrayLike<number> }, b: { shape: readonly number[]; data: ArrayLike<number> }, tol: number, what: string) =>
  expectClose(a as never, b as never, what, tol);

const B = 2;
const H = 3;
const I = 2;

/** One step of a small recurrent cell with two carries: h′ = tanh(x·Wx + h·Wh + c), c′ = 0.5·c + sigmoid(h′); y = h′·h′. */
function stepOn(b: GraphBuilder | undefined, h: Tensor, c: Tensor, x: Tensor, Wx: Tensor, Wh: Tensor): { h: Tensor; c: Tensor; y: Tensor } {
  void b;
  const hn = x.matmul(Wx).add(h.matmul(Wh)).add(c).tanh();
  const cn = c.mul(0.5).add(hn.sigmoid());
  return { h: hn, c: cn, y: hn.mul(hn) };
}

/** The step as a loop body; with `shared`, its output is h′ itself (so the saved h share the outputs' stack). */
const bodyOf = (shared: boolean) =>
  buildGraph(
    (s) => {
      const h = s.input('h', [B, H]);
      const c = s.input('c', [B, H]);
      const x = s.input('x', [B, I]);
      const Wx = s.input('Wx', [I, H]);
      const Wh = s.input('Wh', [H, H]);
      const r = stepOn(undefined, h, c, x, Wx, Wh);
      return { h_next: r.h, c_next: r.c, y: shared ? r.h : r.y };
    },
    { dtype: 'float64' },
  );
const body = bodyOf(false);

/** The graph over T steps, as one loop node or unrolled; loss = Σ ys·R + Σ hT + Σ cT². */
function model(T: number, asLoop: boolean, options: { reverse?: boolean; save?: boolean; shared?: boolean } = {}): Graph {
  const b = new GraphBuilder('float64');
  const h0 = b.input('h0', [B, H]);
  const c0 = b.input('c0', [B, H]);
  const xs = b.input('xs', [T, B, I]);
  const Wx = b.input('Wx', [I, H]);
  const Wh = b.input('Wh', [H, H]);
  const R = b.constant(
    Array.from({ length: T * B * H }, (_, i) => Math.sin(i + 1)),
    [T, B, H],
  );
  let ys: Tensor;
  let hT: Tensor;
  let cT: Tensor;
  if (asLoop) {
    const { shared, ...rest } = options;
    const r = loop({ body: bodyOf(shared === true), carries: [h0, c0], sequences: [xs], invariants: [Wx, Wh], ...rest });
    [hT, cT] = r.finals as [Tensor, Tensor];
    ys = r.outputs[0]!;
  } else {
    let h = h0;
    let c = c0;
    const out: Tensor[] = new Array(T);
    for (let j = 0; j < T; j++) {
      const t = options.reverse ? T - 1 - j : j;
      const r = stepOn(b, h, c, xs.index(0, t), Wx, Wh);
      h = r.h;
      c = r.c;
      out[t] = (options.shared ? r.h : r.y).reshape([1, B, H]);
    }
    ys = b.apply('concat', out, { axis: 0 });
    hT = h;
    cT = c;
  }
  const loss = ys.mul(R).sum().add(hT.sum()).add(cT.square().sum());
  return b.build({ loss, ys, hT });
}

function feeds(T: number, seed = 1) {
  let s = seed;
  const rnd = (n: number) => Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  return {
    h0: ndarray(rnd(B * H), [B, H]),
    c0: ndarray(rnd(B * H), [B, H]),
    xs: ndarray(rnd(T * B * I), [T, B, I]),
    Wx: ndarray(rnd(I * H), [I, H]),
    Wh: ndarray(
      rnd(H * H).map((v) => v * 0.5),
      [H, H],
    ),
  };
}

describe('loop op', () => {
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('equals the unrolled step in values and gradients (reverse %s, output shared with a carry %s)', (reverse, shared) => {
    const T = 5;
    const looped = model(T, true, { reverse, shared });
    const unrolled = model(T, false, { reverse, shared });
    expect(looped.nodes.filter((n) => n.op === 'loop')).toHaveLength(1);
    verify(looped);
    const f = feeds(T);
    const a = interpret(looped, f);
    const u = interpret(unrolled, f);
    for (const k of ['loss', 'ys', 'hT']) close(a[k]!, u[k]!, 1e-12, k);
    for (const save of [false, true]) {
      const ga = interpret(grad(model(T, true, { reverse, save, shared }), { of: 'loss' }), f);
      const gu = interpret(grad(unrolled, { of: 'loss' }), f);
      for (const k of ['grad:h0', 'grad:c0', 'grad:xs', 'grad:Wx', 'grad:Wh']) close(ga[k]!, gu[k]!, 1e-12, k);
    }
  });

  it.each([false, true])('gradchecks in float64 to second order (output shared with a carry %s)', (shared) => {
    const g = model(3, true, { save: true, shared });
    const report = gradcheck(g, feeds(3, 7), { outputs: ['loss'], order: 2 });
    expect(report.passed).toBe(true);
    expect(report.orders).toHaveLength(2);
    // A saved carry that is also the output shares its stack: the packed value is smaller.
    const size = (sh: boolean) => model(3, true, { save: true, shared: sh }).nodes.find((n) => n.op === 'loop')!.shape[0]!;
    expect(size(true)).toBe(size(false) - 2 * B * H);
  });

  it.each([false, true])('compiled plans equal the interpreter, forward and gradient (output shared with a carry %s)', (shared) => {
    const T = 6;
    const g = grad(model(T, true, { save: true, shared }), { of: 'loss' });
    const f = feeds(T, 3);
    const ref = interpret(g, f);
    const exe = compile(g, { dtype: 'float64' });
    const out = exe.run(f);
    for (const k of Object.keys(ref)) close(out[k]!, ref[k]!, 1e-12, k);
    expect(exe.stats.loops).toBe(2);
    const out32 = compile(g, { dtype: 'float32' }).run(f);
    for (const k of Object.keys(ref)) close(out32[k]!, ref[k]!, 1e-4, k);
  });

  it('compiles a body that returns its inputs (carries swapped) through the outer buffers', () => {
    const swap = buildGraph(
      (s) => {
        const a = s.input('a', [2]);
        const b = s.input('b', [2]);
        const x = s.input('x', [2]);
        return { a_next: b, b_next: a.add(x), y: a };
      },
      { dtype: 'float64' },
    );
    const b = new GraphBuilder('float64');
    const r = loop({ body: swap, carries: [b.input('a0', [2]), b.input('b0', [2])], sequences: [b.input('xs', [3, 2])] });
    const g = b.build({ a: r.finals[0]!, b: r.finals[1]!, ys: r.outputs[0]! });
    const f = { a0: ndarray([1, 2], [2]), b0: ndarray([10, 20], [2]), xs: ndarray([100, 200, 300, 400, 500, 600], [3, 2]) };
    const ref = interpret(g, f);
    // (a, b) per column: (1, 10) → (10, 101) → (101, 310) → (310, 601); (2, 20) → (20, 202) → (202, 420) → (420, 802)
    expect([...ref.a!.data, ...ref.b!.data]).toEqual([310, 420, 601, 802]);
    expect([...ref.ys!.data]).toEqual([1, 2, 10, 20, 101, 202]);
    const out = compile(g, { dtype: 'float64' }).run(f);
    for (const k of Object.keys(ref)) expect([...out[k]!.data], k).toEqual([...ref[k]!.data]);
  });

  it('survives serialize, cast, optimize and print', () => {
    const g = grad(model(4, true), { of: 'loss' });
    const back = deserialize(serialize(g));
    expect(serialize(back)).toBe(serialize(g));
    const f = feeds(4);
    const ref = interpret(g, f);
    const opt = optimize(g);
    const o = interpret(opt, f);
    for (const k of Object.keys(ref)) close(o[k]!, ref[k]!, 1e-12, k);
    const cast = castGraph(g, 'float32');
    verify(cast);
    expect(cast.nodes.filter((n) => n.op === 'loop').every((n) => !(n.attrs.body as string).includes('float64'))).toBe(true);
    const text = print(model(4, true));
    expect(text).toMatch(/= loop %\d+ %\d+ %\d+ %\d+ %\d+ \{carries=2, sequences=1, reverse=false, save=false\}/);
    expect(text).toMatch(/ {2}body of %\d+ \(inputs h, c, x, Wx, Wh\):\n {4}%0:f64\[2,3\] = input "h"/);
    expect(text).not.toContain('"format"');
  });

  it.each([false, true])('optimize drops the per-step outputs and saved carries nobody reads (shared %s)', (shared) => {
    const g = grad(model(5, true, { save: true, shared }), { of: 'loss', wrt: ['Wx', 'Wh'] });
    const opt = optimize(g);
    const f = feeds(5, 4);
    const ref = interpret(g, f);
    const out = interpret(opt, f);
    for (const k of Object.keys(ref)) close(out[k]!, ref[k]!, 1e-12, k);
    const loops = opt.nodes.filter((n) => n.op === 'loop');
    expect(loops).toHaveLength(2);
    // The reverse loop no longer outputs the cotangent of xs: only its carries (dh, dc, and the weights' gradients).
    const reverse = loops.find((n) => n.attrs.reverse === true)!;
    const body = JSON.parse(reverse.attrs.body as string) as { outputs: unknown[] };
    expect(body.outputs).toHaveLength(reverse.attrs.carries as number);
    expect(reverse.shape[0]).toBeLessThan(g.nodes.find((n) => n.op === 'loop' && n.attrs.reverse === true)!.shape[0]!);
    expect(compile(g, { dtype: 'float64' }).stats.arenaBytes).toBeLessThan(compile(g, { dtype: 'float64', optimize: false }).stats.arenaBytes);
  });

  it('hash-conses two identical loops into one node and keeps different bodies apart', () => {
    const b = new GraphBuilder('float64');
    const h0 = b.input('h0', [B, H]);
    const c0 = b.input('c0', [B, H]);
    const xs = b.input('xs', [4, B, I]);
    const Wx = b.input('Wx', [I, H]);
    const Wh = b.input('Wh', [H, H]);
    const one = loop({ body, carries: [h0, c0], sequences: [xs], invariants: [Wx, Wh] });
    const two = loop({ body, carries: [h0, c0], sequences: [xs], invariants: [Wx, Wh] });
    expect(two.node.id).toBe(one.node.id);
    const other = buildGraph(
      (s) => {
        const h = s.input('h', [B, H]);
        const c = s.input('c', [B, H]);
        s.input('x', [B, I]);
        s.input('Wx', [I, H]);
        s.input('Wh', [H, H]);
        return { h_next: h.tanh(), c_next: c, y: h };
      },
      { dtype: 'float64' },
    );
    const three = loop({ body: other, carries: [h0, c0], sequences: [xs], invariants: [Wx, Wh] });
    expect(three.node.id).not.toBe(one.node.id);
  });

  it('names the mismatch when the body does not fit the inputs', () => {
    const b = new GraphBuilder('float64');
    const h0 = b.input('h0', [B, H]);
    const c0 = b.input('c0', [B, H + 1]);
    const xs = b.input('xs', [4, B, I]);
    const xs3 = b.input('xs3', [3, B, I]);
    const Wx = b.input('Wx', [I, H]);
    const Wh = b.input('Wh', [H, H]);
    const attempt = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CellgradError);
        return (e as CellgradError).message;
      }
      return 'no error';
    };
    expect(attempt(() => loop({ body, carries: [h0, c0], sequences: [xs], invariants: [Wx, Wh] }))).toMatch(
      /loop: carry 1 is f64\[2,4\] but the body input 'c' is f64\[2,3\]/,
    );
    expect(attempt(() => loop({ body, carries: [h0], sequences: [xs], invariants: [Wx, Wh] }))).toMatch(
      /the body takes 5 inputs \(h, c, x, Wx, Wh\), the loop gives 4/,
    );
    expect(attempt(() => loop({ body, carries: [h0, h0], sequences: [xs, xs3], invariants: [Wx] }))).toMatch(/sequence 1 has 3 steps, sequence 0 has 4/);
    expect(attempt(() => loop({ body, carries: [h0, h0], sequences: [Wx], invariants: [Wx, Wh] }))).toMatch(
      /sequence 0 f64\[2,3\] does not slice to the body input 'x' f64\[2,2\]/,
    );
  });
});
