/**
 * Hessian-vector products by forward-over-reverse: the reverse pass `grad(g, { of, wrt })` gives
 * ∇f as a graph, and forward mode (`jvp`) over that graph gives H·u = ∂(∇f)/∂x · u in one sweep,
 * never forming H.
 */
import { keyInputNames, type Graph } from '@cellgrad/graph';
import { grad } from '../grad.js';
import { jvp, tangentName } from './jvp.js';

/** Options of `hvp`. */
export interface HvpOptions {
  /** The scalar output (default: the only output, else `loss`), as for `grad`. */
  readonly of?: string;
  /** Inputs of the Hessian block (default: every input except random keys). */
  readonly wrt?: readonly string[];
}

/** The name `hvp` gives the Hessian-vector product output for input `x`. */
export const hvpName = (x: string): string => `hvp:${x}`;

/**
 * Hessian-vector products of scalar output `of` with respect to `wrt`. The returned graph has `g`'s
 * inputs plus a direction `tan:<x>` per input in `wrt`, and outputs: `g`'s outputs, the gradients
 * `grad:<x>`, and `hvp:<x>` = Σ_z ∂²f/∂x∂z · tan:z.
 * @example
 * const hg = hvp(g, { of: 'loss', wrt: ['h'] });
 * const { 'hvp:h': Hu } = interpret(hg, { ...feeds, 'tan:h': u });
 */
export function hvp(g: Graph, options: HvpOptions = {}): Graph {
  const keys = new Set(keyInputNames(g));
  const wrt = options.wrt ?? g.inputs.map((p) => p.name).filter((n) => !keys.has(n));
  const gradGraph = grad(g, { ...(options.of !== undefined ? { of: options.of } : {}), wrt });
  const gradOutputs = new Map(wrt.map((x) => [`grad:${x}`, x]));
  return jvp(gradGraph, {
    wrt,
    of: [...gradOutputs.keys()],
    tangentName,
    outputName: (y) => hvpName(gradOutputs.get(y)!),
  });
}
