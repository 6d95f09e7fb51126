/**
 * Every kind of mistake gets its own message and error kind, tested one by one: shape errors name
 * the op, the user's cell and step, and both shapes; unknown ops, cycles, dangling references, each
 * wrong feed (missing, extra, mis-shaped, wrong type) and wrong dtypes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  defineOp,
  elementwiseKernel,
  elementwiseType,
  fromJSON,
  GraphBuilder,
  interpret,
  linear,
  ndarray,
  type ErrorKind,
  type Feeds,
} from '@cellgrad/graph';
import os from 'node:os';
import { grad } from '@cellgrad/autodiff';
import { writeFileSafely } from '@cellgrad/graph/io';
import { defineCell, unroll } from '@cellgrad/cells';
import { nodeIndex, smallGraph, smallJSON, thrown } from './helpers.js';

/** A cell whose step is right at steps 0 and 1 and adds a mis-shaped tensor at step 2 only. */
/** The line of `lateBugCell`'s step that adds x (of the wrong width) at step 2. */
const LATE_BUG_LINE =
  readFileSync(import.meta.filename, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('(calls === 3 ? y.add(x) : y)') && !l.includes('LATE_BUG_LINE')) + 1;

function lateBugCell() {
  let calls = 0;
  return defineCell({
    name: 'late_bug',
    params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H] }),
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, { W, U }) => {
      const y = linear(x, W).add(linear(h, U));
      calls++;
      return { h: (calls === 3 ? y.add(x) : y).tanh() };
    },
  });
}

const feeds = (): Record<string, Feeds[string]> => ({
  x: ndarray([1, 2, 3, 4, 5, 6], [2, 3]),
  W: ndarray(new Array(12).fill(0.1), [3, 4]),
  b: ndarray([0, 1, 2, 3], [4]),
});

describe('shape errors', () => {
  it("name the op, the user's cell, the step and both shapes", () => {
    const e = thrown(() => unroll(lateBugCell(), { input: 3, hidden: 4, batch: 2, steps: 5 }));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(/cell 'late_bug'/);
    expect(e.message).toMatch(/step 2\b/);
    expect(e.message).toMatch(/\badd\b/);
    expect(e.message).toContain('[2,4]');
    expect(e.message).toContain('[2,3]');
  });

  it('matmul: names both operand shapes and the mismatched inner sizes', () => {
    const e = thrown(() => buildGraph((b) => ({ y: b.input('a', [2, 3]).matmul(b.input('c', [4, 5])) })));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(/matmul: inner dimensions differ: \[2,3\] @ \[4,5\] \(3 ≠ 4\)/);
  });

  it('in a loaded graph: the stored shape against the inferred one, naming the node', () => {
    const j = smallJSON();
    const t = nodeIndex(j, 'tanh');
    j.nodes[t]!.shape = [4, 2];
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('graph');
    expect(e.message).toBe(`graph JSON: nodes[${t}]: node %${t} (tanh): stored type float64[4,2] differs from the inferred float64[2,4]`);
  });
});

describe('malformed graphs', () => {
  it('an unknown op', () => {
    const j = smallJSON();
    j.nodes[nodeIndex(j, 'tanh')]!.op = 'frobnicate';
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('graph');
    expect(e.message).toMatch(/node %\d+ uses unknown op 'frobnicate'/);
    const f = thrown(() => new GraphBuilder().apply('frobnicate', []));
    expect(f.message).toMatch(/^unknown op 'frobnicate' \(known ops: .*matmul.*\)$/);
  });

  it('a cycle (a node using a later node)', () => {
    const j = smallJSON();
    const t = nodeIndex(j, 'tanh');
    const add = nodeIndex(j, 'add');
    j.nodes[t]!.inputs = [add];
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('graph');
    expect(e.message).toMatch(new RegExp(`node %${t} \\(tanh\\) uses %${add}, which does not come before it \\(a cycle or a wrong order\\)`));
  });

  it('a self-loop is a cycle too', () => {
    const j = smallJSON();
    const t = nodeIndex(j, 'tanh');
    j.nodes[t]!.inputs = [t];
    expect(thrown(() => fromJSON(j)).message).toMatch(/a cycle or a wrong order/);
  });

  it('a dangling reference: node input and output port', () => {
    const j = smallJSON();
    j.nodes[nodeIndex(j, 'tanh')]!.inputs = [99];
    expect(thrown(() => fromJSON(j)).message).toMatch(/\(tanh\) refers to missing node %99/);
    const k = smallJSON();
    k.outputs[0] = { name: 'y', id: 42 };
    expect(thrown(() => fromJSON(k)).message).toMatch(/output 'y' refers to missing node %42/);
    const n = smallJSON();
    n.inputs[0] = { name: 'x', id: 42 };
    expect(thrown(() => fromJSON(n)).message).toMatch(/input 'x' does not name an input node/);
  });

  it('wrong ids, wrong arity, duplicate names', () => {
    const j = smallJSON();
    j.nodes[2]!.id = 7;
    expect(thrown(() => fromJSON(j)).message).toMatch(/nodes\[2\]\.id must be 2, got 7/);
    const k = smallJSON();
    k.nodes[nodeIndex(k, 'add')]!.inputs.push(0);
    expect(thrown(() => fromJSON(k)).message).toMatch(/\(add\) has 3 inputs, expected 2/);
    const d = smallJSON();
    d.outputs[1] = { ...d.outputs[1]!, name: 'y' };
    expect(thrown(() => fromJSON(d)).message).toMatch(/two outputs are named 'y'/);
  });
});

describe('wrong feeds', () => {
  const g = smallGraph();

  it('a missing feed names the input and its type', () => {
    const { b: _, ...rest } = feeds();
    const e = thrown(() => interpret(g, rest));
    expect(e.kind).toBe('feed');
    expect(e.message).toBe("missing feed for input 'b' (expected float64[4])");
  });

  it('an extra feed names it and the real inputs', () => {
    const e = thrown(() => interpret(g, { ...feeds(), bias: [1, 2, 3, 4] }));
    expect(e.kind).toBe('feed');
    expect(e.message).toBe("feed 'bias' does not match any input of the graph (inputs: x, W, b)");
  });

  it('a mis-shaped feed names both shapes', () => {
    const e = thrown(() => interpret(g, { ...feeds(), x: ndarray([1, 2, 3, 4, 5, 6], [3, 2]) }));
    expect(e.kind).toBe('feed');
    expect(e.message).toBe("feed 'x': expected shape [2,3], got [3,2]");
  });

  it('a feed of the wrong type', () => {
    for (const bad of ['1,2,3,4', null, { shape: [4], data: [0, 1, 2, 3] }, { shape: [4], data: new Int32Array(4) }, true, () => 1]) {
      const e = thrown(() => interpret(g, { ...feeds(), b: bad as never }));
      expect(e.kind).toBe('feed');
      expect(e.message).toMatch(/^feed 'b': expected an NDArray \(\{ shape, data: Float32Array \| Float64Array \}\), a number or nested arrays$/);
    }
  });

  it('a ragged or non-numeric nested array, and data that does not fill the shape', () => {
    expect(thrown(() => interpret(g, { ...feeds(), b: [[1, 2], [3]] })).message).toMatch(/^feed 'b': ragged nested array/);
    expect(thrown(() => interpret(g, { ...feeds(), b: [1, 2, '3', 4] as never })).message).toMatch(/^feed 'b': ragged or non-numeric/);
    const short = { shape: [4], data: new Float64Array(3) };
    expect(thrown(() => interpret(g, { ...feeds(), b: short })).message).toBe("feed 'b': 3 values do not fill its shape [4]");
  });

  it('an input named like an Object.prototype member is missing, not fed by the prototype', () => {
    const h = buildGraph((b) => ({ y: b.input('constructor', [1]).neg() }), { dtype: 'float64' });
    expect(thrown(() => interpret(h, {})).message).toBe("missing feed for input 'constructor' (expected float64[1])");
    expect(interpret(h, { constructor: [2] }).y!.data[0]).toBe(-2);
  });

  it('feeds that are not an object', () => {
    expect(thrown(() => interpret(g, null as never)).kind).toBe('feed');
  });
});

describe('wrong dtypes', () => {
  it('mixing float32 and float64 in one op', () => {
    const e = thrown(() => buildGraph((b) => ({ y: b.input('a', [2], 'float32').add(b.input('c', [2], 'float64')) })));
    expect(e.kind).toBe('dtype');
    expect(e.message).toBe('add: inputs have different dtypes (f32[2], f64[2]); cast them to one dtype first');
  });

  it('an unknown dtype in a file names the field', () => {
    const j = smallJSON();
    j.nodes[0]!.dtype = 'int8';
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('dtype');
    expect(e.message).toBe('graph JSON: nodes[0].dtype: unknown dtype "int8" (expected "float32" or "float64")');
  });

  it('mixed dtypes in a file: the node and the problem', () => {
    const j = smallJSON();
    const w = j.inputs.find((p) => p.name === 'W')!.id;
    j.nodes[w]!.dtype = 'float32';
    j.nodes[w]!.attrs.dtype = 'float32';
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('dtype');
    expect(e.message).toMatch(/nodes\[\d+\]: node %\d+ \(matmul\): matmul: inputs have different dtypes/);
  });
});

describe('each kind has its own message', () => {
  it('the messages above are pairwise distinct in kind or text', () => {
    const j1 = smallJSON();
    j1.nodes[nodeIndex(j1, 'tanh')]!.op = 'nope';
    const j2 = smallJSON();
    j2.nodes[nodeIndex(j2, 'tanh')]!.inputs = [nodeIndex(j2, 'add')];
    const j3 = smallJSON();
    j3.nodes[nodeIndex(j3, 'tanh')]!.inputs = [99];
    const j4 = smallJSON();
    j4.nodes[0]!.dtype = 'int8';
    const g = smallGraph();
    const errors = [
      () => fromJSON(j1),
      () => fromJSON(j2),
      () => fromJSON(j3),
      () => fromJSON(j4),
      () => interpret(g, {}),
      () => interpret(g, { ...feeds(), q: 1 }),
      () => interpret(g, { ...feeds(), b: [1] }),
      () => interpret(g, { ...feeds(), b: 'x' as never }),
      () => unroll(lateBugCell(), { input: 3, hidden: 4, batch: 2, steps: 5 }),
    ].map((f) => thrown(f));
    const patterns = [
      /unknown op/,
      /a cycle/,
      /missing node/,
      /unknown dtype/,
      /missing feed/,
      /does not match any input/,
      /expected shape/,
      /expected an NDArray/,
      /do not broadcast/,
    ];
    errors.forEach((e, i) => {
      patterns.forEach((p, k) => expect(p.test(e.message)).toBe(i === k));
    });
  });
});

describe('every error kind', () => {
  // An op with no VJP, for the 'gradient' kind (a unique name: the registry is global).
  const noVjp = `robust_no_vjp_${process.pid}`;
  defineOp({ name: noVjp, arity: 1, type: elementwiseType(noVjp), kernel: elementwiseKernel((x) => 2 * x) });

  // One trigger per kind; the Record type makes this list exhaustive over ErrorKind.
  const TRIGGERS: Record<ErrorKind, [() => unknown, RegExp]> = {
    shape: [
      () => unroll(lateBugCell(), { input: 3, hidden: 4, batch: 2, steps: 5 }),
      new RegExp(`cell 'late_bug'.*step 2 \\(at .*errors\\.test\\.ts:${LATE_BUG_LINE}:\\d+\\): add: shapes \\[2,4\\] and \\[2,3\\] do not broadcast`),
    ],
    dtype: [() => buildGraph((b) => ({ y: b.input('a', [2], 'float32').mul(b.input('c', [2], 'float64')) })), /mul: inputs have different dtypes/],
    feed: [() => interpret(smallGraph(), {}), /missing feed for input 'x'/],
    graph: [
      () => {
        const j = smallJSON();
        j.nodes[nodeIndex(j, 'tanh')]!.op = 'nope';
        return fromJSON(j);
      },
      /unknown op 'nope'/,
    ],
    gradient: [
      () =>
        grad(
          buildGraph((b) => ({ loss: b.apply(noVjp, [b.input('x', [2])]).sum() }), { dtype: 'float64' }),
          { of: 'loss' },
        ),
      new RegExp(noVjp),
    ],
    op: [() => defineOp({ name: 'tanh', arity: 1, type: ([x]) => x!, kernel: () => {} }), /an op named 'tanh' is already defined/],
    cell: [() => defineCell({ name: '', params: () => ({}), state: () => ({}), step: () => ({}) }), /a cell needs a non-empty string 'name'/],
    usage: [() => buildGraph(() => ({})), /build: a graph needs at least one output/],
    nonfinite: [
      () =>
        interpret(
          buildGraph((b) => ({ y: b.input('x', [1]).log() }), { dtype: 'float64' }),
          { x: [-1] },
          { checkFinite: true },
        ),
      /node %\d+ \(log\) produced NaN/,
    ],
    io: [() => writeFileSafely(os.tmpdir(), 'x'), /cannot write .+: it is a directory \(EISDIR\); nothing was written/],
  };

  it.each(Object.entries(TRIGGERS))('%s: raised as a CellgradError of that kind with its own message', (kind, [trigger, message]) => {
    const e = thrown(trigger);
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(message);
  });
});
