/**
 * `exportRecurrentOp` with `unroll`'s sequence options: variable lengths (the op's `sequence_lens`),
 * both directions, stacked layers and batch-first. The exported model runs on ONNX Runtime (float32)
 * and must give what cellgrad's interpreter gives for `unroll(cell, same options)` on the same feeds
 * (random lengths in 1..steps), within 1e-5 of each output's scale; padding steps of `out` must be
 * exactly 0 on both sides (cellgrad's `maskMode: 'zero'`), and each sequence's `h_T` its state after
 * its own last step. Also: `maskMode: 'carry'` and other options with no ONNX form are refused.
 */
import { describe, expect, it } from 'vitest';
import { interpret, isCellgradError, type NDArray, type Outputs } from '@cellgrad/graph';
import { cellFeeds, gru, lstm, unroll, type UnrollOptions } from '@cellgrad/cells';
import { exportRecurrentOp, fromOrtTensor, openSession, toOrtTensor, toSequenceLens, type RecurrentKind } from '@cellgrad/onnx';
import { worstError } from './helpers.js';

const TOL = 1e-5;
const CELLS = { lstm, gru } as const;

/** Run the exported model on ORT with cellgrad's feeds (`lengths` becoming `sequence_lens`). */
async function runOnnx(bytes: Uint8Array, feeds: Readonly<Record<string, NDArray>>, stateNames: readonly string[]): Promise<Outputs> {
  const session = await openSession(bytes);
  const ortFeeds = Object.fromEntries(['x', ...stateNames.map((s) => `${s}0`)].map((k) => [k, toOrtTensor(feeds[k]!, 'float32')]));
  if (session.inputNames.includes('sequence_lens')) ortFeeds.sequence_lens = toSequenceLens(feeds.lengths!);
  const result = await session.run(ortFeeds);
  await session.release();
  return Object.fromEntries(Object.keys(result).map((k) => [k, fromOrtTensor(result[k]!, k)]));
}

async function compare(kind: RecurrentKind, opts: UnrollOptions, seed: number) {
  const cell = CELLS[kind];
  const feeds = cellFeeds(cell, opts, seed);
  const want = interpret(unroll(cell, opts), feeds);
  const stateNames = kind === 'lstm' ? ['h', 'c'] : ['h'];
  const got = await runOnnx(exportRecurrentOp(kind, feeds, opts), feeds, stateNames);
  return { feeds, want, got };
}

/** out[t, b, j] (time-major) or out[b, t, j] (batch-first). */
function outAt(out: NDArray, batchFirst: boolean, t: number, b: number): number[] {
  const [, d1, D] = out.shape as [number, number, number];
  const row = batchFirst ? b * d1 + t : t * d1 + b;
  return Array.from(out.data.subarray(row * D, (row + 1) * D));
}

const CASES: readonly { kind: RecurrentKind; layers: number; bidirectional: boolean; batchFirst: boolean }[] = [
  { kind: 'lstm', layers: 1, bidirectional: false, batchFirst: false },
  { kind: 'gru', layers: 1, bidirectional: false, batchFirst: true },
  { kind: 'lstm', layers: 1, bidirectional: true, batchFirst: true },
  { kind: 'gru', layers: 1, bidirectional: true, batchFirst: false },
  { kind: 'lstm', layers: 2, bidirectional: true, batchFirst: false },
  { kind: 'gru', layers: 2, bidirectional: true, batchFirst: true },
  { kind: 'lstm', layers: 3, bidirectional: false, batchFirst: true },
];

describe('exportRecurrentOp with lengths, directions, layers and batch-first matches unroll on ONNX Runtime', () => {
  for (const { kind, layers, bidirectional, batchFirst } of CASES) {
    const name = `${kind}, ${layers} layer(s), ${bidirectional ? 'bidirectional' : 'forward'}, ${batchFirst ? 'batch-first' : 'time-major'}`;
    it(`${name}: random lengths, within ${TOL} of scale; padding 0; h_T per sequence`, async () => {
      const H = 4;
      const opts: UnrollOptions = { input: 3, hidden: H, batch: 5, steps: 7, layers, bidirectional, batchFirst, lengths: true, dtype: 'float32' };
      for (const seed of [1, 2, 3]) {
        const { feeds, want, got } = await compare(kind, opts, seed);
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const k of Object.keys(want)) expect(got[k]!.shape, k).toEqual([...want[k]!.shape]);
        const { name: worst, error } = worstError(got, want);
        expect(error, `worst output ${worst} (seed ${seed})`).toBeLessThanOrEqual(TOL);

        const lengths = Array.from(feeds.lengths!.data);
        const dirs = bidirectional ? 2 : 1;
        const top = (layers - 1) * dirs;
        lengths.forEach((len, b) => {
          for (let t = len; t < 7; t++) {
            // Padding steps: exactly zero from ONNX Runtime, as cellgrad's maskMode 'zero'.
            expect(
              outAt(got.out!, batchFirst, t, b).every((v) => v === 0),
              `ORT out at padding t=${t}, b=${b}`,
            ).toBe(true);
            expect(
              outAt(want.out!, batchFirst, t, b).every((v) => v === 0),
              `cellgrad out at padding t=${t}, b=${b}`,
            ).toBe(true);
          }
          // The top layer's forward h_T is its output at the sequence's own last step; the reverse one at t = 0.
          const hT = (d: number) => Array.from(got.h_T!.data.subarray(((top + d) * 5 + b) * H, ((top + d) * 5 + b + 1) * H));
          expect(hT(0)).toEqual(outAt(got.out!, batchFirst, len - 1, b).slice(0, H));
          if (bidirectional) expect(hT(1)).toEqual(outAt(got.out!, batchFirst, 0, b).slice(H));
        });
        expect(lengths.some((len) => len < 7)).toBe(true);
      }
    });
  }

  it('without sequence_lens the same weights give other outputs (the comparison can fail)', async () => {
    const opts: UnrollOptions = { input: 3, hidden: 4, batch: 5, steps: 7, bidirectional: true, lengths: true, dtype: 'float32' };
    const feeds = cellFeeds(lstm, opts, 1);
    const want = interpret(unroll(lstm, opts), feeds);
    const { lengths: _, ...fixed } = opts;
    const got = await runOnnx(exportRecurrentOp('lstm', feeds, fixed), feeds, ['h', 'c']);
    expect(worstError(got, want).error).toBeGreaterThan(1e-2);
  });

  it('without lengths, bidirectional batch-first matches unroll too', async () => {
    const opts: UnrollOptions = { input: 2, hidden: 3, batch: 4, steps: 6, layers: 2, bidirectional: true, batchFirst: true, dtype: 'float32' };
    const { want, got } = await compare('gru', opts, 5);
    expect(got.out!.shape).toEqual([4, 6, 6]);
    expect(worstError(got, want).error).toBeLessThanOrEqual(TOL);
  });
});

describe('exportRecurrentOp refuses what ONNX cannot express', () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(isCellgradError(e, 'usage')).toBe(true);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  const opts: UnrollOptions = { input: 3, hidden: 4, batch: 2, steps: 5, lengths: true, bidirectional: true };
  const feeds = cellFeeds(gru, opts);

  it("maskMode 'carry' is a usage error naming the option", () => {
    expect(err(() => exportRecurrentOp('gru', feeds, { ...opts, maskMode: 'carry' }))).toMatch(/maskMode 'carry' has no ONNX form/);
    expect(() => exportRecurrentOp('gru', feeds, { ...opts, maskMode: 'zero' })).not.toThrow();
  });

  it('heads, teacher forcing, regularisers, bad flags and missing reverse weights are usage errors', () => {
    expect(err(() => exportRecurrentOp('gru', feeds, { ...opts, pattern: 'seq2one', classes: 3 } as UnrollOptions))).toMatch(/option 'pattern'/);
    expect(err(() => exportRecurrentOp('gru', feeds, { ...opts, teacherForcing: true } as UnrollOptions))).toMatch(/option 'teacherForcing'/);
    expect(err(() => exportRecurrentOp('gru', feeds, { ...opts, regularize: { dropout: 0.1 } } as UnrollOptions))).toMatch(/option 'regularize'/);
    expect(err(() => exportRecurrentOp('gru', feeds, { ...opts, batchFirst: 1 as unknown as boolean }))).toMatch(/'batchFirst' must be true or false/);
    const { weight_hh_reverse: _, ...noReverse } = feeds;
    expect(err(() => exportRecurrentOp('gru', noReverse, opts))).toMatch(/missing weight 'weight_hh_l0_reverse'/);
  });

  it('toSequenceLens refuses non-integer lengths with a feed error', () => {
    try {
      toSequenceLens([3, 0.5]);
      throw new Error('expected an error');
    } catch (e) {
      expect(isCellgradError(e, 'feed')).toBe(true);
      expect((e as Error).message).toMatch(/lengths\[1\] = 0.5 is not a positive integer/);
    }
  });
});
