/**
 * Rules about cutting and joining along one axis: slices of slices and of concatenations, runs of
 * adjacent slices re-joined, nested concatenations, and sums of zero-padded pieces (what the
 * gradient of `split` produces) turned into one concatenation. All exact (signed zeros aside).
 */
import type { Tensor } from '../trace/tensor.js';
import { concat } from '../trace/functions.js';
import { defineRule, type RuleContext } from './rules.js';

/** Where `t` comes from when it is a slice: the sliced tensor and the range. */
function sliceOf(t: Tensor, c: RuleContext): { x: Tensor; axis: number; start: number; end: number } | undefined {
  if (!c.is(t, 'slice')) return undefined;
  const a = c.def(t).attrs as { axis: number; start: number; end: number };
  return { x: c.arg(t, 0), axis: a.axis, start: a.start, end: a.end };
}

/** The inputs of a concat along `axis` with runs of adjacent slices of one tensor merged. */
function mergeRuns(inputs: readonly Tensor[], axis: number, c: RuleContext): Tensor[] {
  const out: Tensor[] = [];
  let run: { x: Tensor; start: number; end: number } | undefined;
  const flush = () => {
    if (run) out.push(run.x.slice(axis, run.start, run.end));
    run = undefined;
  };
  for (const t of inputs) {
    const s = sliceOf(t, c);
    if (s && s.axis === axis) {
      if (run && run.x.id === s.x.id && run.end === s.start) {
        run.end = s.end;
        continue;
      }
      flush();
      run = { x: s.x, start: s.start, end: s.end };
      continue;
    }
    flush();
    out.push(t);
  }
  flush();
  return out;
}

/** A pad's attributes. */
function padOf(t: Tensor, c: RuleContext): { x: Tensor; axis: number; before: number; after: number } | undefined {
  if (!c.is(t, 'pad')) return undefined;
  const a = c.def(t).attrs as { axis: number; before: number; after: number };
  return { x: c.arg(t, 0), axis: a.axis, before: a.before, after: a.after };
}

/** When `t` is reshape(slice(x, 0, s, e)) merging the first two axes: x and the range. */
function stepsOf(t: Tensor, c: RuleContext): { x: Tensor; start: number; end: number } | undefined {
  if (!c.is(t, 'reshape')) return undefined;
  const s = sliceOf(c.arg(t, 0), c);
  if (s?.axis !== 0 || s.x.rank < 2) return undefined;
  const want = [(s.end - s.start) * s.x.shape[1]!, ...s.x.shape.slice(2)];
  return want.length === t.rank && want.every((d, i) => d === t.shape[i]) ? s : undefined;
}

/** The pieces of `t` along `axis`: its inputs when it is a concat along that axis, else itself. */
function pieces(t: Tensor, axis: number, c: RuleContext): Tensor[] {
  return c.is(t, 'concat') && c.def(t).attrs.axis === axis ? c.def(t).inputs.map((id) => c.builder.tensor(id)) : [t];
}

/** Rules on slice, concat and pad. */
export const SLICE_RULES = [
  defineRule({
    name: 'slice-full',
    comment: 'a slice covering its whole axis → x',
    ops: ['slice'],
    match: (n) => {
      const { axis, start, end } = n.attrs as { axis: number; start: number; end: number };
      return start === 0 && end === n.inputs[0]!.shape[axis] ? n.inputs[0] : undefined;
    },
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'slice-slice',
    comment: 'slice(slice(x)) along one axis → one slice',
    ops: ['slice'],
    match: (n, c) => {
      const inner = sliceOf(n.inputs[0]!, c);
      return inner && inner.axis === n.attrs.axis ? inner : undefined;
    },
    rewrite: (n, inner) => inner.x.slice(inner.axis, inner.start + (n.attrs.start as number), inner.start + (n.attrs.end as number)),
  }),
  defineRule({
    name: 'slice-concat',
    comment: 'a slice of a concat lying inside one piece → (a slice of) that piece',
    ops: ['slice'],
    match: (n, c) => {
      const t = n.inputs[0]!;
      if (!c.is(t, 'concat') || c.def(t).attrs.axis !== n.attrs.axis) return undefined;
      const axis = n.attrs.axis as number;
      let offset = 0;
      for (const id of c.def(t).inputs) {
        const piece = c.builder.tensor(id);
        const len = piece.shape[axis]!;
        if ((n.attrs.start as number) >= offset && (n.attrs.end as number) <= offset + len) return { piece, offset };
        offset += len;
      }
      return undefined;
    },
    rewrite: (n, { piece, offset }) => piece.slice(n.attrs.axis as number, (n.attrs.start as number) - offset, (n.attrs.end as number) - offset),
  }),
  defineRule({
    name: 'concat-flatten',
    comment: 'concat(…, concat(…), …) along one axis → one concat',
    ops: ['concat'],
    match: (n, c) => (n.inputs.some((t) => c.is(t, 'concat') && c.def(t).attrs.axis === n.attrs.axis) ? true : undefined),
    rewrite: (n, _m, c) =>
      concat(
        n.inputs.flatMap((t) => pieces(t, n.attrs.axis as number, c)),
        n.attrs.axis as number,
      ),
  }),
  defineRule({
    name: 'concat-slices',
    comment: 'adjacent slices of one tensor inside a concat → one slice (or the tensor)',
    ops: ['concat'],
    match: (n, c) => {
      const merged = mergeRuns(n.inputs, n.attrs.axis as number, c);
      return merged.length < n.inputs.length ? merged : undefined;
    },
    rewrite: (n, merged) => concat(merged, n.attrs.axis as number),
  }),
  defineRule({
    name: 'concat-steps',
    comment: 'concat along axis 0 of consecutive steps x[s:e] (leading axes merged) → one reshape of x[s:e]',
    ops: ['concat'],
    match: (n, c) => {
      if (n.attrs.axis !== 0 || n.inputs.length < 2) return undefined;
      const steps = n.inputs.map((t) => stepsOf(t, c));
      const first = steps[0];
      if (!first || !steps.every((s, i) => s && s.x.id === first.x.id && (i === 0 || s.start === steps[i - 1]!.end))) return undefined;
      return { x: first.x, start: first.start, end: steps[steps.length - 1]!.end };
    },
    rewrite: (n, { x, start, end }) => x.slice(0, start, end).reshape(n.shape),
  }),
  defineRule({
    name: 'pad-zero',
    comment: 'pad by nothing → x',
    ops: ['pad'],
    match: (n) => (n.attrs.before === 0 && n.attrs.after === 0 ? n.inputs[0] : undefined),
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'pad-pad',
    comment: 'pad(pad(x)) along one axis → one pad',
    ops: ['pad'],
    match: (n, c) => {
      const inner = padOf(n.inputs[0]!, c);
      return inner && inner.axis === n.attrs.axis ? inner : undefined;
    },
    rewrite: (n, inner) => inner.x.pad(inner.axis, inner.before + (n.attrs.before as number), inner.after + (n.attrs.after as number)),
  }),
  defineRule({
    name: 'add-adjacent-pads',
    comment: 'pad(a) + pad(b) filling adjacent ranges of one axis → pad(concat(a, b))',
    ops: ['add'],
    match: (n, c) => {
      const [p, q] = n.inputs.map((t) => padOf(t, c));
      if (!p || !q || p.axis !== q.axis || !n.inputs.every((t) => t.shape.length === n.shape.length && t.shape.every((d, i) => d === n.shape[i])))
        return undefined;
      const size = n.shape[p.axis]!;
      if (size - p.after === q.before) return [p, q] as const;
      if (size - q.after === p.before) return [q, p] as const;
      return undefined;
    },
    rewrite: (_n, [first, second], c) =>
      concat([...pieces(first.x, first.axis, c), ...pieces(second.x, first.axis, c)], first.axis).pad(first.axis, first.before, second.after),
  }),
];
