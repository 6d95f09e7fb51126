/**
 * A cell whose gradient is wrong on purpose: its own op `softsign_wrong` computes x / (1 + |x|)
 * but its hand-written VJP forgets the square in 1 / (1 + |x|)². The matcher must fail on it.
 */
import { defineElementwise, linear } from '@cellgrad/graph';
import { defineCell } from '@cellgrad/cells';

/** softsign with a wrong VJP (g / (1 + |x|) instead of g / (1 + |x|)²). */
export const softsignWrong = defineElementwise({
  name: 'softsign_wrong',
  arity: 1,
  fn: (x) => x / (1 + Math.abs(x)),
  vjp: ({ inputs: [x], grad }) => [grad.div(x!.abs().add(1))],
});

/** An Elman cell with the wrong softsign as its activation. */
export const wrongCell = defineCell({
  name: 'elman_softsign_wrong',
  params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H], b: [H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => ({ h: softsignWrong(linear(x, W, b).add(linear(h, U))) }),
});
