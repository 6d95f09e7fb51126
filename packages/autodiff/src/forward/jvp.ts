/**
 * Forward mode as a Graph -> Graph transform: `jvp(g, { wrt })` adds one tangent input `tan:<x>` per
 * input differentiated and one output `jvp:<y>` = J·u per output.
 *
 * Each op's Jacobian-vector product is derived by transposing its VJP, which is exact because every
 * VJP is linear in its cotangent v: with L(x, v) = Σ ⟨v, y(x)⟩ the reverse pass gives vjp(v) = vᵀJ,
 * and differentiating M = Σ ⟨vjp(v), u⟩ = vᵀ(J u) with respect to v gives J u. The second reverse
 * pass visits the backward nodes in reverse, that is the original ops in forward order, so the
 * result is a genuine forward sweep: the original graph plus one linear node chain per op (the
 * first backward pass, which reads v, is dead and pruned). The result cannot depend on v's value:
 * it is checked structurally (no output reads a cotangent) and the cotangent inputs are removed.
 * The one op whose VJP is deliberately nonlinear (`clip_grad`) gives its `forwardForm` instead.
 */
import { fail, getOp, GraphBuilder, keyInputNames, rebuild, type Graph, type Tensor } from '@cellgrad/graph';
import { grad } from '../grad.js';

/** Options of `jvp`. */
export interface JvpOptions {
  /** Inputs to differentiate with respect to (each gets a tangent input). Default: every input except random keys. */
  readonly wrt?: readonly string[];
  /** Outputs to differentiate (each gets a `jvp:` output). Default: every output. */
  readonly of?: readonly string[];
  /** Keep the original outputs beside the tangents (default true). */
  readonly keepOutputs?: boolean;
  /** Name of the tangent input of input `x` (default `tan:<x>`). */
  readonly tangentName?: (input: string) => string;
  /** Name of the tangent output of output `y` (default `jvp:<y>`). */
  readonly outputName?: (output: string) => string;
}

/** The name `jvp` gives the tangent input of input `x` by default. */
export const tangentName = (x: string): string => `tan:${x}`;
/** The name `jvp` gives the tangent output of output `y` by default. */
export const jvpName = (y: string): string => `jvp:${y}`;

const COT = '__jvp_cotangent:';
const VJP = '__jvp_vjp:';

/** `g` with each node of an op that has a `forwardForm` replaced by that form. */
function withForwardForms(g: Graph): Graph {
  if (!g.nodes.some((n) => n.op !== 'input' && getOp(n.op).forwardForm)) return g;
  return rebuild(g, (node, ctx) => {
    if (node.op === 'input') return undefined;
    const form = getOp(node.op).forwardForm;
    if (!form) return undefined;
    const t = form(node.inputs.map(ctx.get), node.attrs);
    return t.shape.length === node.shape.length && t.shape.every((d, i) => d === node.shape[i]) ? t : t.broadcastTo(node.shape);
  });
}

function checkNames(g: Graph, options: JvpOptions): { wrt: string[]; of: string[] } {
  const keys = new Set(keyInputNames(g));
  const wrt = [...(options.wrt ?? g.inputs.map((p) => p.name).filter((n) => !keys.has(n)))];
  const of = [...(options.of ?? g.outputs.map((p) => p.name))];
  for (const x of wrt) {
    if (!g.inputs.some((p) => p.name === x)) fail('usage', `jvp: the graph has no input '${x}' (inputs: ${g.inputs.map((p) => p.name).join(', ')})`);
  }
  for (const y of of) {
    if (!g.outputs.some((p) => p.name === y)) fail('usage', `jvp: the graph has no output '${y}' (outputs: ${g.outputs.map((p) => p.name).join(', ')})`);
  }
  if (of.length === 0) fail('usage', 'jvp: no outputs to differentiate');
  return { wrt, of };
}

/**
 * Jacobian-vector products of outputs `of` of `g` with respect to inputs `wrt`. The returned graph
 * has `g`'s inputs plus a tangent input `tan:<x>` (shape of x) per input in `wrt`, and `g`'s outputs
 * (unless `keepOutputs: false`) plus `jvp:<y>` = Σₓ (∂y/∂x)·tan:x (shape of y) per output in `of`.
 * @example
 * const fg = jvp(unroll(lstm, sizes), { wrt: ['W'], of: ['h_T'] });
 * const { 'jvp:h_T': dh } = interpret(fg, { ...feeds, 'tan:W': direction });
 */
export function jvp(g: Graph, options: JvpOptions = {}): Graph {
  const { wrt, of } = checkNames(g, options);
  const tanName = options.tangentName ?? tangentName;
  const outName = options.outputName ?? jvpName;
  const keep = options.keepOutputs ?? true;
  const taken = new Set([...g.inputs.map((p) => p.name), ...(keep ? g.outputs.map((p) => p.name) : [])]);
  for (const name of [...wrt.map(tanName), ...of.map(outName)]) {
    if (taken.has(name)) fail('usage', `jvp: the graph already has an input or output named '${name}'; pass other tangentName/outputName`);
    taken.add(name);
  }
  const source = withForwardForms(g);

  // 1. L = Σ ⟨v_y, y⟩ and its reverse pass: vjp:x = Σ v_yᵀ ∂y/∂x, linear in the cotangents v.
  const lifted = extend(source, (b, outs) => {
    let total: Tensor | undefined;
    for (const y of of) {
      const out = outs[y]!;
      const term = b
        .input(COT + y, out.shape, out.dtype)
        .mul(out)
        .sum();
      total = total ? total.add(term) : term;
    }
    return { ...outs, __jvp_L: total! };
  });
  const reverse = grad(lifted, { of: '__jvp_L', wrt, prefix: VJP });

  // 2. M = Σ ⟨vjp:x, u_x⟩ = Σ v_yᵀ (J u)_y, and its reverse pass with respect to the cotangents: J u.
  const paired = extend(reverse, (b, outs) => {
    let total: Tensor | undefined;
    for (const x of wrt) {
      const gx = outs[VJP + x]!;
      const term = b.input(tanName(x), gx.shape, gx.dtype).mul(gx).sum();
      total = total ? total.add(term) : term;
    }
    const kept = Object.fromEntries(g.outputs.map((p) => [p.name, outs[p.name]!]));
    return { ...kept, __jvp_M: total ?? b.fill(0, []) };
  });
  const forward = grad(paired, { of: '__jvp_M', wrt: of.map((y) => COT + y), prefix: '' });

  const named = extend(forward, (_b, outs) => {
    const result: Record<string, Tensor> = keep ? Object.fromEntries(g.outputs.map((p) => [p.name, outs[p.name]!])) : {};
    for (const y of of) result[outName(y)] = outs[COT + y]!;
    return result;
  });
  return withoutCotangents(
    named,
    of.map((y) => COT + y),
  );
}

/** Extend `g` through a builder (outputs by name), returning the named outputs `fn` gives. */
function extend(g: Graph, fn: (b: GraphBuilder, outs: Record<string, Tensor>) => Record<string, Tensor>): Graph {
  const { builder, outputs } = GraphBuilder.extend(g);
  return builder.build(fn(builder, outputs));
}

/**
 * Drop the cotangent inputs, after proving no output reads them: the transposed graph must not
 * depend on v (it would if an op's VJP were not linear in its cotangent).
 */
function withoutCotangents(g: Graph, names: readonly string[]): Graph {
  const ids = new Set(g.inputs.filter((p) => names.includes(p.name)).map((p) => p.id));
  const reads = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) if (ids.has(n.id) || n.inputs.some((i) => reads[i])) reads[n.id] = 1;
  const leak = g.outputs.find((o) => reads[o.id]);
  if (leak) {
    const first = g.nodes.find((n) => !ids.has(n.id) && reads[n.id])!;
    fail(
      'gradient',
      `jvp: output '${leak.name}' depends on the cotangent through op '${first.op}' (node %${first.id}): ` +
        `some op's VJP is not linear in its cotangent; give that op a forwardForm`,
    );
  }
  return rebuild(g, (node, ctx) => (ids.has(node.id) ? ctx.builder.fill(0, node.shape, node.dtype) : undefined));
}
