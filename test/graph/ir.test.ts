/**
 * The IR: hash-consing, immutability, the text form, `verify` (JSON round trips: serialize.test.ts; shape rules and
 * the interpreter: ir-exec.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, type CellgradError, fromJSON, GraphBuilder, print, toJSON, verify, type Graph, type Node, ops } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { buildRecipe, recipeArb } from '../support/random-graph.js';

import { plain, small, thrown } from './ir-fixtures.js';

describe('hash-consing', () => {
  it('the same op on the same inputs with the same attributes is one node', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const y = b.input('y', [2, 3]);
    expect(x.add(y).id).toBe(x.add(y).id);
    expect(x.add(y).id).not.toBe(y.add(x).id);
    expect(x.sum([0, 1]).id).toBe(x.sum([1, 0]).id);
    expect(x.sum(0, true).id).not.toBe(x.sum(0, false).id);
    expect(x.clamp(0, 1).id).toBe(ops.clamp(x, { max: 1, min: 0 }).id); // attribute order does not matter
    expect(x.clamp(0, 1).id).not.toBe(x.clamp(0, 2).id);
    expect(b.constant(2).id).toBe(b.constant(2).id);
    expect(x.mul(2).id).toBe(x.mul(2).id);
    expect(b.constant(2).id).not.toBe(b.constant(2, [], 'float32').id);
    const before = b.size;
    x.add(y);
    x.sum([0, 1]);
    expect(b.size).toBe(before);
  });

  it('W.T used twice is one node in the built graph', () => {
    const g = buildGraph(
      (b) => {
        const W = b.input('W', [3, 4]);
        const x1 = b.input('x1', [2, 4]);
        const x2 = b.input('x2', [5, 4]);
        return { y1: x1.matmul(W.T), y2: x2.matmul(W.T) };
      },
      { dtype: 'float64' },
    );
    expect(g.nodes.filter((n) => n.op === 'transpose')).toHaveLength(1);
    const [m1, m2] = g.nodes.filter((n) => n.op === 'matmul');
    expect(m1!.inputs[1]).toBe(m2!.inputs[1]);
  });

  it('a weight shared by every step of an unrolled loop stays one node', () => {
    const g = buildGraph(
      (b) => {
        const U = b.input('U', [3, 3]);
        let h = b.input('h0', [1, 3]);
        for (let t = 0; t < 5; t++) h = h.matmul(U.T).tanh();
        return { h };
      },
      { dtype: 'float64' },
    );
    expect(g.nodes.filter((n) => n.op === 'transpose')).toHaveLength(1);
    expect(g.nodes.filter((n) => n.op === 'matmul')).toHaveLength(5);
  });

  it('build prunes nodes the outputs do not need but keeps every input', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2]);
        b.input('unused', [3]);
        x.exp(); // dead
        return { y: x.neg() };
      },
      { dtype: 'float64' },
    );
    expect(g.nodes.map((n) => n.op)).toEqual(['input', 'input', 'neg']);
    expect(verify(g)).toBe(g);
  });
});

describe('immutability', () => {
  it('graphs, nodes, attributes and ports are frozen', () => {
    const g = small();
    expect(Object.isFrozen(g)).toBe(true);
    expect(Object.isFrozen(g.nodes)).toBe(true);
    const t = g.nodes.find((n) => n.op === 'transpose')!;
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.attrs)).toBe(true);
    expect(Object.isFrozen(t.attrs.perm)).toBe(true);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => (g.nodes as Node[]).push(t)).toThrow(TypeError);
    expect(() => {
      (t as { op: string }).op = 'add';
    }).toThrow(TypeError);
    expect(() => {
      (t.attrs.perm as number[])[0] = 1;
    }).toThrow(TypeError);
    expect(() => {
      (t.shape as number[])[0] = 9;
    }).toThrow(TypeError);
    expect(() => {
      (g.outputs[0] as { id: number }).id = 0;
    }).toThrow(TypeError);
    expect(() => {
      (g as { outputs: unknown }).outputs = [];
    }).toThrow(TypeError);
    expect(t.op).toBe('transpose');
  });

  it('graphs from fromJSON are frozen too, and extending a graph leaves it untouched', () => {
    const g = small();
    const h = fromJSON(toJSON(g));
    expect(Object.isFrozen(h.nodes[0])).toBe(true);
    const text = print(g);
    const ext = GraphBuilder.extend(g);
    ext.builder.build({ extra: ext.outputs.z!.mul(2) });
    expect(print(g)).toBe(text);
  });
});

describe('print', () => {
  it('one line per node, %id:type = op %inputs {attrs}, then return', () => {
    const g = buildGraph(
      (b) => {
        const a = b.input('a', [2, 3]);
        const W = b.input('W', [4, 3]);
        return { y: a.matmul(W.T), s: a.sum(1, true) };
      },
      { dtype: 'float64' },
    );
    expect(print(g)).toBe(
      [
        '%0:f64[2,3] = input "a"',
        '%1:f64[4,3] = input "W"',
        '%2:f64[3,4] = transpose %1 {perm=[1,0]}',
        '%3:f64[2,4] = matmul %0 %2',
        '%4:f64[2,1] = sum %0 {axes=[1], keepDims=true}',
        'return y=%3, s=%4',
      ].join('\n'),
    );
  });

  it('constants, fills, float32 types and scopes', () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [3]);
    const y = b.scoped({ cell: 'rnn', step: 2 }, () => x.mul(b.constant([1, 2, 3])).add(b.fill(0.5, [3])));
    const g = b.build({ y, big: x.add(b.constant([1, 2, 3, 4, 5, 6], [2, 3])) });
    const text = print(g);
    expect(text).toContain('%1:f32[3] = constant 1 2 3');
    expect(text).toContain('%2:f32[3] = mul %0 %1  # rnn t=2');
    expect(text).toContain('= fill 0.5');
    expect(text).toContain('constant <6 values>');
  });
});

describe('verify', () => {
  it('accepts every built graph (random recipes) and returns it', () => {
    fc.assert(
      fc.property(recipeArb(), (r) => {
        const g = buildRecipe(r);
        expect(verify(g)).toBe(g);
      }),
      fcParams(60),
    );
  });

  const broken = (edit: (g: ReturnType<typeof plain>) => void): CellgradError => {
    const g = plain(small());
    edit(g);
    return thrown(() => verify(g as unknown as Graph));
  };

  it('rejects a node whose id is not its index', () => {
    const e = broken((g) => {
      g.nodes[3]!.id = 7;
    });
    expect(e.kind).toBe('graph');
    expect(e.message).toMatch(/position 3 has id %7/);
  });

  it('rejects a forward reference (a cycle or a wrong order), naming the node', () => {
    const e = broken((g) => {
      g.nodes[4]!.inputs = [0, 6];
    });
    expect(e.message).toMatch(/%4 \(matmul\) uses %6, which does not come before it/);
    const self = broken((g) => {
      g.nodes[5]!.inputs = [5];
    });
    expect(self.message).toMatch(/%5 \(tanh\) uses %5/);
    const missing = broken((g) => {
      g.nodes[5]!.inputs = [99];
    });
    expect(missing.message).toMatch(/%5 \(tanh\) refers to missing node %99/);
  });

  it('rejects an unknown op, naming the node and the op', () => {
    const e = broken((g) => {
      g.nodes[5]!.op = 'frobnicate';
    });
    expect(e.kind).toBe('graph');
    expect(e.message).toMatch(/node %5 uses unknown op 'frobnicate'/);
  });

  it('rejects a wrong stored shape or dtype, naming the node and both types', () => {
    const e = broken((g) => {
      g.nodes[5]!.shape = [2, 5];
    });
    expect(e.message).toBe('verify: node %5 (tanh): stored type float64[2,5] differs from the inferred float64[2,4]');
    const d = broken((g) => {
      (g.nodes[5] as { dtype: string }).dtype = 'float32';
    });
    expect(d.message).toMatch(/node %5 \(tanh\): stored type float32\[2,4\] differs from the inferred float64\[2,4\]/);
  });

  it('rejects a bad arity, naming the node', () => {
    const e = broken((g) => {
      g.nodes[4]!.inputs = [0];
    });
    expect(e.message).toMatch(/node %4 \(matmul\) has 1 inputs, expected 2/);
  });

  it('rejects bad attributes and shapes an op does not accept, naming the node', () => {
    const e = broken((g) => {
      (g.nodes[3] as { attrs: unknown }).attrs = {};
    });
    expect(e.message).toMatch(/node %3 \(transpose\): transpose: attribute 'perm' must be an array of integers/);
    const sh = broken((g) => {
      g.nodes[4]!.inputs = [0, 0];
    });
    expect(sh.kind).toBe('shape');
    expect(sh.message).toMatch(/node %4 \(matmul\).*inner dimensions/);
  });

  it('rejects bad ports', () => {
    expect(
      broken((g) => {
        g.outputs[0]!.id = 42;
      }).message,
    ).toMatch(/output 'y' refers to missing node %42/);
    expect(
      broken((g) => {
        g.inputs[0]!.name = 'nope';
      }).message,
    ).toMatch(/input 'nope' does not name an input node/);
    expect(
      broken((g) => {
        g.inputs.pop();
      }).message,
    ).toMatch(/3 input nodes but 2 declared inputs/);
    expect(
      broken((g) => {
        g.outputs[1]!.name = 'y';
      }).message,
    ).toMatch(/two outputs are named 'y'/);
    expect(thrown(() => verify({} as Graph)).message).toMatch(/not a graph/);
  });
});
