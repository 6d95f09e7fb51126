/**
 * `jordan`, the Jordan network: the hidden layer sees the previous OUTPUT y(t−1), not its own
 * previous value; the only recurrent state is the output.
 *   hid = tanh(x W_ihᵀ + y W_yhᵀ + bias_h)
 *   y'  = hid W_hyᵀ + bias_y          (linear output)
 * weight_ih [H, I], weight_yh [H, O], bias_h [H], weight_hy [O, H], bias_y [O]. The state is named
 * `h` and holds y (so h0 = y(−1) and h_T = y(T−1), as in ../shared/reference/jordan.json, which this
 * matches); the per-step output is y'. Because the step returns its output as that state, the
 * network can be trained with teacher forcing (`unroll(..., { teacherForcing: true })`): the true
 * y(t−1) replaces the prediction, so every step depends only on data and training parallelises.
 * `jordanCell({ outputs })` chooses O (default O = H).
 */
import { linear } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { defineCell } from '../define-cell.js';

/** A Jordan cell with `outputs` output units (default: the hidden size). */
export function jordanCell(options: { readonly name?: string; readonly outputs?: number } = {}): Cell {
  const out = (H: number) => options.outputs ?? H;
  return defineCell({
    name: options.name ?? 'jordan',
    doc: 'Jordan: hid = tanh(x W_ih^T + y_prev W_yh^T + bias_h); y = hid W_hy^T + bias_y; state h holds y',
    params: ({ input: I, hidden: H }) => ({ weight_ih: [H, I], weight_yh: [H, out(H)], bias_h: [H], weight_hy: [out(H), H], bias_y: [out(H)] }),
    state: ({ hidden: H }) => ({ h: [out(H)] }),
    outputSize: ({ hidden: H }) => out(H),
    step: ({ x, h }, { weight_ih, weight_yh, bias_h, weight_hy, bias_y }) => {
      const hid = linear(x, weight_ih!).add(linear(h!, weight_yh!)).add(bias_h!).tanh();
      return { h: linear(hid, weight_hy!, bias_y) };
    },
  });
}

/** The Jordan network with O = H (see the file comment). */
export const jordan = jordanCell();
