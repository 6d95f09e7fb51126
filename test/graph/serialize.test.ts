/** The IR's JSON form: `serialize`/`deserialize` and `toJSON`/`fromJSON` round trips and their validation. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, fromJSON, GraphBuilder, interpret, print, serialize, toJSON, type GraphJSON } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';

import { small, smallFeeds, thrown } from './ir-fixtures.js';

describe('JSON round trip', () => {
  it('serialize/deserialize and toJSON/fromJSON give an equal graph with equal results', () => {
    const g = small();
    const h = deserialize(serialize(g));
    expect(h).toEqual(g);
    expect(print(h)).toBe(print(g));
    const k = fromJSON(JSON.parse(JSON.stringify(toJSON(g))));
    expect(k).toEqual(g);
    const r1 = interpret(g, smallFeeds);
    const r2 = interpret(h, smallFeeds);
    expect([...r2.y!.data]).toEqual([...r1.y!.data]);
    expect([...r2.z!.data]).toEqual([...r1.z!.data]);
  });

  it('round-trips random graphs exactly, keeping scopes', () => {
    fc.assert(
      fc.property(recipeArb(), rngSeed(), (r, seed) => {
        const g = buildRecipe(r);
        const h = deserialize(serialize(g));
        expect(h).toEqual(g);
        expect(serialize(h)).toBe(serialize(g));
        const feeds = randomFeeds(g, new Rng(seed));
        expect([...interpret(h, feeds).loss!.data]).toEqual([...interpret(g, feeds).loss!.data]);
      }),
      fcParams(40),
    );
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const g = b.build({ y: b.scoped({ cell: 'gru', step: 1, layer: 0 }, () => x.tanh()) });
    const h = deserialize(serialize(g));
    expect(h.nodes[1]!.scope).toEqual({ cell: 'gru', step: 1, layer: 0 });
  });

  const good = () => toJSON(small()) as unknown as Record<string, unknown> & { nodes: Record<string, unknown>[]; outputs: unknown[] };

  it.each([
    ['not an object', () => 42, /expected an object/],
    ['format', () => ({ ...good(), format: 'onnx' }), /'format' must be "cellgrad-graph"/],
    ['version', () => ({ ...good(), version: 99 }), /unsupported version 99/],
    ['nodes', () => ({ ...good(), nodes: {} }), /'nodes' must be an array/],
    [
      'nodes[i].id',
      () => {
        const j = good();
        j.nodes[2]!.id = 5;
        return j;
      },
      /nodes\[2\]\.id must be 2, got 5/,
    ],
    [
      'nodes[i].op',
      () => {
        const j = good();
        j.nodes[1]!.op = 3;
        return j;
      },
      /nodes\[1\]\.op must be a string/,
    ],
    [
      'nodes[i].inputs',
      () => {
        const j = good();
        j.nodes[3]!.inputs = ['a'];
        return j;
      },
      /nodes\[3\]\.inputs must be an array of integers/,
    ],
    [
      'nodes[i].attrs',
      () => {
        const j = good();
        j.nodes[3]!.attrs = null;
        return j;
      },
      /nodes\[3\]\.attrs must be an object/,
    ],
    [
      'nodes[i].attrs.x',
      () => {
        const j = good();
        j.nodes[3]!.attrs = { perm: [1, 'a'] };
        return j;
      },
      /nodes\[3\]\.attrs\.perm is not a valid attribute value/,
    ],
    [
      'nodes[i].dtype',
      () => {
        const j = good();
        j.nodes[0]!.dtype = 'int8';
        return j;
      },
      /nodes\[0\]\.dtype: unknown dtype "int8"/,
    ],
    [
      'nodes[i].shape',
      () => {
        const j = good();
        j.nodes[0]!.shape = [2, -1];
        return j;
      },
      /nodes\[0\]\.shape/,
    ],
    [
      'nodes[i].scope',
      () => {
        const j = good();
        j.nodes[0]!.scope = 'x';
        return j;
      },
      /nodes\[0\]\.scope must be an object/,
    ],
    ['inputs', () => ({ ...good(), inputs: 'a' }), /'inputs' must be an array/],
    [
      'outputs[i]',
      () => {
        const j = good();
        j.outputs[0] = { name: 3 };
        return j;
      },
      /outputs\[0\] must be \{ name: string, id: integer \}/,
    ],
    [
      'a node verify rejects',
      () => {
        const j = good();
        j.nodes[5]!.op = 'nope';
        return j;
      },
      /node %5 uses unknown op 'nope'/,
    ],
  ])('fromJSON rejects a malformed %s, naming the field', (_, make, pattern) => {
    const e = thrown(() => fromJSON(make()));
    expect(e.message).toMatch(pattern);
  });

  it('toJSON gives a plain mutable copy, and fromJSON neither freezes nor aliases its argument', () => {
    const g = small();
    const j = toJSON(g);
    (j.nodes[3]!.attrs.perm as number[])[0] = 0; // a plain copy: editing it is fine ...
    j.nodes[3]!.shape.push(1);
    expect(g.nodes[3]!.attrs.perm).toEqual([1, 0]); // ... and leaves the graph untouched
    expect(g.nodes[3]!.shape).toEqual([3, 4]);
    const k = toJSON(g);
    const h = fromJSON(k);
    expect(Object.isFrozen(k.nodes[3]!.attrs.perm)).toBe(false);
    expect(Object.isFrozen(k.nodes[3]!.shape)).toBe(false);
    expect(Object.isFrozen(k.nodes[3]!.inputs)).toBe(false);
    k.nodes[3]!.shape[0] = 99;
    expect(h.nodes[3]!.shape).toEqual([3, 4]);
  });

  it('deserialize rejects text that is not JSON', () => {
    const e = thrown(() => deserialize('{"format": '));
    expect(e.kind).toBe('graph');
    expect(e.message).toMatch(/not valid JSON/);
  });

  it('the JSON form has the documented fields', () => {
    const j: GraphJSON = toJSON(small());
    expect(j.format).toBe('cellgrad-graph');
    expect(j.version).toBe(1);
    expect(j.nodes[0]).toEqual({ id: 0, op: 'input', inputs: [], attrs: { name: 'a', shape: [2, 3], dtype: 'float64' }, dtype: 'float64', shape: [2, 3] });
  });
});
