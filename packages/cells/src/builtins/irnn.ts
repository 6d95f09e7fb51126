/**
 * `irnn`, the IRNN of Le, Jaitly & Hinton (2015): an Elman ReLU network (torch.nn.RNN with
 * nonlinearity='relu', exact numerics)
 *   h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
 * whose recurrent weight starts as the identity and biases at zero, so that at initialisation the
 * state is copied forward and gradients neither vanish nor explode; input weights start N(0, 0.001²).
 */
import type { Cell } from '../cell.js';
import { identity, normal, zeros } from '../init/initializers.js';
import { elmanCell } from './elman.js';

/** IRNN: relu Elman cell, W_hh initialised to I, biases to 0, W_ih to N(0, 0.001²). */
export const irnn: Cell = elmanCell(
  'irnn',
  (t) => t.relu(),
  "IRNN (Le, Jaitly & Hinton 2015): h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh); W_hh = I, b = 0 at init",
  (shapes, rng, H) => ({
    weight_ih: normal(0.001)(shapes.weight_ih!, rng, H),
    weight_hh: identity()(shapes.weight_hh!, rng, H),
    bias_ih: zeros()(shapes.bias_ih!, rng, H),
    bias_hh: zeros()(shapes.bias_hh!, rng, H),
  }),
);
