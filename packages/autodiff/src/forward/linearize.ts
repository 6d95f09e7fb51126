/**
 * `linearize`: the primal outputs at a point and the linear map u ↦ J·u there, as a graph of its
 * own. The forward-mode graph (`jvp`) gets the point's values as constants, and constant folding
 * computes everything that does not depend on the tangents once, now: what is left reads only the
 * tangent inputs, and evaluating it costs the linear part alone (JAX's `linearize`).
 */
import { checkFeeds, foldConstants, interpret, rebuild, type Feeds, type Graph, type Outputs } from '@cellgrad/graph';
import { jvp, type JvpOptions } from './jvp.js';

/** Options of `linearize` (those of `jvp`, less `keepOutputs`). */
export type LinearizeOptions = Omit<JvpOptions, 'keepOutputs'>;

/** What `linearize` returns. */
export interface Linearized {
  /** The outputs of `g` at the point. */
  readonly outputs: Outputs;
  /** The linear map at the point: inputs `tan:<x>` only, outputs `jvp:<y>`. */
  readonly linear: Graph;
  /** Evaluate the linear map on tangents (by tangent input name, e.g. `{ 'tan:W': u }`). */
  apply(tangents: Feeds): Outputs;
}

/**
 * Linearize `g` at `feeds`: its outputs there and the Jacobian-vector product as a graph whose only
 * inputs are the tangents.
 * @example
 * const { outputs, linear, apply } = linearize(g, feeds, { wrt: ['h'] });
 * const { 'jvp:y': Ju } = apply({ 'tan:h': u });
 */
export function linearize(g: Graph, feeds: Feeds, options: LinearizeOptions = {}): Linearized {
  const values = checkFeeds(g, feeds);
  const outputs = interpret(g, feeds);
  const forward = jvp(g, { ...options, keepOutputs: false });
  const primal = new Map(g.inputs.map((p, i) => [p.name, values[i]!]));
  const bound = rebuild(forward, (node, ctx) => {
    if (node.op !== 'input') return undefined;
    const value = primal.get(node.attrs.name as string);
    return value ? ctx.builder.constant(value.data, value.shape, node.dtype) : undefined;
  });
  const linear = foldConstants(bound, { maxElements: Number.POSITIVE_INFINITY });
  return { outputs, linear, apply: (tangents) => interpret(linear, tangents) };
}
