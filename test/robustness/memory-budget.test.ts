/**
 * Resource exhaustion (issue 12, finding 6): a graph JSON of about 500 bytes whose tensors each pass
 * the per-tensor cap but together need gigabytes is refused by `interpret`, `compile`, `gradcheck`
 * and the command line before anything is allocated, with a message naming the estimate, the budget,
 * the largest buffers and the `maxBytes` option. Small budgets prove the estimates themselves.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, compile, DEFAULT_MAX_BYTES, deserialize, interpret, interpretAll, interpretPeak, type Graph } from '@cellgrad/graph';
import { gradcheck } from '@cellgrad/autodiff';
import { cellgrad } from '../cli/helpers.js';
import { thrown } from './helpers.js';

const N = 2 ** 28;
/** x[1] broadcast to 2²⁸ elements, then exp and neg of it as outputs: 6 GiB in float64, 4 GiB compiled. */
const BOMB = JSON.stringify({
  format: 'cellgrad-graph',
  version: 1,
  nodes: [
    { id: 0, op: 'input', inputs: [], attrs: { name: 'x', dtype: 'float64', shape: [1] }, dtype: 'float64', shape: [1] },
    { id: 1, op: 'broadcast_to', inputs: [0], attrs: { shape: [N] }, dtype: 'float64', shape: [N] },
    { id: 2, op: 'exp', inputs: [1], attrs: {}, dtype: 'float64', shape: [N] },
    { id: 3, op: 'neg', inputs: [1], attrs: {}, dtype: 'float64', shape: [N] },
  ],
  inputs: [{ name: 'x', id: 0 }],
  outputs: [
    { name: 'a', id: 2 },
    { name: 'b', id: 3 },
  ],
});

/** y = a chain over [n] values: b = broadcast(x), e = exp(b), s = e + b, out = sum(s); float64. */
function chain(n: number): Graph {
  return buildGraph(
    (b) => {
      const x = b.input('x', [1]);
      const wide = x.broadcastTo([n]);
      return { y: wide.exp().add(wide).sum() };
    },
    { dtype: 'float64' },
  );
}

describe('memory budget', () => {
  it('the bomb is small, and interpret refuses it naming estimate, budget, largest tensors and maxBytes', () => {
    expect(BOMB.length).toBeLessThan(600);
    const e = thrown(() => interpret(deserialize(BOMB), { x: [1] }));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(
      /^memory budget: interpret needs about 6\.0 GiB of tensor buffers \(6442450952 bytes\), more than maxBytes = 4\.0 GiB \(4294967296 bytes\)/,
    );
    expect(e.message).toMatch(/largest: %1 broadcast_to float64\[268435456\] \(2\.0 GiB\), %2 exp float64\[268435456\] \(2\.0 GiB\), %3 neg/);
    expect(e.message).toMatch(/pass a larger \{ maxBytes \}/);
    expect(DEFAULT_MAX_BYTES).toBe(4 * 2 ** 30);
  });

  it('compile refuses the bomb (float64 arena) before allocating; float32 too', () => {
    const g = deserialize(BOMB);
    const e = thrown(() => compile(g, { dtype: 'float64' }));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(
      /^memory budget: the compiled plan needs about 4\.0 GiB .* more than maxBytes = 4\.0 GiB .*largest: %\d+ (exp|neg) float64\[268435456\] \(2\.0 GiB\)/,
    );
    expect(thrown(() => compile(g, { dtype: 'float32', maxBytes: 2 ** 30 })).message).toMatch(/^memory budget: the compiled plan needs about 2\.0 GiB/);
  });

  it('interpret frees values after their last reader; interpretAll keeps (and counts) them all', () => {
    const g = chain(1000);
    // The peak is at add: x (8 bytes) and broadcast, exp and add (3 × 8000 bytes); y comes after.
    expect(interpretPeak(g, false).bytes).toBe(8 + 3 * 8000);
    // interpretAll also keeps y.
    expect(interpretPeak(g, true).bytes).toBe(8 + 3 * 8000 + 8);
    expect(interpret(g, { x: [0] }, { maxBytes: 24008 }).y!.data[0]).toBe(1000);
    expect(thrown(() => interpret(g, { x: [0] }, { maxBytes: 24007 })).message).toMatch(
      /needs about 23\.4 KiB of tensor buffers \(24008 bytes\), more than maxBytes = 23\.4 KiB \(24007 bytes\)/,
    );
    expect(thrown(() => interpretAll(g, { x: [0] }, { maxBytes: 24008 })).message).toMatch(/^memory budget: interpretAll needs about .* \(24016 bytes\)/);
    expect(interpret(g, { x: [0] }, { maxBytes: Infinity }).y!.data[0]).toBe(1000);
    expect(thrown(() => interpret(g, { x: [0] }, { maxBytes: -1 })).kind).toBe('usage');
  });

  it('the estimate holds for the dtype interpret runs in', () => {
    const g = chain(1000);
    expect(interpret(g, { x: [0] }, { dtype: 'float32', maxBytes: 12004 }).y!.data[0]).toBe(1000);
    expect(thrown(() => interpret(g, { x: [0] }, { dtype: 'float32', maxBytes: 12003 })).kind).toBe('shape');
  });

  it('compile checks its arena against maxBytes (and caches per budget)', () => {
    const g = chain(4096);
    const bytes = compile(g, { dtype: 'float64' }).stats.arenaBytes;
    expect(compile(g, { dtype: 'float64', maxBytes: bytes }).stats.arenaBytes).toBe(bytes);
    expect(thrown(() => compile(g, { dtype: 'float64', maxBytes: bytes - 1 })).message).toMatch(
      /^memory budget: the compiled plan needs about .*largest: %\d+ /,
    );
    expect(thrown(() => compile(g, { maxBytes: 0 })).kind).toBe('usage');
  });

  it('gradcheck counts the probe graphs and the full-mode Jacobian before its first evaluation', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [64]).tanh() }), { dtype: 'float64' });
    const feeds = { x: Array.from({ length: 64 }, (_, i) => i / 64) };
    expect(gradcheck(g, feeds, { maxBytes: 1e6 }).passed).toBe(true);
    // The analytic Jacobian alone is 64 × 64 × 8 = 32 KiB.
    const e = thrown(() => gradcheck(g, feeds, { maxBytes: 32768 }));
    expect(e.message).toMatch(
      /^memory budget: gradcheck \(full mode\) needs about .*largest: the analytic Jacobian \(64 outputs × 64 inputs, float64; mode 'fast' needs none\) \(32\.0 KiB\)/,
    );
    expect(gradcheck(g, feeds, { maxBytes: 32768, mode: 'fast' }).passed).toBe(true);
    const bomb = deserialize(BOMB);
    expect(thrown(() => gradcheck(bomb, { x: [1] }, { mode: 'fast' })).message).toMatch(/^memory budget: gradcheck \(fast mode\) needs about .* GiB/);
  });

  it('cellgrad gradcheck on a cell that widens to gigabytes: one line, exit 2, nothing allocated', async () => {
    const r = await cellgrad([
      'gradcheck',
      'test/robustness/fixtures/memory-bomb-cell.ts',
      '--steps',
      '2',
      '--hidden',
      '2',
      '--input',
      '2',
      '--batch',
      '1',
      '--mode',
      'fast',
    ]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^cellgrad: memory budget: gradcheck \(fast mode\) needs about [\d.]+ GiB .*largest: %\d+ \w+ float64\[1,2,134217728\] \(2\.0 GiB\)/,
    );
  });
});
