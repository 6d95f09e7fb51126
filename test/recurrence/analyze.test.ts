// analyzeRecurrence on every built-in cell (which ops are in the core, which are time-parallel,
// which states are linear) and on random cells (the split agrees with plain reachability, and a
// state judged linear really is affine in the state).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeRecurrence, builtinCells, defineCell, getBuiltinCell, nextName, type Cell } from '@cellgrad/cells';
import { analyzeStep, interpret, linear, ndarray, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';

const ops = (nodes: readonly { op: string }[]) => nodes.map((n) => n.op).sort();
const has = (nodes: readonly { op: string }[], op: string) => nodes.some((n) => n.op === op);

describe('analyzeRecurrence on the built-in cells', () => {
  it('lstm: the core holds h·U, every gate nonlinearity and c; x·W is time-parallel; not linear', () => {
    const r = analyzeRecurrence(getBuiltinCell('lstm'));
    const core = r.core.map((n) => r.graph.nodes[n.id]!);
    const h = r.graph.inputs.find((p) => p.name === 'h')!.id;
    const c = r.graph.inputs.find((p) => p.name === 'c')!.id;
    expect(core.some((n) => n.op === 'matmul' && n.inputs[0] === h)).toBe(true);
    expect(core.map((n) => n.id)).toContain(c);
    expect(ops(r.core).filter((o) => o === 'sigmoid')).toHaveLength(3);
    expect(ops(r.core).filter((o) => o === 'tanh')).toHaveLength(2);
    expect(ops(r.timeParallel)).toEqual(['add', 'input', 'matmul']);
    expect(r.timeParallel.find((n) => n.op === 'matmul')!.text).toMatch(/matmul %0 /);
    expect(r.readout).toEqual([]);
    expect(ops(r.invariant)).toEqual(['input', 'input', 'input', 'input', 'transpose', 'transpose']);
    expect(r.linear).toBe(false);
    expect(r.states.map((s) => s.name)).toEqual(['h', 'c']);
    expect(r.states[1]!.reason).toMatch(/both depend on a state/);
  });

  it('gru: h·U and the three gates are core, x·W and its slices time-parallel', () => {
    const r = analyzeRecurrence(getBuiltinCell('gru'));
    expect(ops(r.core).filter((o) => o === 'sigmoid')).toHaveLength(2);
    expect(has(r.core, 'tanh')).toBe(true);
    expect(ops(r.timeParallel)).toEqual(['add', 'input', 'matmul', 'slice', 'slice', 'slice']);
    expect(r.linear).toBe(false);
  });

  it.each(['rnn_tanh', 'rnn_relu', 'irnn', 'rnn_residual', 'jordan', 'lstm_no_forget', 'lstm_peephole', 'lstm_hard', 'gru_cho', 'lstm_layernorm', 'sru_v'])(
    '%s is not linear and its core holds the state input and its matmul or gate',
    (name) => {
      const r = analyzeRecurrence(getBuiltinCell(name));
      expect(r.linear).toBe(false);
      expect(r.core.some((n) => n.op === 'input')).toBe(true);
      expect(r.core.some((n) => ['matmul', 'sigmoid', 'mul'].includes(n.op))).toBe(true);
      expect(r.states.every((s) => s.reason !== undefined)).toBe(true);
    },
  );

  it('lstm_layernorm: LN of x·W is time-parallel, LN of h·U and of c are core', () => {
    const r = analyzeRecurrence(getBuiltinCell('lstm_layernorm'));
    expect(ops(r.timeParallel).filter((o) => o === 'layer_norm')).toHaveLength(1);
    expect(ops(r.core).filter((o) => o === 'layer_norm')).toHaveLength(2);
  });

  it.each([
    ['mingru', 'h', []],
    ['minlstm', 'h', []],
    ['sru', 'c', ['add', 'mul', 'tanh']],
    ['qrnn', 'c', ['mul']],
  ] as const)('%s is linear: its core is just the scan (state, product, sum), the gates are time-parallel', (name, state, readout) => {
    const r = analyzeRecurrence(getBuiltinCell(name));
    expect(r.linear).toBe(true);
    expect(ops(r.core)).toEqual(['add', 'input', 'mul']);
    expect(r.core.find((n) => n.op === 'input')!.text).toContain(`"${state}"`);
    expect(has(r.timeParallel, 'sigmoid')).toBe(true);
    expect([...new Set(ops(r.readout))].sort()).toEqual([...readout]);
    expect(r.states[0]!.linear).toBeDefined();
  });

  it('every built-in cell is analysed (the split covers every node once)', () => {
    for (const cell of Object.values(builtinCells)) {
      const r = analyzeRecurrence(cell);
      expect(r.core.length + r.timeParallel.length + r.readout.length + r.invariant.length).toBe(r.graph.nodes.length);
    }
  });
});

// Random cells: gates from x only or from x and h, and a next state combining them.
interface Spec {
  readonly gates: readonly ('x' | 'xh')[];
  readonly update: readonly ('keep' | 'gate' | 'add' | 'tanh' | 'sub')[];
  readonly readout: boolean;
}
const specArb: fc.Arbitrary<Spec> = fc.record({
  gates: fc.array(fc.constantFrom('x' as const, 'xh' as const), { minLength: 1, maxLength: 3 }),
  update: fc.array(fc.constantFrom('keep' as const, 'gate' as const, 'add' as const, 'tanh' as const, 'sub' as const), { minLength: 1, maxLength: 4 }),
  readout: fc.boolean(),
});

function randomCell(spec: Spec): Cell {
  const G = spec.gates.length;
  return defineCell({
    name: 'random',
    params: ({ input: I, hidden: H }) => ({ W: [G * H, I], U: [G * H, H], b: [G * H] }),
    state: ({ hidden: H }) => ({ h: [H] }),
    output: 'y',
    step: ({ x, h }, { W, U, b }) => {
      const xw = linear(x, W, b).split(G, -1) as readonly Tensor[];
      const hu = h.matmul(U.T).split(G, -1) as readonly Tensor[];
      const gates = spec.gates.map((from, k) => (from === 'x' ? xw[k]! : xw[k]!.add(hu[k]!)).sigmoid());
      let v: Tensor = h;
      spec.update.forEach((u, k) => {
        const g = gates[k % G]!;
        if (u === 'gate') v = g.mul(v);
        else if (u === 'add') v = v.add(g);
        else if (u === 'sub') v = g.sub(v);
        else if (u === 'tanh') v = v.tanh();
      });
      return { h: v, y: spec.readout ? v.mul(h).tanh() : v };
    },
  });
}

/** Forward reachability in the rolled graph, written plainly (no graphlib). */
function reach(g: Graph, from: readonly number[], back: readonly [number, number][]): Set<number> {
  const succ = new Map<number, number[]>();
  for (const n of g.nodes) for (const i of n.inputs) succ.set(i, [...(succ.get(i) ?? []), n.id]);
  for (const [o, i] of back) succ.set(o, [...(succ.get(o) ?? []), i]);
  const seen = new Set<number>(from);
  const todo = [...from];
  while (todo.length) for (const s of succ.get(todo.pop()!) ?? []) if (!seen.has(s)) seen.add(s), todo.push(s);
  return seen;
}

describe('analyzeRecurrence on random cells', () => {
  it('the core is what a state reaches and what reaches a state; time-parallel is what no state reaches', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const r = analyzeRecurrence(randomCell(spec));
        const g = r.graph;
        const hIn = g.inputs.find((p) => p.name === 'h')!.id;
        const hOut = g.outputs.find((p) => p.name === nextName('h'))!.id;
        const fromState = reach(g, [hIn], [[hOut, hIn]]);
        // Reverse reachability to the state input: nodes from which h_next (hence h) is reached.
        const reaches = new Set(g.nodes.filter((n) => reach(g, [n.id], [[hOut, hIn]]).has(hIn)).map((n) => n.id));
        for (const n of g.nodes) {
          const role = r.step.roles[n.id];
          const onCycle = fromState.has(n.id) && reaches.has(n.id) && (n.id !== hIn || fromState.size > 1 || hOut === hIn);
          if (onCycle) expect(role).toBe('core');
          else if (fromState.has(n.id)) expect(role).toBe('readout');
          else expect(['time-parallel', 'invariant']).toContain(role);
        }
      }),
      fcParams(60),
    );
  });

  it('a state judged linear is affine in the state (h_next(2h) − 2 h_next(h) + h_next(0) = 0); a tanh or xh gate on the path is not linear', () => {
    fc.assert(
      fc.property(specArb, fc.integer({ min: 0, max: 1000 }), (spec, seed) => {
        const cell = randomCell(spec);
        const r = analyzeRecurrence(cell);
        const usedGates = spec.update.map((u, k) => (u === 'gate' || u === 'sub' || u === 'add' ? spec.gates[k % spec.gates.length] : undefined));
        const nonlinear = spec.update.includes('tanh') || usedGates.includes('xh');
        expect(r.linear).toBe(!nonlinear);
        if (!r.linear) return;
        const g = r.graph;
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
        const feeds: Record<string, NDArray> = {};
        for (const p of g.inputs) {
          const shape = g.nodes[p.id]!.shape;
          feeds[p.name] = ndarray(Float64Array.from({ length: shape.reduce((a, d) => a * d, 1) }, rnd), shape, 'float64');
        }
        const h = feeds.h!;
        const at = (scale: number) =>
          interpret(g, {
            ...feeds,
            h: ndarray(
              h.data.map((v) => v * scale),
              h.shape,
              'float64',
            ),
          })[nextName('h')]!.data;
        const one = at(1);
        const two = at(2);
        const zero = at(0);
        for (let i = 0; i < one.length; i++) expect(Math.abs(two[i]! - 2 * one[i]! + zero[i]!)).toBeLessThan(1e-12);
      }),
      fcParams(60),
    );
  });

  it('analyzeStep names a missing state input or output', () => {
    const g = analyzeRecurrence(getBuiltinCell('gru')).graph;
    expect(() => analyzeStep(g, [{ name: 'h', input: 'hh', output: 'h_next' }], ['x'])).toThrow(/state 'h' names input 'hh'.*x, h, /);
    expect(() => analyzeStep(g, [{ name: 'h', input: 'h', output: 'nope' }], ['x'])).toThrow(/output 'nope'.*h_next, y/);
  });
});
