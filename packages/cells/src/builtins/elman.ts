/**
 * The Elman RNN shared by `rnn_tanh`, `rnn_relu` and `irnn` (torch.nn.RNN):
 * h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), with weight_ih [H, I], weight_hh [H, H],
 * bias_ih [H], bias_hh [H]. The per-step output is h'.
 */
import { linear, type Rng, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { defineCell } from '../define-cell.js';
import { registerWeightFamily } from '../weights/family.js';

/** A custom initialiser given the parameter shapes. */
type ElmanInit = (shapes: Readonly<Record<string, Shape>>, rng: Rng, hidden: number) => Record<string, Float64Array>;

/** An Elman cell named `name` with activation `act` (and optionally its own initialiser). */
export function elmanCell(name: string, act: (t: Tensor) => Tensor, doc: string, init?: ElmanInit): Cell {
  const params = ({ input: I, hidden: H }: { input: number; hidden: number }) => ({ weight_ih: [H, I], weight_hh: [H, H], bias_ih: [H], bias_hh: [H] });
  const cell = defineCell({
    name,
    doc,
    params,
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, { weight_ih, weight_hh, bias_ih, bias_hh }) => ({
      h: act(linear(x, weight_ih!, bias_ih).add(linear(h!, weight_hh!, bias_hh))),
    }),
    ...(init ? { init: (sizes, rng) => init(params(sizes), rng, sizes.hidden) } : {}),
  });
  return registerWeightFamily(cell, { kind: 'elman', gates: 1, bias: 'two' });
}
