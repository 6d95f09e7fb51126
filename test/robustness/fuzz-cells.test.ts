/**
 * Fuzzing cells: every built-in cell unrolled with random (often invalid) options, and random
 * half-finished user cells (random parameter shapes, random steps that may mis-shape a tensor at one
 * step). Each case is a typed CellgradError — a shape error naming the user's cell and step — or a
 * graph that loads back from JSON and runs identically in the interpreter and compiled.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, serialize, type Tensor } from '@cellgrad/graph';
import { builtinCells, cellFeeds, defineCell, unroll, type UnrollOptions } from '@cellgrad/cells';
import { fcParams } from '../support/fc.js';
import { count, execute, FUZZ_TIMEOUT, runs, tallyText, typed } from './fuzz/outcome.js';

afterAll(() => {
  console.log(`fuzzed cells:\n${tallyText()}`);
});

/** Mostly valid values, sometimes a wrong one (zero, negative, fractional, NaN, a string, null, huge). */
const mostly = <T>(valid: fc.Arbitrary<T>, wrong: readonly unknown[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...wrong) });
const size = mostly(fc.integer({ min: 1, max: 3 }), [0, -1, 1.5, Number.NaN, '2', null, 2 ** 40]);
const head = fc.oneof(
  fc.constant({}),
  fc.record({ pattern: fc.constant('seq2one'), classes: size }),
  fc.record({ pattern: mostly(fc.constant('seq2seq'), ['one2one', 'seq2one']), classes: mostly(fc.constant(undefined), [2]) }),
);
const optionsArb = fc
  .tuple(
    fc.record(
      {
        input: size,
        hidden: size,
        batch: size,
        steps: size,
        layers: fc.option(size, { nil: undefined }),
        dtype: fc.option(mostly(fc.constantFrom('float64', 'float32'), ['int8']), { nil: undefined }),
        bidirectional: fc.option(mostly(fc.boolean(), ['yes']), { nil: undefined }),
      },
      { requiredKeys: ['input', 'hidden', 'batch', 'steps'] },
    ),
    head,
  )
  .map(([o, h]) => ({ ...o, ...h }) as Record<string, unknown>);

/** Drop `undefined` entries (absent options). */
const defined = (o: Record<string, unknown>): UnrollOptions =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as unknown as UnrollOptions;

describe('fuzz: built-in cells with random options', () => {
  it(
    'a typed error, or a graph that round-trips and runs the same interpreted and compiled',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(builtinCells)), optionsArb, fc.nat({ max: 1000 }), (name, raw, seed) => {
          const cell = builtinCells[name]!;
          const opts = defined(raw);
          const g = typed(() => unroll(cell, opts));
          if ('error' in g) return count('built-in cells', `error:${g.error.kind}`);
          // Sizes past the tensor limit unroll symbolically but load, feed and run only as typed errors.
          const h = typed(() => deserialize(serialize(g.value)));
          const feeds = typed(() => cellFeeds(cell, opts, seed));
          if ('error' in h || 'error' in feeds) {
            const e = 'error' in h ? h.error : (feeds as { error: { kind: string; message: string } }).error;
            expect(e.kind).toBe('shape');
            expect(e.message).toMatch(/at most 268435456 are allowed|cannot allocate a tensor/);
            return count('built-in cells', 'error:shape');
          }
          count('built-in cells', execute(h.value, feeds.value));
        }),
        fcParams(runs(200)),
      );
    },
    FUZZ_TIMEOUT,
  );
});

type Op = 'tanh' | 'add-x' | 'mul-W' | 'matmul-U' | 'sum-last' | 'transpose';
const OPS: Record<Op, (h: Tensor, x: Tensor, p: Record<string, Tensor>) => Tensor> = {
  tanh: (h) => h.tanh(),
  'add-x': (h, x) => h.add(x),
  'mul-W': (h, _, p) => h.mul(p.W!),
  'matmul-U': (h, _, p) => h.matmul(p.U!),
  'sum-last': (h) => h.sum(h.rank - 1, true),
  transpose: (h) => (h.rank >= 2 ? h.T : h),
};

describe('fuzz: random half-finished user cells', () => {
  const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 });
  const cellArb = fc.record({
    W: dims,
    U: dims,
    ops: fc.array(fc.constantFrom(...(Object.keys(OPS) as Op[])), { minLength: 1, maxLength: 4 }),
    // A bug that only fires from this step on (steps ≥ T never fire).
    lateOp: fc.constantFrom(...(Object.keys(OPS) as Op[])),
    lateFrom: fc.nat({ max: 4 }),
  });

  it(
    'a shape/cell error naming the cell (and the step for shape errors), or a graph that runs',
    () => {
      fc.assert(
        fc.property(cellArb, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.nat(), (c, input, hidden, seed) => {
          const cell = defineCell({
            name: 'fuzzed',
            params: () => ({ W: c.W, U: c.U }),
            state: ({ hidden: H }) => ({ h: [H] }),
            step: ({ x, h }, p) => {
              const t = h.builder.currentScope?.step ?? 0;
              let y = h;
              for (const o of c.ops) y = OPS[o](y, x, p);
              if (t >= c.lateFrom) y = OPS[c.lateOp](y, x, p);
              return { h: y };
            },
          });
          const opts = { input, hidden, batch: 2, steps: 4, dtype: 'float64' as const };
          const g = typed(() => unroll(cell, opts));
          if ('error' in g) {
            expect(['shape', 'cell']).toContain(g.error.kind);
            expect(g.error.message).toMatch(/cell '?fuzzed'?/);
            if (g.error.kind === 'shape') expect(g.error.message).toMatch(/step \d+/);
            return count('user cells', `error:${g.error.kind}`);
          }
          count('user cells', execute(deserialize(serialize(g.value)), cellFeeds(cell, opts, seed)));
        }),
        fcParams(runs(300)),
      );
    },
    FUZZ_TIMEOUT,
  );
});
