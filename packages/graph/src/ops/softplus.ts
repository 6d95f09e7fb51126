/** softplus(x) = log(1 + eˣ), computed without overflow; the stable form of −log σ(−x). */
import { defineElementwise } from './elementwise.js';

/** log(1 + eˣ) for any x: x + log1p(e^−x) for x > 0, log1p(eˣ) otherwise (never overflows). */
export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The `softplus` op as a function: log(1 + eˣ), stable for any x; its VJP is grad·σ(x). */
export const softplus = defineElementwise({
  name: 'softplus',
  arity: 1,
  doc: 'log(1 + eˣ), stable for large |x|',
  fn: softplusScalar,
  vjp: ({ inputs: [x], grad }) => [grad.mul(x!.sigmoid())],
});
