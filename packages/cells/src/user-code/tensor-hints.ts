/**
 * Hints for the TypeErrors a misspelt Tensor method gives inside a step: `z.sigmod is not a
 * function` becomes "'sigmod' is not a Tensor method; did you mean 'sigmoid'?" (nearest method by
 * edit distance), and `h.mul is not a function` says the value `mul` was called on is not a Tensor.
 * Parsing V8's message is cheaper and less invasive than wrapping every Tensor in a Proxy.
 */
import { distance } from 'fastest-levenshtein';
import { Tensor } from '@cellgrad/graph';

let methods: string[] | undefined;

/** Every public method and getter of `Tensor` (its prototype's own names, minus the constructor and private ones). */
export function tensorMethodNames(): readonly string[] {
  methods ??= Object.getOwnPropertyNames(Tensor.prototype)
    .filter((n) => n !== 'constructor' && !n.startsWith('_'))
    .sort();
  return methods;
}

/** The Tensor method nearest to `name` (at most 2 edits, and fewer than half its length), if any. */
export function nearestTensorMethod(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const m of tensorMethodNames()) {
    const d = distance(name.toLowerCase(), m.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [m, d];
  }
  return bestDistance <= Math.min(2, Math.ceil(name.length / 2) - 1) ? best : undefined;
}

/**
 * A hint for an error thrown by a step, or undefined when there is none to give.
 * @example
 * tensorHint(new TypeError('z.sigmod is not a function')) // "'sigmod' is not a Tensor method; did you mean 'sigmoid'?"
 */
export function tensorHint(error: unknown): string | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const called = /\.([A-Za-z_$][\w$]*) is not a function/.exec(error.message);
  if (!called) return undefined;
  const name = called[1]!;
  if (tensorMethodNames().includes(name)) return `'${name}' is a Tensor method, so the value it was called on is not a Tensor`;
  const near = nearestTensorMethod(name);
  return near ? `'${name}' is not a Tensor method; did you mean '${near}'?` : undefined;
}
