/**
 * Weight files: `saveWeights`/`loadWeights` round-trip bit for bit; a malformed file is refused with
 * an error naming the file, the tensor and the problem (shape, count, the first non-finite value);
 * tensor names such as "__proto__" or "constructor" are data, never prototype lookups; and random
 * JSON always ends in a typed error or valid tensors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { interpret } from '@cellgrad/graph';
import { cellFeeds, fromPyTorch, getBuiltinCell, initParams, parseWeights, toPyTorch, unroll } from '@cellgrad/cells';
import { loadWeights, saveWeights } from '@cellgrad/cells/node';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { fcParams } from '../support/fc.js';
import { count, runs, FUZZ_TIMEOUT } from './fuzz/outcome.js';
import { thrown } from './helpers.js';

const dir = tempDir('cellgrad-weights-');
const lstm = getBuiltinCell('lstm');
const sizes = { input: 3, hidden: 4 };

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('weight files', () => {
  it('round-trip bit for bit, through the PyTorch layout too', () => {
    const params = initParams(lstm, sizes, { seed: 3, layers: 2 });
    const p = path.join(dir, 'lstm.json');
    saveWeights(p, toPyTorch(lstm, params, { ...sizes, layers: 2 }));
    const back = fromPyTorch(lstm, loadWeights(p), { ...sizes, layers: 2 });
    expect(Object.keys(back).sort()).toEqual(Object.keys(params).sort());
    for (const [k, v] of Object.entries(params)) {
      expect(back[k]!.shape).toEqual(v.shape);
      expect(Buffer.from(back[k]!.data.buffer).equals(Buffer.from(v.data.buffer))).toBe(true);
    }
  });

  it.each([
    ['not JSON', '{"weight_ih_l0": ', /weights '.*bad-not-JSON\.json': not valid JSON/],
    ['not an object', '[1, 2]', /expected an object mapping names to \{ shape, data \}/],
    ['a tensor that is not an object', '{"w": 3}', /tensor 'w' is not an object \{ shape, data \}/],
    ['a bad shape', '{"w": {"shape": [2, -1], "data": []}}', /tensor 'w' has shape \[2,-1\], not an array of non-negative integers/],
    ['too few values', '{"w": {"shape": [2, 2], "data": [1, 2, 3]}}', /tensor 'w' needs 4 finite numbers for shape \[2,2\], got 3 values/],
    ['data not an array', '{"w": {"shape": [1], "data": "1"}}', /tensor 'w' needs 1 finite numbers for shape \[1\], got "1"/],
    ['a non-number value', '{"w": {"shape": [3], "data": [1, "2", 3]}}', /tensor 'w' needs 3 finite numbers for shape \[3\], got "2" at data\[1\]/],
    ['a null (NaN written by JSON.stringify)', '{"w": {"shape": [2], "data": [1, null]}}', /got null at data\[1\]/],
  ])('%s: named in one error', (_, text, message) => {
    const e = thrown(() => loadWeights(file(`bad-${_.replace(/\W+/g, '-')}.json`, text)));
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(message);
  });

  it('a missing file names the path', () => {
    expect(thrown(() => loadWeights(path.join(dir, 'nope.json'))).message).toMatch(/weights '.*nope\.json': cannot read it/);
  });

  it('wrong or foreign tensors for a cell: missing, mis-shaped and unexpected names', () => {
    const params = initParams(lstm, sizes, { seed: 1 });
    const sd = toPyTorch(lstm, params, sizes);
    const { weight_hh_l0: _, ...missing } = sd;
    expect(thrown(() => fromPyTorch(lstm, missing, sizes)).message).toMatch(/missing tensor 'weight_hh_l0' \(expected shape \[16,4\]\)/);
    const wrong = { ...sd, weight_hh_l0: { shape: [4, 16], data: sd.weight_hh_l0!.data } };
    expect(thrown(() => fromPyTorch(lstm, wrong, sizes)).message).toMatch(/tensor 'weight_hh_l0' has shape \[4,16\], expected \[16,4\]/);
    expect(thrown(() => fromPyTorch(lstm, { ...sd, extra: sd.bias_ih_l0! }, sizes)).message).toMatch(/unexpected tensor\(s\) 'extra'/);
  });

  it('names like "__proto__" and "constructor" stay data', () => {
    const w = loadWeights(file('proto.json', '{"__proto__": {"shape": [1], "data": [5]}, "a": {"shape": [], "data": [1]}}'));
    expect(Object.getPrototypeOf(w)).toBe(Object.prototype);
    expect(Object.keys(w)).toEqual(['__proto__', 'a']);
    expect(Array.from(Object.getOwnPropertyDescriptor(w, '__proto__')!.value.data)).toEqual([5]);
    // Tensors are looked up as own properties: one inherited through a prototype counts as missing.
    const sd = toPyTorch(lstm, initParams(lstm, sizes, { seed: 1 }), sizes);
    const { weight_hh_l0: hh, ...rest } = sd;
    const inherited = Object.assign(Object.create({ weight_hh_l0: hh }) as object, rest);
    expect(thrown(() => fromPyTorch(lstm, inherited as never, sizes)).message).toMatch(/missing tensor 'weight_hh_l0'/);
  });

  it('loaded weights run: an unrolled cell with loaded parameters gives the same outputs', () => {
    const opts = { ...sizes, batch: 2, steps: 3, dtype: 'float64' as const };
    const feeds = cellFeeds(lstm, opts, 5);
    const p = path.join(dir, 'run.json');
    const params = Object.fromEntries(Object.keys(initParams(lstm, sizes)).map((k) => [k, feeds[k]!]));
    saveWeights(p, toPyTorch(lstm, params, sizes));
    const loaded = fromPyTorch(lstm, loadWeights(p), sizes);
    const g = unroll(lstm, opts);
    expect(interpret(g, { ...feeds, ...loaded })).toEqual(interpret(g, feeds));
  });

  it(
    'fuzz: random JSON is refused with a typed error or parsed into checked tensors',
    () => {
      const tensorish = fc.record({
        shape: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
        data: fc.array(fc.oneof(fc.double(), fc.constant(null), fc.string({ maxLength: 2 })), { maxLength: 10 }),
      });
      fc.assert(
        fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(tensorish, fc.jsonValue({ maxDepth: 1 })))), (v) => {
          let out: ReturnType<typeof parseWeights>;
          try {
            out = parseWeights(v, 'fuzz');
          } catch (e) {
            expect((e as { kind?: string }).kind).toBe('usage');
            count('weight files', 'error:usage');
            return;
          }
          for (const t of Object.values(out)) {
            expect(t.data.length).toBe(t.shape.reduce((a, d) => a * d, 1));
            expect(t.data.every(Number.isFinite)).toBe(true);
          }
          count('weight files', 'ok');
        }),
        fcParams(runs(500)),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('cellgrad weights <cell> <malformed.json>', () => {
  const good = () => {
    const p = path.join(dir, 'good.json');
    saveWeights(p, toPyTorch(lstm, initParams(lstm, sizes, { seed: 2 }), sizes));
    return JSON.parse(readFileSync(p, 'utf8')) as Record<string, { shape: number[]; data: unknown[] }>;
  };
  const cases: [string, () => string, RegExp][] = [
    ['not JSON', () => '{"weight_ih_l0": [', /not valid JSON/],
    [
      'a string in the data',
      () => {
        const j = good();
        j.weight_hh_l0!.data[5] = 'x';
        return JSON.stringify(j);
      },
      /tensor 'weight_hh_l0' needs 64 finite numbers for shape \[16,4\], got "x" at data\[5\]/,
    ],
    [
      'a transposed tensor',
      () => {
        const j = good();
        j.weight_ih_l0!.shape = [3, 16];
        return JSON.stringify(j);
      },
      /tensor 'weight_ih_l0' has shape \[3,16\], expected \[16,3\]/,
    ],
    ['a foreign tensor', () => JSON.stringify({ ...good(), 'fc.weight': { shape: [1], data: [0] } }), /unexpected tensor\(s\) 'fc\.weight'/],
  ];

  it.each(cases)('%s: one line naming the tensor and the problem, exit 2', async (name, make, message) => {
    const file = path.join(dir, `cli-${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, make());
    const r = await cellgrad(['weights', 'lstm', file, '--from', 'pytorch', '--to', 'keras', '--input', '3', '--hidden', '4']);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cellgrad: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
