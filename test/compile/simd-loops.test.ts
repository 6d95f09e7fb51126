/**
 * The generated WebAssembly SIMD loops of float32 plans. Property: random elementwise programs
 * over every op with a SIMD form, on operands that are dense, sliced out of wider rows (row
 * stride), broadcast along rows (a bias) and along columns (inner stride 0), and constants, with
 * several values stored, equal the interpreter in float32 (within 1e-5 of each output's scale) and
 * equal the same plan with JavaScript loops; so do their gradient graphs. Steps that qualify do run
 * as SIMD loops (counted in `stats.simdLoops`), T steps of an unrolled cell share one function,
 * and groups that do not qualify (an inner axis of 3, `log`) keep their JavaScript loop.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, compile, concat, interpret, ndarray, type Graph, type Tensor } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { lstm } from '@cellgrad/cells';
import { fcParams, Rng } from '../support/fc.js';
import { randomFeeds } from '../support/random-graph.js';
import { cellGraph, relativeError, snapshot } from './helpers.js';

const feedsOf = (g: Graph, seed: number) => randomFeeds(g, new Rng(seed));

type Unary = (a: Tensor) => Tensor;
type Binary = (a: Tensor, b: Tensor) => Tensor;

const UNARY: readonly [string, Unary][] = [
  ['neg', (a) => a.neg()],
  ['abs', (a) => a.abs()],
  ['sqrt', (a) => a.abs().add(0.25).sqrt()],
  ['square', (a) => a.square()],
  ['exp', (a) => a.tanh().exp()],
  ['sigmoid', (a) => a.mul(3).sigmoid()],
  ['tanh', (a) => a.mul(2).tanh()],
  ['relu', (a) => a.relu()],
  ['clamp', (a) => a.clamp(-0.4, 0.3)],
  ['hardSigmoid', (a) => a.mul(4).hardSigmoid('torch')],
  ['sign', (a) => a.sign().mul(a)],
];
const BINARY: readonly [string, Binary][] = [
  ['add', (a, b) => a.add(b)],
  ['sub', (a, b) => a.sub(b)],
  ['mul', (a, b) => a.mul(b)],
  ['div', (a, b) => a.div(b.square().add(0.5))],
  ['maximum', (a, b) => a.maximum(b)],
  ['minimum', (a, b) => a.minimum(b)],
  ['where', (a, b) => a.greater(b).where(a, b.mul(0.5))],
  ['compare', (a, b) => a.lessEqual(b).add(a.notEqual(b)).mul(a)],
];

const program = fc.record({
  rows: fc.integer({ min: 1, max: 5 }),
  cols: fc.constantFrom(4, 8, 12, 20),
  ops: fc.array(fc.record({ unary: fc.boolean(), which: fc.nat(), a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: 12 }),
  stores: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});

type Program = { rows: number; cols: number; ops: { unary: boolean; which: number; a: number; b: number }[]; stores: number[] };

function buildProgram(p: Program): Graph {
  return buildGraph(
    (b) => {
      const x = b.input('x', [p.rows, p.cols]);
      const wide = b.input('wide', [p.rows, 2 * p.cols]);
      const bias = b.input('bias', [p.cols]);
      const column = b.input('column', [p.rows, 1]);
      const values: Tensor[] = [x, wide.slice(1, p.cols, 2 * p.cols), x.add(bias), column.broadcastTo([p.rows, p.cols]).mul(x), x.mul(0.75)];
      for (const o of p.ops) {
        const a = values[o.a % values.length]!;
        const c = values[o.b % values.length]!;
        values.push(o.unary ? UNARY[o.which % UNARY.length]![1](a) : BINARY[o.which % BINARY.length]![1](a, c));
      }
      const outs: Record<string, Tensor> = {};
      p.stores.forEach((s, k) => (outs[`v${k}`] = values[values.length - 1 - (s % Math.min(4, values.length))]!));
      return { ...outs, loss: values[values.length - 1]!.square().mean() };
    },
    { dtype: 'float64' },
  );
}

function check(g: Graph, seed: number): number {
  const feeds = feedsOf(g, seed);
  const exe = compile(g, { dtype: 'float32', optimize: false });
  const got = snapshot(exe.run(feeds));
  const err = relativeError(got, interpret(g, feeds, { dtype: 'float32' }));
  if (!(err <= 1e-5)) throw new Error(`SIMD loops vs interpreter: relative error ${err}`);
  const js = compile(g, { dtype: 'float32', optimize: false, simdLoops: false }).run(feeds);
  const errJs = relativeError(got, js);
  if (!(errJs <= 1e-5)) throw new Error(`SIMD loops vs JavaScript loops: relative error ${errJs}`);
  return exe.stats.simdLoops;
}

describe('WebAssembly SIMD loops', () => {
  it('random elementwise programs and their gradients equal the interpreter', () => {
    let simd = 0;
    fc.assert(
      fc.property(program, fc.nat(), (p, seed) => {
        const g = buildProgram(p);
        simd += check(g, seed);
        simd += check(grad(g, { of: 'loss' }), seed + 1);
      }),
      fcParams(120),
    );
    expect(simd).toBeGreaterThan(120);
  });

  it('every step of an unrolled LSTM shares a handful of functions', () => {
    const g = cellGraph(lstm, { input: 4, hidden: 8, batch: 3, steps: 6 }, true);
    const feeds = feedsOf(g, 3);
    const exe = compile(g, { dtype: 'float32' });
    expect(exe.stats.simdLoops).toBeGreaterThan(12);
    const functions = new Set(exe.source().match(/^\/\/ wasm simd loop f\d+/gm));
    expect(functions.size).toBeLessThan(exe.stats.simdLoops / 3);
    expect(relativeError(exe.run(feeds), interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
  });

  it('concatenations copy through SIMD loops; ragged or unsupported groups stay JavaScript', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3, 8]);
        const y = b.input('y', [3, 4]);
        const odd = b.input('odd', [5, 3]);
        return { cat: concat([x.tanh(), y.sigmoid()], 1), odd: odd.tanh().mul(2), logged: x.abs().add(1).log().mul(x) };
      },
      { dtype: 'float64' },
    );
    const feeds = feedsOf(g, 9);
    const exe = compile(g, { dtype: 'float32', optimize: false });
    // tanh(x), sigmoid(y) and the two concat parts run as SIMD; the 5×3 group and the log group do not.
    expect(exe.stats.simdLoops).toBe(4);
    expect(exe.stats.fusedGroups).toBe(4);
    expect(relativeError(exe.run(feeds), interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
  });
});

describe('WebAssembly SIMD loops on special values', () => {
  it('select, compare and clamp NaN, ±Infinity and ±0 exactly as the JavaScript loops do', () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.25, 3e38, -3e38, 1e-40];
    const n = specials.length * specials.length;
    const cols = Math.ceil(n / 4) * 4;
    const a = Array.from({ length: cols }, (_, i) => specials[Math.floor(i / specials.length) % specials.length]!);
    const b = Array.from({ length: cols }, (_, i) => specials[i % specials.length]!);
    const g = buildGraph(
      (bld) => {
        const x = bld.input('a', [1, cols]);
        const y = bld.input('b', [1, cols]);
        return {
          max: x.maximum(y),
          min: x.minimum(y),
          relu: x.relu(),
          clamp: x.clamp(-0.5, 0.75),
          sign: x.sign(),
          where: x.greater(y).where(x, y),
          eq: x.equal(y),
          ne: x.notEqual(y),
          le: x.lessEqual(y),
          hard: x.hardSigmoid('keras'),
          sq: x.square(),
          div: x.div(y),
          abs: x.abs(),
          neg: x.neg(),
        };
      },
      { dtype: 'float32' },
    );
    const feeds = { a: ndarray(a, [1, cols], 'float32'), b: ndarray(b, [1, cols], 'float32') };
    const simd = compile(g, { dtype: 'float32', optimize: false });
    expect(simd.stats.simdLoops).toBeGreaterThan(0);
    const got = snapshot(simd.run(feeds));
    const want = compile(g, { dtype: 'float32', optimize: false, simdLoops: false }).run(feeds);
    const same = (x: number, y: number) => Object.is(x, y) || (x === 0 && y === 0);
    for (const name of Object.keys(want)) {
      got[name]!.data.forEach((x, i) => expect(same(x, want[name]!.data[i]!), `${name}(${a[i]}, ${b[i]}): ${x} vs ${want[name]!.data[i]}`).toBe(true));
    }
  });
});
