/**
 * Random numbers in the graph: Philox4x32-10 against the Random123 known-answer vectors, the
 * `random_uniform` op's statistics and streams, and identical values in the interpreter and in
 * compiled plans (float32 and float64, one and two threads), through the optimiser's passes.
 */
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  compile,
  createRng,
  deserialize,
  drawUniform,
  foldConstants,
  interpret,
  keyInputNames,
  mulHi32,
  optimize,
  philox4x32,
  randomKey,
  serialize,
  type Graph,
} from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';

/** Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors): counter, key, result. */
const KAT: readonly (readonly [number[], number[], number[]])[] = [
  [
    [0, 0, 0, 0],
    [0, 0],
    [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  ],
  [
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

/** u = random_uniform(key) of `shape` for each stream, plus y = x · u (so a gradient exists). */
function randomGraph(shape: number[], streams: number[], dtype: 'float32' | 'float64' = 'float64'): Graph {
  return buildGraph(
    (b) => {
      const key = b.input('key', [4]);
      const x = b.input('x', shape);
      const out: Record<string, ReturnType<typeof x.mul>> = {};
      streams.forEach((s, i) => {
        out[`u${i}`] = drawUniform(key, shape, s);
      });
      out.y = x.mul(out.u0!).sum();
      return out;
    },
    { dtype },
  );
}

const feedsFor = (shape: number[], seed = 7) => ({ key: randomKey(seed), x: { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(1.5) } });

describe('philox4x32-10', () => {
  it('mulHi32 is the high word of the exact 64-bit product', () => {
    const rng = createRng(3);
    const words = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
    for (let i = 0; i < 2000; i++) words.push(rng.int(2 ** 32));
    for (let i = 0; i < words.length; i++) {
      const a = words[i]!;
      const b = words[(i * 7 + 3) % words.length]!;
      expect(mulHi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  it.each(KAT.map((v, i) => [i, ...v] as const))('known-answer vector %i', (_, ctr, key, expected) => {
    expect([...philox4x32(ctr, key, new Uint32Array(4))]).toEqual(expected);
  });
});

describe('random_uniform', () => {
  it('gives values in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12, depending on key and stream', () => {
    const g = randomGraph([100, 100], [0, 1]);
    const r = interpret(g, feedsFor([100, 100]));
    const u = r.u0!.data;
    let sum = 0;
    let sq = 0;
    for (const v of u) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      sum += v;
      sq += v * v;
    }
    const mean = sum / u.length;
    // 10⁴ uniforms: the standard error of the mean is 0.0029.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(sq / u.length - mean * mean - 1 / 12)).toBeLessThan(0.005);
    expect([...r.u1!.data]).not.toEqual([...u]);
    const other = interpret(g, { ...feedsFor([100, 100]), key: randomKey(8) });
    expect([...other.u0!.data]).not.toEqual([...u]);
    expect([...interpret(g, feedsFor([100, 100])).u0!.data]).toEqual([...u]);
  });

  it('is the same in float32 and float64, interpreted and compiled, with one or two threads', () => {
    const shape = [33, 70];
    const g = randomGraph(shape, [3, 2 ** 40 + 5]);
    const feeds = feedsFor(shape, -123456789);
    const ref = interpret(g, feeds);
    const runs = [
      interpret(g, feeds, { dtype: 'float32' }),
      compile(g, { dtype: 'float64' }).run(feeds),
      compile(g, { dtype: 'float32' }).run(feeds),
      compile(g, { dtype: 'float32', threads: 2 }).run(feeds),
    ];
    for (const r of runs) {
      expect([...r.u0!.data]).toEqual([...ref.u0!.data]);
      expect([...r.u1!.data]).toEqual([...ref.u1!.data]);
    }
    expect([...ref.u0!.data]).not.toEqual([...ref.u1!.data]);
  });

  it('survives the optimiser: distinct streams stay distinct, equal draws merge, an input key is not folded', () => {
    const g = randomGraph([5, 3], [1, 2, 1]);
    const opt = optimize(g);
    const draws = opt.nodes.filter((n) => n.op === 'random_uniform');
    expect(draws.map((n) => n.attrs.stream).sort()).toEqual([1, 2]);
    expect(foldConstants(g)).toBe(g);
    const r = compile(g, { dtype: 'float64' }).run(feedsFor([5, 3]));
    expect([...r.u0!.data]).toEqual([...r.u2!.data]);
    expect([...r.u0!.data]).not.toEqual([...r.u1!.data]);
  });

  it('folds with a constant key to the same values it computes at run time', () => {
    const g = buildGraph((b) => ({ u: drawUniform(b.constant([1, 2, 3, 4], [4]), [6], 9) }), { dtype: 'float64' });
    const folded = foldConstants(g);
    expect(folded.nodes.some((n) => n.op === 'random_uniform')).toBe(false);
    const withInput = buildGraph((b) => ({ u: drawUniform(b.input('key', [4]), [6], 9) }), { dtype: 'float64' });
    const k = interpret(withInput, { key: { shape: [4], data: new Float64Array([1, 2, 3, 4]) } });
    expect([...interpret(folded, {}).u!.data]).toEqual([...k.u!.data]);
  });

  it('passes no gradient to the key; keyInputNames finds the key', () => {
    const g = randomGraph([4], [0]);
    expect(keyInputNames(g)).toEqual(['key']);
    const dg = grad(g, { of: 'y' });
    const r = interpret(dg, feedsFor([4]));
    expect([...r['grad:x']!.data]).toEqual([...r.u0!.data]);
    expect([...r['grad:key']!.data]).toEqual([0, 0, 0, 0]);
  });

  it('round-trips through serialisation', () => {
    const g = randomGraph([3, 2], [4, 5]);
    const back = deserialize(serialize(g));
    expect([...interpret(back, feedsFor([3, 2])).u1!.data]).toEqual([...interpret(g, feedsFor([3, 2])).u1!.data]);
  });

  it('refuses bad keys, key shapes and streams with clear errors', () => {
    const g = randomGraph([2], [0]);
    const key = (data: number[]) => ({ shape: [4], data: new Float64Array(data) });
    expect(() => interpret(g, { ...feedsFor([2]), key: key([1, 0.5, 0, 0]) })).toThrow(/key element 1 is 0\.5; a random key is 4 integers in \[0, 65535\]/);
    expect(() => interpret(g, { ...feedsFor([2]), key: key([70000, 0, 0, 0]) })).toThrow(/key element 0 is 70000/);
    expect(() => buildGraph((b) => ({ u: drawUniform(b.input('k', [2]), [3], 0) }))).toThrow(/random_uniform: the key must have shape \[4\]/);
    expect(() => buildGraph((b) => ({ u: drawUniform(b.input('k', [4]), [3], -1) }))).toThrow(/attribute 'stream' must be a non-negative integer/);
    expect(() => randomKey(0.5)).toThrow(/seed must be a safe integer/);
  });

  it('randomKey: distinct seeds give distinct keys, each half in [0, 65535]', () => {
    expect([...randomKey(0).data]).toEqual([0, 0, 0, 0]);
    expect([...randomKey(65537).data]).toEqual([1, 1, 0, 0]);
    expect([...randomKey(-1).data]).toEqual([65535, 65535, 65535, 65535]);
    expect([...randomKey(2 ** 40).data]).toEqual([0, 0, 256, 0]);
  });
});
