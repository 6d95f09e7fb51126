/**
 * The graphs a gradient check evaluates: the forward graph restricted to the checked outputs, and
 * its vector-Jacobian product graph L = Σₒ sum(cotₒ ⊙ outₒ), differentiated symbolically.
 */
import { castGraph, extendGraph, fail, keyInputNames, type Graph, type Tensor } from '@cellgrad/graph';
import { grad } from '../grad.js';
import { jvp } from '../forward/jvp.js';

/** Input name of the cotangent of output `name` in a VJP probe graph. */
export const probeCotangent = (name: string): string => `cotangent:${name}`;

/** The graphs and names a check needs. */
export interface Probe {
  /** Forward graph in float64 with only the checked outputs. */
  readonly forward: Graph;
  /** VJP graph in float64: inputs of `forward` plus one cotangent per output; outputs `grad:<input>`. */
  readonly vjp: Graph;
  /** JVP graph in float64 (when forward mode is checked): inputs of `forward` plus `tan:<input>`; outputs `jvp:<output>`. */
  readonly jvp?: Graph;
  readonly outputs: readonly string[];
  readonly wrt: readonly string[];
}

/** Build the probe graphs for checking `outputs` of `g` with respect to `wrt` (with the JVP graph when `forwardMode`). */
export function makeProbe(g: Graph, outputs: readonly string[] | undefined, wrt: readonly string[] | undefined, forwardMode = false): Probe {
  const g64 = castGraph(g, 'float64');
  const outNames = outputs ?? g64.outputs.map((o) => o.name);
  // Random keys are integer data, not differentiable values: checked only when asked for by name.
  const keys = new Set(keyInputNames(g64));
  const inNames = wrt ?? g64.inputs.map((i) => i.name).filter((n) => !keys.has(n));
  for (const o of outNames) {
    if (!g64.outputs.some((p) => p.name === o))
      fail('usage', `gradcheck: the graph has no output '${o}' (outputs: ${g64.outputs.map((p) => p.name).join(', ')})`);
  }
  for (const i of inNames) {
    if (!g64.inputs.some((p) => p.name === i)) fail('usage', `gradcheck: the graph has no input '${i}' (inputs: ${g64.inputs.map((p) => p.name).join(', ')})`);
  }
  if (outNames.length === 0) fail('usage', 'gradcheck: no outputs to check');
  const forward = extendGraph(g64, ({ outputs: outs }) => Object.fromEntries(outNames.map((o) => [o, outs[o]!])));
  const withLoss = extendGraph(forward, ({ builder, outputs: outs }) => {
    let total: Tensor | undefined;
    for (const o of outNames) {
      const y = outs[o]!;
      const cot = builder.input(probeCotangent(o), y.shape, 'float64');
      const term = y.mul(cot).sum();
      total = total ? total.add(term) : term;
    }
    return { __vjp_loss: total! };
  });
  const vjp = grad(withLoss, { of: '__vjp_loss', wrt: inNames, keepOutputs: false });
  const jvpGraph = forwardMode ? jvp(forward, { wrt: inNames, of: outNames, keepOutputs: false }) : undefined;
  return { forward, vjp, ...(jvpGraph ? { jvp: jvpGraph } : {}), outputs: outNames, wrt: inNames };
}
