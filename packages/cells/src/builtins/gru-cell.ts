/**
 * `gruCell(options)`: the GRU family. Rows of the stacked weights are [r, z, n] (PyTorch's order;
 * Keras stores [z, r, h], see the weight loaders). z is the update gate and weights the OLD state:
 *   r = γ(x W_irᵀ + h W_hrᵀ + b_r),  z = γ(x W_izᵀ + h W_hzᵀ + b_z)
 *   reset after  (PyTorch nn.GRU, Keras reset_after=True):   n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))
 *   reset before (Cho et al. 2014, Keras reset_after=False): n = tanh(x W_inᵀ + b_in + (r ⊙ h) W_hnᵀ [+ b_hn])
 *   h' = (1 − z) ⊙ n + z ⊙ h
 * (Chung et al. 2014 write the update with z and 1 − z swapped; this family uses PyTorch's and
 * Keras's convention above.) Biases: 'two' (b_ih + b_hh, PyTorch), 'one' (an input bias only,
 * Keras reset_after=False) or 'none'.
 */
import { CellgradError, linear, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { defineCell } from '../define-cell.js';
import { registerWeightFamily } from '../weights/family.js';
import { checkBias, gateFn, type BiasKind, type GateKind, type SteKind } from './gates.js';

/** Options of `gruCell`. */
export interface GruOptions {
  /** The cell's name (default `gru`). */
  readonly name?: string;
  /** Where the reset gate acts: `'after'` the recurrent product (default, PyTorch) or `'before'` it (Cho 2014). */
  readonly reset?: 'after' | 'before';
  /** Biases: `'two'` (default), `'one'` (reset before only) or `'none'`. */
  readonly bias?: BiasKind;
  /** Gate activation of r and z (default sigmoid; TensorFlow.js defaults to 'hard_keras'). */
  readonly gate?: GateKind;
  /** Estimator of the `'step'` gate's gradient (default `'sigmoid'`). */
  readonly ste?: SteKind;
  /** The doc string (default: generated from the options). */
  readonly doc?: string;
}

/** A GRU cell with the given options (see the file comment for the equations). */
export function gruCell(options: GruOptions = {}): Cell {
  const { name = 'gru', reset = 'after', gate = 'sigmoid', ste = 'sigmoid' } = options;
  const bias = checkBias(options.bias ?? 'two', `gruCell '${name}'`);
  if (reset !== 'after' && reset !== 'before')
    throw new CellgradError('usage', `gruCell '${name}': unknown reset ${JSON.stringify(reset)} (expected 'after' or 'before')`);
  if (reset === 'after' && bias === 'one')
    throw new CellgradError(
      'usage',
      `gruCell '${name}': a reset-after GRU has two biases or none (the recurrent bias sits inside r ⊙ (…)); use bias 'two' or 'none'`,
    );
  const act = gateFn(gate, ste);
  const doc = options.doc ?? `GRU rows [r,z,n], reset ${reset}, bias ${bias}, gates ${gate}; h' = (1-z)*n + z*h`;
  const cell = defineCell({
    name,
    doc,
    params: ({ input: I, hidden: H }): Record<string, Shape> => ({
      weight_ih: [3 * H, I],
      weight_hh: [3 * H, H],
      ...(bias === 'two' ? { bias_ih: [3 * H], bias_hh: [3 * H] } : bias === 'one' ? { bias: [3 * H] } : {}),
    }),
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, p) => {
      const H = h!.shape[1]!;
      const inputBias = bias === 'two' ? p.bias_ih : bias === 'one' ? p.bias : undefined;
      const [xr, xz, xn] = linear(x, p.weight_ih!, inputBias).split(3, -1) as [Tensor, Tensor, Tensor];
      if (reset === 'after') {
        const [hr, hz, hn] = linear(h!, p.weight_hh!, p.bias_hh).split(3, -1) as [Tensor, Tensor, Tensor];
        const r = act(xr.add(hr));
        return update(act(xz.add(hz)), xn.add(r.mul(hn)).tanh(), h!);
      }
      // Reset before: r scales h before the product with U_n, so the rows [U_r; U_z] and U_n part.
      const rows = (from: number, to: number, t: Tensor | undefined) => t?.slice(0, from * H, to * H);
      const [hr, hz] = linear(h!, rows(0, 2, p.weight_hh)!, rows(0, 2, p.bias_hh)).split(2, -1) as [Tensor, Tensor];
      const r = act(xr.add(hr));
      const n = xn.add(linear(r.mul(h!), rows(2, 3, p.weight_hh)!, rows(2, 3, p.bias_hh))).tanh();
      return update(act(xz.add(hz)), n, h!);
    },
  });
  return registerWeightFamily(cell, { kind: 'gru', gates: 3, bias, resetAfter: reset === 'after' });
}

/** h' = (1 − z) ⊙ n + z ⊙ h. */
function update(z: Tensor, n: Tensor, h: Tensor): { h: Tensor } {
  return { h: z.oneMinus().mul(n).add(z.mul(h)) };
}
