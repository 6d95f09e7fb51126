/**
 * Loading a graph from JSON validates everything before use: the schema, every op's attributes
 * (one malformed attribute per op, each rejected with the field and the problem), shapes, sizes and
 * scopes; attribute keys such as "__proto__" stay data. Loaded names and attributes never reach the
 * compiled executor's generated source. `cellgrad print` on a malformed file prints one line and exits 2.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ops,
  buildGraph,
  compile,
  deserialize,
  drawUniform,
  fromJSON,
  interpret,
  listOps,
  serialize,
  toJSON,
  type Graph,
  type GraphJSON,
  type Tensor,
  loop,
} from '@cellgrad/graph';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { thrown } from './helpers.js';

/** The JSON of `y = f(x)` for x: float64[2,3], and the index of f's last node. */
function opJSON(f: (x: Tensor) => Tensor): { j: GraphJSON; at: number } {
  const g = buildGraph((b) => ({ y: f(b.input('x', [2, 3])) }), { dtype: 'float64' });
  const j = JSON.parse(serialize(g)) as GraphJSON;
  return { j, at: g.outputs[0]!.id };
}

type Case = [string, (x: Tensor) => Tensor, Record<string, unknown>, RegExp];

/** A loop over the rows of x: h′ = h + x_t, output h′. */
const rowSum = (x: Tensor) => {
  const body = buildGraph(
    (s) => {
      const h = s.input('h', [3]).add(s.input('x', [3]));
      return { h_next: h, y: h };
    },
    { dtype: 'float64' },
  );
  return loop({ body, carries: [x.index(0, 0)], sequences: [x] }).node;
};

// One malformed attribute per op that has attributes: [op, how to build it, attrs to merge in, message].
const CASES: Case[] = [
  ['input name', (x) => x, { name: '' }, /input: attribute 'name' must be a non-empty string/],
  ['input dtype', (x) => x, { dtype: 'int32' }, /unknown dtype "int32"/],
  ['input shape', (x) => x, { shape: [2, -3] }, /is not a shape/],
  ['constant data', (x) => x.builder.constant([1, 2]), { data: ['a', 'b'] }, /constant: attribute 'data' must be an array of numbers/],
  ['constant size', (x) => x.builder.constant([1, 2]), { data: [1, 2, 3] }, /constant: 3 values do not fill shape \[2\]/],
  ['fill value', (x) => x.builder.fill(1, [2]), { value: 'one' }, /fill: attribute 'value' must be a number/],
  ['transpose perm type', (x) => x.transpose([1, 0]), { perm: 'T' }, /transpose: attribute 'perm' must be an array of integers/],
  ['transpose perm value', (x) => x.transpose([1, 0]), { perm: [0, 0] }, /transpose: perm \[0,0\] is not a permutation/],
  ['reshape shape', (x) => x.reshape([6]), { shape: [1.5] }, /reshape: attribute 'shape' must be an array of integers/],
  ['reshape size', (x) => x.reshape([6]), { shape: [7] }, /reshape: cannot reshape \[2,3\] \(6 elements\) to \[7\]/],
  ['broadcast_to shape', (x) => x.broadcastTo([4, 2, 3]), { shape: [4, 2, 5] }, /broadcast_to: cannot broadcast \[2,3\] to \[4,2,5\]/],
  ['concat axis', (x) => ops.concat(x, x, { axis: 0 }), { axis: 0.5 }, /concat: attribute 'axis' must be an integer/],
  ['concat range', (x) => ops.concat(x, x, { axis: 0 }), { axis: 2 }, /concat: axis 2 is out of range for \[2,3\]/],
  ['slice start', (x) => x.slice(1, 0, 2), { start: '0' }, /slice: attribute 'start' must be an integer/],
  ['slice range', (x) => x.slice(1, 0, 2), { end: 9 }, /slice: \[0, 9\) is not a non-empty range inside axis 1 of \[2,3\]/],
  ['pad before', (x) => x.pad(1, 1, 1), { before: -1 }, /pad: negative padding/],
  ['sum axes type', (x) => x.sum([1]), { axes: '1' }, /sum: attribute 'axes' must be an array of integers/],
  ['sum axes range', (x) => x.sum([1]), { axes: [1, 5] }, /sum: axes \[1,5\] must be distinct ascending axes of \[2,3\]/],
  ['mean keepDims', (x) => x.mean([1]), { keepDims: 'yes' }, /mean: attribute 'keepDims' must be a boolean/],
  ['max axes order', (x) => x.max([0, 1]), { axes: [1, 0] }, /max: axes \[1,0\] must be distinct ascending/],
  ['variance keepDims', (x) => x.variance([1]), { keepDims: 1 }, /variance: attribute 'keepDims' must be a boolean/],
  ['layer_norm eps', (x) => x.layerNorm(), { eps: -1 }, /layer_norm: attribute 'eps' must be a finite number ≥ 0, got -1/],
  ['softmax axis type', (x) => x.softmax(1), { axis: null }, /softmax: attribute 'axis' must be an integer, got null/],
  ['log_softmax axis range', (x) => x.logSoftmax(1), { axis: 3 }, /log_softmax: axis 3 is out of range for \[2,3\]/],
  ['clamp min', (x) => x.clamp(-1, 1), { min: 'a' }, /clamp: attribute 'min' must be a finite number, got "a"/],
  ['clamp order', (x) => x.clamp(-1, 1), { min: 2 }, /clamp: min 2 is greater than max 1/],
  ['hard_sigmoid slope', (x) => x.hardSigmoid('keras'), { slope: 0 }, /hard_sigmoid: slope must be positive/],
  ['hard_sigmoid slope type', (x) => x.hardSigmoid('keras'), { slope: [0.2] }, /hard_sigmoid: attribute 'slope' must be a finite number/],
  [
    'random_uniform stream',
    (x) => drawUniform(x.builder.constant([0, 0, 0, 0], [4]), [2], 0),
    { stream: -1 },
    /random_uniform: attribute 'stream' must be a non-negative integer, got -1/,
  ],
  ['random_uniform shape', (x) => drawUniform(x.builder.constant([0, 0, 0, 0], [4]), [2], 0), { shape: [2.5] }, /random_uniform: .*shape/],
  [
    'linear_scan reverse',
    (x) => ops.linearScan(x, x, x.index(0, 0), { reverse: false }),
    { reverse: 'yes' },
    /linear_scan: attribute 'reverse' must be a boolean, got "yes"/,
  ],
  ['loop reverse', rowSum, { reverse: 'yes' }, /loop: attribute 'reverse' must be a boolean, got "yes"/],
  ['loop carries', rowSum, { carries: -1 }, /loop: attribute 'carries' must be an integer ≥ 0, got -1/],
  [
    'loop body',
    rowSum,
    { body: '{"format":"cellgrad-graph","version":1,"nodes":[]}' },
    /loop: its body is not a valid graph: graph JSON: 'inputs' must be an array/,
  ],
  [
    'log_linear_scan reverse',
    (x) => ops.logLinearScan(x, x, x.index(0, 0), { reverse: false }),
    { reverse: 1 },
    /log_linear_scan: attribute 'reverse' must be a boolean, got 1/,
  ],
  [
    'step_ste surrogate',
    (x) => ops.stepSte(x, { surrogate: 'identity' }),
    { surrogate: 'eval' },
    /step_ste: attribute 'surrogate' must be 'identity' or 'sigmoid', got "eval"/,
  ],
];

describe('every op validates its attributes on load', () => {
  it.each(CASES)('%s', (_, f, attrs, message) => {
    const { j, at } = opJSON(f);
    const target = _.startsWith('input') ? 0 : at;
    Object.assign(j.nodes[target]!.attrs, attrs);
    const e = thrown(() => fromJSON(j));
    expect(e.message).toMatch(new RegExp(`^graph JSON: nodes\\[${target}\\]: node %${target} \\(\\w+\\)`));
    expect(e.message).toMatch(message);
  });

  it('every registered op that validates attributes has a case above', () => {
    const covered = new Set(CASES.map(([name]) => name.split(' ')[0]!));
    const withAttrs = listOps()
      .filter((op) => op.checkAttrs !== undefined)
      .map((op) => op.name);
    expect(withAttrs.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('attribute values that are neither numbers, strings, booleans nor flat arrays are rejected', () => {
    const { j, at } = opJSON((x) => x.transpose([1, 0]));
    (j.nodes[at]!.attrs as Record<string, unknown>).perm = { 0: 1, 1: 0 };
    expect(thrown(() => fromJSON(j)).message).toBe(`graph JSON: nodes[${at}].attrs.perm is not a valid attribute value`);
    (j.nodes[at]!.attrs as Record<string, unknown>).perm = [[1], [0]];
    expect(thrown(() => fromJSON(j)).message).toBe(`graph JSON: nodes[${at}].attrs.perm is not a valid attribute value`);
  });

  it('NaN and Infinity (possible in an object, not in JSON text) are rejected where a finite number is needed', () => {
    const { j, at } = opJSON((x) => x.clamp(-1, 1));
    (j.nodes[at]!.attrs as Record<string, unknown>).max = Infinity;
    expect(thrown(() => fromJSON(j)).message).toMatch(/clamp: attribute 'max' must be a finite number/);
  });
});

describe('schema, sizes and scopes', () => {
  it('a tensor larger than the size limit is refused before anything is allocated', () => {
    const { j, at } = opJSON((x) => x.builder.fill(0, [2]));
    j.nodes[at]!.attrs.shape = [65536, 65536];
    j.nodes[at]!.shape = [65536, 65536];
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(/has 4294967296 elements .* at most 268435456 are allowed/);
  });

  it('an empty tensor whose other axes are huge is refused too (kernels would loop over them)', () => {
    const { j, at } = opJSON((x) => x.builder.fill(0, [2]));
    j.nodes[at]!.attrs.shape = [2 ** 40, 0];
    j.nodes[at]!.shape = [2 ** 40, 0];
    const e = thrown(() => fromJSON(j));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(/has shape \[1099511627776,0\], whose non-zero axes span 1099511627776 positions; at most 268435456 are allowed/);
  });

  it('scopes: cell is a string, step and layer non-negative integers, phase forward or backward', () => {
    for (const [scope, field] of [
      [{ cell: 3 }, 'cell'],
      [{ step: -1 }, 'step'],
      [{ layer: 1.5 }, 'layer'],
      [{ phase: 'sideways' }, 'phase'],
      [{ note: {} }, 'note'],
    ] as const) {
      const { j } = opJSON((x) => x.tanh());
      (j.nodes[1] as { scope?: unknown }).scope = scope;
      expect(thrown(() => fromJSON(j)).message).toMatch(new RegExp(`^graph JSON: nodes\\[1\\]\\.scope\\.${field} is not valid`));
    }
    const { j } = opJSON((x) => x.tanh());
    (j.nodes[1] as { scope?: unknown }).scope = { cell: 'gru', step: 3, layer: 0, phase: 'forward' };
    expect(fromJSON(j).nodes[1]!.scope).toEqual({ cell: 'gru', step: 3, layer: 0, phase: 'forward' });
  });

  it('an attribute named "__proto__" stays an own data attribute and changes no prototype', () => {
    const text = serialize(buildGraph((b) => ({ y: b.input('x', [2]).tanh() }), { dtype: 'float64' })).replace('"attrs":{}', '"attrs":{"__proto__":[1,2]}');
    expect(text).toContain('__proto__');
    const g = deserialize(text);
    const attrs = g.nodes[1]!.attrs;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.hasOwn(attrs, '__proto__')).toBe(true);
    expect(interpret(g, { x: [0, 1] }).y!.data[1]).toBe(Math.tanh(1));
  });

  it('an output named "__proto__" is an ordinary output of interpret', () => {
    const g = deserialize(serialize(buildGraph((b) => ({ ['__proto__']: b.input('x', [2]).neg() }), { dtype: 'float64' })));
    expect(g.outputs[0]!.name).toBe('__proto__');
    const out = interpret(g, { x: [1, 2] });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Array.from(Object.getOwnPropertyDescriptor(out, '__proto__')!.value.data)).toEqual([-1, -2]);
  });

  it('garbage of every JSON type is refused with a graph error', () => {
    for (const text of [
      '',
      'null',
      '[]',
      '"graph"',
      '42',
      '{"format":"cellgrad-graph","version":1}',
      '{"format":"cellgrad-graph","version":1,"nodes":[null],"inputs":[],"outputs":[]}',
    ]) {
      expect(thrown(() => deserialize(text)).kind).toBe('graph');
    }
  });
});

describe('loaded names and attributes never reach generated source unchecked', () => {
  const evil = "x'); globalThis.__pwned = 1; ('";

  it('input and output names with code in them are data only', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input(evil, [2, 3]);
        return { [evil]: x.tanh().mul(x).add(1) };
      },
      { dtype: 'float64' },
    );
    const h = deserialize(serialize(g));
    const exe = compile(h, { dtype: 'float64' });
    expect(exe.source()).not.toContain('pwned');
    const out = exe.run({
      [evil]: [
        [1, 2, 3],
        [4, 5, 6],
      ],
    });
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
    expect(out[evil]!.data[0]).toBe(Math.tanh(1) * 1 + 1);
  });

  it('a code-carrying attribute is refused at load time, and by compile even on a graph that skipped loading', () => {
    const { j, at } = opJSON((x) => x.clamp(-1, 1));
    (j.nodes[at]!.attrs as Record<string, unknown>).min = '0) + (globalThis.__pwned = 1';
    expect(thrown(() => fromJSON(j)).message).toMatch(/clamp: attribute 'min' must be a finite number/);
    // A hand-made graph object that never went through fromJSON/verify.
    const g = fromJSON(toJSON(buildGraph((b) => ({ y: b.input('x', [2, 3]).clamp(-1, 1).tanh() }), { dtype: 'float64' })));
    const forged: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'clamp' ? { ...n, attrs: { ...n.attrs, min: '0) + (globalThis.__pwned = 1' } } : n)) };
    const e = thrown(() => compile(forged, { dtype: 'float64' }));
    expect(e.kind).toBe('graph');
    expect(e.message).toMatch(/clamp: attribute 'min' must be a finite number|compile: .* is not a finite number/);
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
  });
});

describe('values at the edge of float32', () => {
  it('a finite float64 constant that rounds to Infinity in float32 compiles and runs as interpreted', () => {
    const g = deserialize(
      serialize(
        buildGraph(
          (b) => {
            const x = b.input('x', [2]);
            return { y: x.mul(b.constant(3.4028235677973366e38)), z: x.add(b.fill(-3.5e38, [2])) };
          },
          { dtype: 'float64' },
        ),
      ),
    );
    const feeds = { x: [1, -2] };
    const want = interpret(g, feeds, { dtype: 'float32' });
    const got = compile(g, { dtype: 'float32' }).run(feeds);
    expect(Array.from(want.y!.data)).toEqual([Infinity, -Infinity]);
    expect(Array.from(got.y!.data)).toEqual(Array.from(want.y!.data));
    expect(Array.from(got.z!.data)).toEqual(Array.from(want.z!.data));
  });
});

describe('cellgrad print <malformed.json>', () => {
  const dir = tempDir('cellgrad-robust-');
  const good = serialize(buildGraph((b) => ({ y: b.input('x', [2, 3]).tanh().sum() }), { dtype: 'float64' }));
  const files: [string, string, RegExp][] = [
    ['truncated.json', good.slice(0, 40), /graph JSON: not valid JSON/],
    ['unknown-op.json', good.replace('"tanh"', '"tanhh"'), /uses unknown op 'tanhh'/],
    ['cycle.json', good.replace('"op":"tanh","inputs":[0]', '"op":"tanh","inputs":[2]'), /does not come before it \(a cycle/],
    ['bad-attr.json', good.replace('"keepDims":false', '"keepDims":"no"'), /sum: attribute 'keepDims' must be a boolean/],
    ['bad-dtype.json', good.replace('"dtype":"float64"', '"dtype":"float16"'), /unknown dtype "float16"/],
    ['empty.json', '', /graph JSON: not valid JSON/],
    ['binary.json', '\u0000\u00ff\u0007PK\u0003\u0004', /graph JSON: not valid JSON/],
    ['huge.json', good.replaceAll('"shape":[2,3]', '"shape":[65536,65536]'), /at most 268435456 are allowed/],
  ];

  it.each(files)('%s: one line naming the problem, exit 2', async (name, text, message) => {
    expect(text).not.toBe(good);
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const r = await cellgrad(['print', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cellgrad: graph JSON: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
