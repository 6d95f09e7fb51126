/**
 * `cellgrad export`: the real command writes .onnx files that ONNX Runtime loads — the gradient
 * graph of a built-in cell (compared with the interpreter), a cell from a file, and the single-op
 * LSTM (compared with the unrolled built-in cell on the same weights) — and reports bad usage and
 * ops without an ONNX mapping as one line with exit code 2.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, interpret, type NDArray } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, gru, lstm, randomFeeds, unroll } from '@cellgrad/cells';
import { fromOrtTensor, decodeModel, openSession, toOrtTensor, toSequenceLens } from '@cellgrad/onnx';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { F32_TOL, worstError } from './helpers.js';

async function runFile(file: string, feeds: Record<string, NDArray>): Promise<Record<string, NDArray>> {
  const session = await openSession(readFileSync(file));
  const tensor = (n: string) => (n === 'sequence_lens' ? toSequenceLens(feeds.lengths!) : toOrtTensor(feeds[n]!, 'float32'));
  const result = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, tensor(n)])));
  await session.release();
  return Object.fromEntries(Object.keys(result).map((k) => [k, fromOrtTensor(result[k]!, k)]));
}

const sizes = { input: 3, hidden: 4, batch: 2, steps: 3, layers: 1 };
const sizeArgs = ['--input', '3', '--hidden', '4', '--batch', '2', '--steps', '3'];

describe('cellgrad export', () => {
  it('a built-in cell with --grad: the model runs on ORT and equals the interpreter', async () => {
    const out = path.join(tempDir(), 'gru.onnx');
    const r = await cellgrad(['export', 'gru', ...sizeArgs, '--grad', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /wrote .*gru\.onnx \(\d+ ONNX nodes, opset 17; inputs: x, h0, weight_ih, weight_hh, bias_ih, bias_hh; outputs: out, h_T, loss, grad:x, /,
    );
    const g0 = unroll(gru, { ...sizes, dtype: 'float32' });
    const { builder, outputs } = GraphBuilder.extend(g0);
    const g = grad(builder.build({ ...outputs, loss: outputs.out!.sum() }), { of: 'loss' });
    const feeds = randomFeeds(g, { seed: 3 });
    const got = await runFile(out, feeds);
    expect(Object.keys(got).sort()).toEqual(g.outputs.map((p) => p.name).sort());
    expect(worstError(got, interpret(g, feeds, { dtype: 'float32' })).error).toBeLessThanOrEqual(F32_TOL);
  });

  it('a cell from a file, at opset 18', async () => {
    const out = path.join(tempDir(), 'mgu.onnx');
    const r = await cellgrad(['export', 'examples/cells/minimal-gated-unit.ts', ...sizeArgs, '--opset', '18', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const m = decodeModel(readFileSync(out));
    expect(Number(m.opsetImport![0]!.version)).toBe(18);
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['out', 'h_T']);
  });

  it('--recurrent-op: the single ONNX LSTM op equals the unrolled built-in lstm on the same weights', async () => {
    const out = path.join(tempDir(), 'lstm-op.onnx');
    const r = await cellgrad(['export', 'lstm', ...sizeArgs, '--recurrent-op', '--seed', '5', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const m = decodeModel(readFileSync(out));
    expect(m.graph!.node!.filter((n) => n.opType === 'LSTM')).toHaveLength(1);
    const opts = { ...sizes, dtype: 'float32' as const };
    const feeds = cellFeeds(lstm, opts, 5);
    const got = await runFile(out, feeds);
    expect(worstError(got, interpret(unroll(lstm, opts), feeds)).error).toBeLessThanOrEqual(F32_TOL);
  });

  it('--bidirectional --lengths --batch-first, as the single GRU op and as the unrolled graph, equal unroll with those options', async () => {
    const seqArgs = ['--bidirectional', '--lengths', '--batch-first', '--layers', '2', '--seed', '4'];
    const opts = { ...sizes, layers: 2, bidirectional: true, lengths: true, batchFirst: true, dtype: 'float32' as const };
    const feeds = cellFeeds(gru, opts, 4);
    const want = interpret(unroll(gru, opts), feeds);
    for (const [file, extra, inputs] of [
      ['gru-op.onnx', ['--recurrent-op'], 'x, sequence_lens, h0'],
      ['gru-unrolled.onnx', [], 'x, lengths, h0, weight_ih_l0, '],
    ] as const) {
      const out = path.join(tempDir(), file);
      const r = await cellgrad(['export', 'gru', ...sizeArgs, ...seqArgs, ...extra, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`inputs: ${inputs}`);
      const got = await runFile(out, feeds);
      expect(got.out!.shape).toEqual([2, 3, 8]);
      expect(worstError(got, want).error).toBeLessThanOrEqual(F32_TOL);
    }
  });

  it('errors: --recurrent-op on another cell or with --grad; a cell with a user op ONNX cannot express', async () => {
    const out = path.join(tempDir(), 'x.onnx');
    const a = await cellgrad(['export', 'rnn_tanh', '--recurrent-op', '--out', out]);
    expect([a.code, a.stderr]).toEqual([2, "cellgrad: --recurrent-op exports the built-in lstm or gru as one ONNX op, not 'rnn_tanh'\n"]);
    const b = await cellgrad(['export', 'gru', '--recurrent-op', '--grad', '--out', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/cannot be combined with --grad/);
    const c = await cellgrad(['export', 'test/cli/fixtures/wrong-vjp-cell.ts', '--out', out]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^cellgrad: toOnnx: op 'wrong_tanh' \(node %\d+\) has no ONNX mapping; ops with one: abs, add, /);
  });
});
