/**
 * `loop`: one step graph (the body) run T times, JAX `scan` style. The node's inputs are the initial
 * carries (n), the sequences (m, each `[T, ...]`, sliced along axis 0 one step at a time) and the
 * loop-invariant inputs (the rest: weights). The body's inputs are, in that order, one carry, one
 * slice and one invariant per loop input; its outputs are the next carries (n), then per-step outputs
 * (p) that the loop stacks along a new axis 0. `reverse` runs t = T−1 … 0 (reading and writing index
 * t); `save` also stacks the carries entering each step, which the gradient reads.
 *
 * An IR node has one value, so the loop's value is packed: one vector `[size]` holding the final
 * carries, the stacked outputs, then the saved carries, each flattened. `loop(...)` returns each part
 * as a slice-and-reshape of it (views in compiled plans). The body travels in the attribute `body` as
 * its JSON text, so hash-consing, CSE, `serialize` and `verify` treat it as plain data.
 *
 * `loop(...)` moves the body's nodes that read only invariants out of the loop (`loop-hoist.ts`):
 * they run once and enter the body as extra invariants.
 *
 * The VJP is a reverse `loop` over the body's reverse step (built by `@cellgrad/autodiff`, through
 * `loop-hook.ts`): its carries are the carries' cotangents and the invariants' accumulated gradients,
 * its sequences the saved carries, the slices and the outputs' cotangents. Being a loop itself, it
 * differentiates again.
 */
import { fail } from '../ir/errors.js';
import type { Attrs, Graph, ValueType } from '../ir/node.js';
import type { NDArray } from '../ir/ndarray.js';
import { formatShape, sameShape, sizeOf, type Shape } from '../ir/shape.js';
import { typeText } from '../ir/print.js';
import type { Tensor } from '../trace/tensor.js';
import { bodyText, evaluateBody, parseBody } from './loop-body.js';
import { reverseBody } from './loop-hook.js';
import { splitInvariants } from './loop-hoist.js';
import { defineOp, type KernelArgs } from './registry.js';
import { concatTensors } from './slicing.js';

/** One part of a loop's packed value: where it starts and its shape. */
export interface LoopPart {
  readonly offset: number;
  readonly shape: Shape;
  /**
   * Saved carries only: the per-step output whose stack this part overlaps (the carry's next value
   * is that output, so the carries entering the steps are the outputs shifted by one step), and the
   * offset of the one value that is not an output (the initial carry).
   */
  readonly shared?: { readonly output: number; readonly initial: number };
}

/** Where every part of a loop's packed value lies. */
export interface LoopLayout {
  /** Steps (the sequences' leading dimension). */
  readonly steps: number;
  /** The final carries (n). */
  readonly finals: readonly LoopPart[];
  /** The stacked per-step outputs `[T, ...]` (p). */
  readonly outputs: readonly LoopPart[];
  /** With `save`: the stacked carries entering each step `[T, ...]` (n); else empty. */
  readonly saved: readonly LoopPart[];
  /** Elements of the packed value. */
  readonly size: number;
}

function count(attrs: Attrs, name: string, min: number): number {
  const v = attrs[name];
  if (!Number.isSafeInteger(v) || (v as number) < min) fail('graph', `loop: attribute '${name}' must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}

/** The layout of a loop's packed value, from its body and attributes and the steps T. */
export function loopLayout(body: Graph, attrs: Attrs, steps: number): LoopLayout {
  const n = attrs.carries as number;
  const save = attrs.save === true;
  const reverse = attrs.reverse === true;
  let offset = 0;
  const part = (shape: Shape): LoopPart => {
    const p = { offset, shape: [...shape] };
    offset += sizeOf(shape);
    return p;
  };
  const type = (id: number) => body.nodes[id]!;
  const finals = body.outputs.slice(0, n).map((p) => part(type(p.id).shape));
  // A saved carry whose next value is a per-step output shares that output's stack: one slot for
  // the initial value before it (after it for a reverse loop), and the saved part overlapping both.
  const sharedBy = new Map<number, number>();
  if (save)
    body.outputs.slice(0, n).forEach((p, i) => {
      const j = body.outputs.slice(n).findIndex((q, k) => q.id === p.id && ![...sharedBy.values()].includes(k));
      if (j >= 0) sharedBy.set(i, j);
    });
  const initialSlot = new Map<number, number>();
  const outputs = body.outputs.slice(n).map((p, j) => {
    const carry = [...sharedBy].find(([, k]) => k === j)?.[0];
    const slot = () => initialSlot.set(carry!, part(type(p.id).shape).offset);
    if (carry !== undefined && !reverse) slot();
    const stack = part([steps, ...type(p.id).shape]);
    if (carry !== undefined && reverse) slot();
    return stack;
  });
  const saved = save
    ? body.inputs.slice(0, n).map((p, i): LoopPart => {
        const j = sharedBy.get(i);
        const shape = [steps, ...type(p.id).shape];
        if (j === undefined) return part(shape);
        const initial = initialSlot.get(i)!;
        const size = sizeOf(type(p.id).shape);
        return { offset: reverse ? outputs[j]!.offset + size : initial, shape, shared: { output: j, initial } };
      })
    : [];
  return { steps, finals, outputs, saved, size: offset };
}

/** The shape rule: the body's signature against the loop's inputs, with errors naming the mismatch. */
function loopType(inputs: readonly ValueType[], attrs: Attrs): ValueType {
  const body = parseBody(attrs.body, 'loop');
  const n = count(attrs, 'carries', 0);
  const m = count(attrs, 'sequences', 1);
  const k = inputs.length - n - m;
  if (k < 0) fail('graph', `loop: ${n} carries and ${m} sequences need at least ${n + m} inputs, got ${inputs.length}`);
  if (body.inputs.length !== inputs.length) {
    const names = body.inputs.map((p) => p.name).join(', ');
    fail(
      'shape',
      `loop: the body takes ${body.inputs.length} inputs (${names}), the loop gives ${inputs.length} (${n} carries, ${m} sequences, ${k} invariants)`,
    );
  }
  const dtype = (inputs[0] ?? body.nodes[body.inputs[0]!.id]!).dtype;
  const steps = inputs[n]!.shape[0];
  for (let i = 0; i < inputs.length; i++) {
    const outer = inputs[i]!;
    const inner = body.nodes[body.inputs[i]!.id]!;
    const role = i < n ? `carry ${i}` : i < n + m ? `sequence ${i - n}` : `invariant ${i - n - m}`;
    const name = `body input '${body.inputs[i]!.name}'`;
    if (inner.dtype !== outer.dtype) fail('dtype', `loop: ${role} is ${typeText(outer)} but the ${name} is ${typeText(inner)}`);
    if (i >= n && i < n + m) {
      if (outer.shape.length < 1 || outer.shape[0]! < 1) fail('shape', `loop: ${role} must be [T, ...] with T ≥ 1, got ${formatShape(outer.shape)}`);
      if (outer.shape[0] !== steps) fail('shape', `loop: ${role} has ${outer.shape[0]} steps, sequence 0 has ${steps}; every sequence needs the same T`);
      if (!sameShape(outer.shape.slice(1), inner.shape))
        fail('shape', `loop: ${role} ${typeText(outer)} does not slice to the ${name} ${typeText(inner)} (one step is ${formatShape(outer.shape.slice(1))})`);
    } else if (!sameShape(outer.shape, inner.shape)) fail('shape', `loop: ${role} is ${typeText(outer)} but the ${name} is ${typeText(inner)}`);
  }
  if (body.outputs.length < n) fail('shape', `loop: the body has ${body.outputs.length} outputs, fewer than its ${n} carries`);
  for (let i = 0; i < n; i++) {
    const out = body.nodes[body.outputs[i]!.id]!;
    const carry = body.nodes[body.inputs[i]!.id]!;
    if (out.dtype !== carry.dtype || !sameShape(out.shape, carry.shape))
      fail('shape', `loop: body output '${body.outputs[i]!.name}' ${typeText(out)} is carry ${i}'s next value, but the carry is ${typeText(carry)}`);
  }
  return { dtype, shape: [loopLayout(body, attrs, steps!).size] };
}

/** The reference kernel: the body run T times on its reference kernels. */
function loopKernel({ inputs, out, attrs }: KernelArgs): void {
  const body = parseBody(attrs.body, 'loop');
  const n = attrs.carries as number;
  const m = attrs.sequences as number;
  const T = inputs[n]!.shape[0]!;
  const layout = loopLayout(body, attrs, T);
  const reverse = attrs.reverse === true;
  let carries: NDArray[] = inputs.slice(0, n);
  const invariants = inputs.slice(n + m);
  const sequences = inputs.slice(n, n + m);
  for (let j = 0; j < T; j++) {
    const t = reverse ? T - 1 - j : j;
    layout.saved.forEach((p, i) => out.data.set(carries[i]!.data, p.offset + t * carries[i]!.data.length));
    const slices = sequences.map((s) => {
      const shape = s.shape.slice(1);
      const size = sizeOf(shape);
      return { shape, data: s.data.subarray(t * size, (t + 1) * size) };
    });
    const results = evaluateBody(body, [...carries, ...slices, ...invariants]);
    carries = results.slice(0, n);
    layout.outputs.forEach((p, i) => {
      const y = results[n + i]!;
      out.data.set(y.data, p.offset + t * y.data.length);
    });
  }
  layout.finals.forEach((p, i) => out.data.set(carries[i]!.data, p.offset));
}

/** Part `p` of a loop's packed value `packed`, as a slice and reshape of it. */
function partOf(packed: Tensor, p: LoopPart): Tensor {
  return packed.slice(0, p.offset, p.offset + sizeOf(p.shape)).reshape(p.shape);
}

/**
 * Part `p` of the cotangent `grad` of a loop's packed value, or null when it is zero. The cotangent
 * is usually pads of the parts read (and sums of them), so this looks through `pad`, `add`,
 * `reshape` and zero fills: the packed cotangent itself is then never built, and a part nothing
 * reads (the saved carries, unused final states) costs nothing.
 */
function cotangentPart(grad: Tensor, offset: number, shape: Shape): Tensor | null {
  const b = grad.builder;
  const node = b.node(grad.id);
  const size = sizeOf(shape);
  const at = (id: number) => b.tensor(id);
  if (node.op === 'fill' && node.attrs.value === 0) return null;
  if (node.op === 'pad' && node.shape.length === 1) {
    const before = node.attrs.before as number;
    const inner = node.shape[0]! - before - (node.attrs.after as number);
    if (offset + size <= before || offset >= before + inner) return null;
    if (offset >= before && offset + size <= before + inner) return cotangentPart(at(node.inputs[0]!), offset - before, shape);
  }
  if (node.op === 'add' && node.inputs.every((i) => sameShape(b.node(i).shape, node.shape))) {
    const [x, y] = node.inputs.map((i) => cotangentPart(at(i), offset, shape));
    if (!x || !y) return x ?? y ?? null;
    return x.add(y);
  }
  if (node.op === 'reshape' && offset === 0 && size === sizeOf(node.shape)) return at(node.inputs[0]!).reshape(shape);
  return grad.slice(0, offset, offset + size).reshape(shape);
}

/** The VJP: a reverse loop over the body's reverse step (see the file header). */
function loopVjp({ inputs, output, grad, attrs }: { inputs: readonly Tensor[]; output: Tensor; grad: Tensor; attrs: Attrs }): (Tensor | null)[] {
  const b = grad.builder;
  const body = parseBody(attrs.body, 'loop');
  const n = attrs.carries as number;
  const m = attrs.sequences as number;
  const T = inputs[n]!.shape[0]!;
  const saved = attrs.save === true;
  const layout = loopLayout(body, attrs, T);
  if (layout.outputs.length === 0 && !saved && n === 0) return inputs.map(() => null);
  // The carries entering each step: this loop's own saved carries, or a forward loop that saves them.
  const withSaves = saved ? output : loopOp(...inputs, { ...attrs, save: true });
  const savedCarries = loopLayout(body, { ...attrs, save: true }, T).saved.map((p) => partOf(withSaves, p));
  const sequences = inputs.slice(n, n + m);
  const invariants = inputs.slice(n + m);
  const dFinals = layout.finals.map((p) => cotangentPart(grad, p.offset, p.shape) ?? b.fill(0, p.shape, grad.dtype));
  const dOutputs = layout.outputs.map((p) => cotangentPart(grad, p.offset, p.shape));
  // A saved part that shares an output's stack holds that output's values: their cotangent is the
  // output's. Only its initial-value slot is its own, and that is the initial carry itself.
  const dSaved = layout.saved.map((p) => (p.shared ? null : cotangentPart(grad, p.offset, p.shape)));
  const dSlots = layout.saved.map((p, i) => (p.shared ? cotangentPart(grad, p.shared.initial, layout.finals[i]!.shape) : null));
  const given = (xs: readonly (Tensor | null)[]) => xs.filter((x): x is Tensor => x !== null);
  const reverse = reverseBody(attrs.body as string, body, {
    carries: n,
    sequences: m,
    outputCotangents: dOutputs.map((d) => d !== null),
    savedCotangents: saved ? dSaved.map((d) => d !== null) : [],
  });
  const zeros = invariants.map((w) => b.fill(0, w.shape, w.dtype));
  const back = loop({
    body: reverse,
    carries: [...dFinals, ...zeros],
    sequences: [...savedCarries, ...sequences, ...given(dOutputs), ...given(dSaved)],
    invariants,
    reverse: attrs.reverse !== true,
  });
  const dInitial = back.finals.slice(0, n).map((d, i) => (dSlots[i] ? d.add(dSlots[i]!) : d));
  return [...dInitial, ...back.outputs, ...back.finals.slice(n)];
}

/**
 * The loop's value written in other ops: the body replayed T times (the graph grows with T). Forward
 * mode (`jvp`, which transposes VJPs) differentiates this instead of the reverse loop, whose replay of
 * the forward loop reads the cotangent.
 */
function unrolledLoop(inputs: readonly Tensor[], attrs: Attrs): Tensor {
  const body = parseBody(attrs.body, 'loop');
  const n = attrs.carries as number;
  const m = attrs.sequences as number;
  const T = inputs[n]!.shape[0]!;
  const b = inputs[0]!.builder;
  const layout = loopLayout(body, attrs, T);
  let carries = inputs.slice(0, n);
  const outputs: Tensor[][] = body.outputs.slice(n).map(() => new Array<Tensor>(T));
  const saved: Tensor[][] = carries.map(() => new Array<Tensor>(T));
  for (let j = 0; j < T; j++) {
    const t = attrs.reverse === true ? T - 1 - j : j;
    carries.forEach((c, i) => (saved[i]![t] = c));
    const env = new Map<number, Tensor>();
    [...carries, ...inputs.slice(n, n + m).map((s) => s.index(0, t)), ...inputs.slice(n + m)].forEach((v, i) => env.set(body.inputs[i]!.id, v));
    for (const node of body.nodes) {
      if (!env.has(node.id))
        env.set(
          node.id,
          b.apply(
            node.op,
            node.inputs.map((i) => env.get(i)!),
            { ...node.attrs },
            node.dtype,
          ),
        );
    }
    const results = body.outputs.map((p) => env.get(p.id)!);
    carries = results.slice(0, n);
    results.slice(n).forEach((y, k) => (outputs[k]![t] = y));
  }
  // Packed in layout order; a shared saved part is only its initial-value slot.
  const pieces: { offset: number; value: Tensor }[] = [];
  layout.finals.forEach((p, i) => pieces.push({ offset: p.offset, value: carries[i]!.reshape([-1]) }));
  layout.outputs.forEach((p, k) =>
    pieces.push({
      offset: p.offset,
      value: concatTensors(
        outputs[k]!.map((y) => y.reshape([-1])),
        0,
      ),
    }),
  );
  layout.saved.forEach((p, i) =>
    pieces.push(
      p.shared
        ? { offset: p.shared.initial, value: inputs[i]!.reshape([-1]) }
        : {
            offset: p.offset,
            value: concatTensors(
              saved[i]!.map((c) => c.reshape([-1])),
              0,
            ),
          },
    ),
  );
  pieces.sort((x, y) => x.offset - y.offset);
  return concatTensors(
    pieces.map((p) => p.value),
    0,
  );
}

/** The `loop` op as registered (inputs: carries, sequences, invariants; attributes as in the file header). */
export const loopOp = defineOp({
  name: 'loop',
  arity: 'variadic',
  doc: 'a step graph (attribute body) run over axis 0 of its sequences; carries, stacked outputs and saved carries packed in one vector',
  checkAttrs: (attrs) => {
    count(attrs, 'carries', 0);
    count(attrs, 'sequences', 1);
    for (const flag of ['reverse', 'save'])
      if (attrs[flag] !== undefined && typeof attrs[flag] !== 'boolean')
        fail('graph', `loop: attribute '${flag}' must be a boolean, got ${JSON.stringify(attrs[flag])}`);
  },
  type: loopType,
  kernel: loopKernel,
  vjp: loopVjp,
  forwardForm: unrolledLoop,
});

/** What `loop` takes. */
export interface LoopSpec {
  /** One step: inputs the carries, the slices and the invariants (in that order), outputs the next carries then per-step outputs. */
  readonly body: Graph;
  /** Initial carries. */
  readonly carries: readonly Tensor[];
  /** Sequences `[T, ...]`, sliced along axis 0 (at least one: it gives T). */
  readonly sequences: readonly Tensor[];
  /** Loop-invariant inputs (weights). */
  readonly invariants?: readonly Tensor[];
  /** Run t = T−1 … 0 (default false). */
  readonly reverse?: boolean;
  /** Also keep the carries entering each step (what the gradient reads; default false: the gradient then recomputes them). */
  readonly save?: boolean;
}

/** What `loop` returns. */
export interface LoopResult {
  /** The packed value (one node). */
  readonly node: Tensor;
  /** The final carries. */
  readonly finals: readonly Tensor[];
  /** The per-step outputs stacked along a new axis 0, `[T, ...]`. */
  readonly outputs: readonly Tensor[];
  /** With `save`: the carries entering each step, `[T, ...]`. */
  readonly saved: readonly Tensor[];
}

/**
 * Run `body` over the sequences as one `loop` node (JAX's `scan`): the graph holds the step once,
 * whatever T, and its gradient is a reverse loop over the step's VJP.
 * @example
 * const body = buildGraph((s) => {
 *   const h = s.input('h', [2, 4]), x = s.input('x', [2, 4]), W = s.input('W', [4, 4]);
 *   const next = x.add(h.matmul(W)).tanh();
 *   return { h_next: next, y: next };
 * }, { dtype: 'float64' });
 * const { finals: [hT], outputs: [ys] } = loop({ body, carries: [h0], sequences: [xs], invariants: [W] });
 */
export function loop(spec: LoopSpec): LoopResult {
  if (spec.sequences.length === 0) fail('usage', 'loop: needs at least one sequence (its leading dimension is the number of steps)');
  const n = spec.carries.length;
  const m = spec.sequences.length;
  const invariants = spec.invariants ?? [];
  let body = spec.body;
  let invariantInputs: readonly Tensor[] = invariants;
  // Work that reads only invariants runs once, before the loop (when the body fits its inputs).
  const split = body.inputs.length === n + m + invariants.length ? splitInvariants(body, n, m) : undefined;
  if (split) {
    const b = spec.sequences[0]!.builder;
    const env = new Map<number, Tensor>();
    body.inputs.slice(n + m).forEach((p, l) => env.set(p.id, invariants[l]!));
    const value = (id: number): Tensor => {
      let t = env.get(id);
      if (!t) {
        const node = body.nodes[id]!;
        t = b.apply(node.op, node.inputs.map(value), { ...node.attrs }, node.dtype);
        env.set(id, t);
      }
      return t;
    };
    invariantInputs = [...split.kept.map((l) => invariants[l]!), ...split.hoisted.map(value)];
    body = split.body;
  }
  const inputs = [...spec.carries, ...spec.sequences, ...invariantInputs];
  const attrs = { body: bodyText(body), carries: n, sequences: m, reverse: spec.reverse === true, save: spec.save === true };
  const node = inputs[0]!.builder.apply('loop', inputs, attrs);
  const layout = loopLayout(body, attrs, spec.sequences[0]!.shape[0]!);
  return {
    node,
    finals: layout.finals.map((p) => partOf(node, p)),
    outputs: layout.outputs.map((p) => partOf(node, p)),
    saved: layout.saved.map((p) => partOf(node, p)),
  };
}
