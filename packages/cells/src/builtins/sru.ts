/**
 * `sru`, the Simple Recurrent Unit of Lei et al. 2018 ("Simple Recurrent Units for Highly
 * Parallelizable Recurrence"), in its form without the v ⊙ c terms in the gates, so that the
 * cell state is a linear recurrence and h a readout of it. Rows of `weight` [x̃, f, r] (and a fourth
 * block, the highway projection, when input ≠ hidden):
 *   x̃ = x Wᵀ,  f = σ(x W_fᵀ + b_f),  r = σ(x W_rᵀ + b_r)
 *   c' = f ⊙ c + (1 − f) ⊙ x̃
 *   h  = r ⊙ tanh(c') + (1 − r) ⊙ s,   s = x (input = hidden) or x W_sᵀ (otherwise)
 * weight [3H, I] or [4H, I], bias [2H] (b_f, b_r); state c; output h. `sruCell({ vectors: true })`
 * adds the paper's v_f ⊙ c and v_r ⊙ c to the gates' pre-activations (then not linear: the gates read c).
 */
import { linear, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { defineCell } from '../define-cell.js';

/** Options of `sruCell`. */
export interface SruOptions {
  /** The cell's name (default `sru`, or `sru_v` with vectors). */
  readonly name?: string;
  /** Add v_f ⊙ c and v_r ⊙ c to the gates (Lei et al. 2018, eq. 3–4): parameters `v` [2H]. Default false. */
  readonly vectors?: boolean;
}

/**
 * An SRU. Without vectors (the default) its state c is a linear recurrence in c.
 * @example
 * const sruV = sruCell({ vectors: true }); // f = σ(x W_fᵀ + v_f ⊙ c + b_f), r likewise
 */
export function sruCell(options: SruOptions = {}): Cell {
  const vectors = options.vectors ?? false;
  return defineCell({
    name: options.name ?? (vectors ? 'sru_v' : 'sru'),
    doc: `SRU (Lei et al. 2018): rows [x~, f, r(, s)]; f = sig(x W_f^T${vectors ? ' + v_f*c' : ''} + b_f), r = sig(x W_r^T${vectors ? ' + v_r*c' : ''} + b_r); c' = f*c + (1-f)*x~; h = r*tanh(c') + (1-r)*s (s = x, or x W_s^T when input != hidden)`,
    params: ({ input: I, hidden: H }): Record<string, Shape> => {
      const shapes: Record<string, Shape> = { weight: [(I === H ? 3 : 4) * H, I], bias: [2 * H] };
      if (vectors) shapes.v = [2 * H];
      return shapes;
    },
    state: ({ hidden: H }) => ({ c: [H] }),
    output: 'y',
    step: ({ x, c }, p) => {
      const { weight, bias } = p as Record<'weight' | 'bias', Tensor>;
      const projected = linear(x, weight);
      const blocks = weight.shape[0]! / c.shape[1]!;
      const parts = projected.split(blocks, -1) as readonly Tensor[];
      const [xt, fPre, rPre] = parts as [Tensor, Tensor, Tensor];
      const [bf, br] = bias.split(2);
      let fIn = fPre.add(bf);
      let rIn = rPre.add(br);
      if (vectors) {
        const [vf, vr] = (p as Record<'v', Tensor>).v.split(2);
        fIn = fIn.add(vf.mul(c));
        rIn = rIn.add(vr.mul(c));
      }
      const f = fIn.sigmoid();
      const r = rIn.sigmoid();
      const next = f.mul(c).add(f.oneMinus().mul(xt));
      const skip = blocks === 4 ? parts[3]! : x;
      return { c: next, y: r.mul(next.tanh()).add(r.oneMinus().mul(skip)) };
    },
  });
}

/** SRU (Lei et al. 2018) without the gates' v ⊙ c terms: c' = f ⊙ c + (1 − f) ⊙ x̃, h = r ⊙ tanh(c') + (1 − r) ⊙ x. */
export const sru = sruCell();

/** SRU with the paper's v_f ⊙ c and v_r ⊙ c in the gates (not a linear recurrence). */
export const sruV = sruCell({ vectors: true });
