/**
 * Round trip: a graph exported to ONNX and imported back gives the same values and gradients.
 * Every built-in cell through `toOnnx` (the general op mapping; float64, values and every gradient
 * of loss = sum(out²) to 1e-12), and lstm/gru through `exportRecurrentOp` (ONNX's own LSTM/GRU op with
 * reordered gates) with lengths, both directions, layers and batch-first: the imported op equals
 * `unroll` on the same weights, its gradients to x and the initial states equal unroll's, and the
 * imported graph compiles (the float64 plan equals the interpreter) and gradchecks (weights
 * included) in float64.
 */
import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { builtinCells, cellFeeds, gru, lstm, randomFeeds, unroll, type UnrollOptions } from '@cellgrad/cells';
import { GraphBuilder, compile, interpret, type Graph, type NDArray, type Outputs } from '@cellgrad/graph';
import { exportRecurrentOp, fromOnnx, toOnnx, type RecurrentKind } from '@cellgrad/onnx';
import { worstError } from './helpers.js';

/** `g` with loss = sum(out²) beside its outputs, differentiated with respect to `wrt` (default: every input). */
function withGrad(g: Graph, wrt?: readonly string[]): Graph {
  const { builder, outputs } = GraphBuilder.extend(g);
  const withLoss = builder.build({ ...outputs, loss: outputs.out!.square().sum() });
  return grad(withLoss, { of: 'loss', ...(wrt ? { wrt: [...wrt] } : {}) });
}

const sizes = { input: 3, hidden: 4, batch: 2, steps: 3, dtype: 'float64' as const };

describe('toOnnx → fromOnnx gives the same values and gradients for every built-in cell (float64)', () => {
  for (const [name, cell] of Object.entries(builtinCells)) {
    it(name, () => {
      // Step by step, as `cellgrad export` unrolls: ONNX has no linear_scan for the linear cells.
      const g = unroll(cell, { ...sizes, scan: 'never' });
      const { graph, initializers } = fromOnnx(toOnnx(g, { dtype: 'float64' }));
      // The graph's inputs, plus the constants toOnnx stored as initializers (inputs when imported).
      expect(graph.inputs.map((p) => p.name).sort()).toEqual([...g.inputs.map((p) => p.name), ...Object.keys(initializers)].sort());
      const feeds = randomFeeds(g, { seed: 3 });
      const want = interpret(withGrad(g, Object.keys(feeds)), feeds);
      const got = interpret(withGrad(graph, Object.keys(feeds)), { ...feeds, ...initializers });
      expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
      const { name: worst, error } = worstError(got, want);
      expect(error, `worst output ${worst}`).toBeLessThanOrEqual(1e-12);
    });
  }
});

const CASES: readonly { kind: RecurrentKind; opts: Partial<UnrollOptions> }[] = [
  { kind: 'lstm', opts: {} },
  { kind: 'gru', opts: {} },
  { kind: 'lstm', opts: { bidirectional: true, lengths: true } },
  { kind: 'gru', opts: { bidirectional: true, lengths: true, batchFirst: true } },
  { kind: 'lstm', opts: { layers: 2, batchFirst: true } },
  { kind: 'gru', opts: { layers: 2, bidirectional: true } },
];

/** The imported model's feeds: cellgrad's x, states and lengths (as `sequence_lens`) plus the stored weights. */
function importedFeeds(feeds: Record<string, NDArray>, initializers: Readonly<Record<string, NDArray>>, graph: Graph): Record<string, NDArray> {
  const out: Record<string, NDArray> = { ...initializers };
  for (const p of graph.inputs) {
    if (p.name === 'sequence_lens') out[p.name] = feeds.lengths!;
    else if (Object.hasOwn(feeds, p.name)) out[p.name] = feeds[p.name]!;
  }
  return out;
}

describe('exportRecurrentOp → fromOnnx equals unroll (values and gradients) and gradchecks', () => {
  for (const { kind, opts } of CASES) {
    it(`${kind} ${JSON.stringify(opts)}`, () => {
      const cell = kind === 'lstm' ? lstm : gru;
      const o: UnrollOptions = { ...sizes, ...opts };
      const feeds = cellFeeds(cell, o, 5);
      const { graph, initializers } = fromOnnx(exportRecurrentOp(kind, feeds, o, { dtype: 'float64' }));
      expect(Object.keys(initializers).length).toBe(3 * (o.layers ?? 1));
      const states = kind === 'lstm' ? ['h0', 'c0'] : ['h0'];
      const wrt = ['x', ...states];
      const want: Outputs = interpret(withGrad(unroll(cell, o), wrt), feeds);
      const got: Outputs = interpret(withGrad(graph, wrt), importedFeeds(feeds, initializers, graph));
      for (const k of Object.keys(want)) expect(got[k], k).toBeDefined();
      const { name: worst, error } = worstError(got, want);
      expect(error, `worst output ${worst}`).toBeLessThanOrEqual(1e-12);
      const fed = importedFeeds(feeds, initializers, graph);
      // The imported graph compiles like any other: the compiled float64 plan equals the interpreter.
      const compiled = compile(graph, { dtype: 'float64' }).run(fed);
      expect(worstError(compiled, interpret(graph, fed)).error).toBeLessThanOrEqual(1e-12);
      const report = gradcheck(graph, fed, { mode: 'fast', seed: 1, wrt: graph.inputs.map((p) => p.name).filter((n) => n !== 'sequence_lens') });
      expect(report.passed).toBe(true);
    });
  }
});
