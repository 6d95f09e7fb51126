/**
 * Random recurrent cells for property tests: 1–4 gates, separate or stacked gate matrices, with or
 * without biases, an activation per gate and a summed or gated state update. A spec is plain data
 * (fast-check shrinks it); `randomCell` turns it into a cell made by `defineCell`.
 */
import type { Tensor } from '@cellgrad/graph';
import { defineCell, type Cell } from '@cellgrad/cells';

/** The activations a random cell's gates choose from. */
export const RANDOM_CELL_ACTIVATIONS = {
  /** tanh(z). */
  tanh: (t: Tensor) => t.tanh(),
  /** σ(z). */
  sigmoid: (t: Tensor) => t.sigmoid(),
  /** max(z, 0) (its kink is met with probability 0 by continuous feeds). */
  relu: (t: Tensor) => t.relu(),
  /** log σ(z). */
  logSigmoid: (t: Tensor) => t.sigmoid().log(),
} as const;

/** The name of an activation of `RANDOM_CELL_ACTIVATIONS`. */
export type RandomCellActivation = keyof typeof RANDOM_CELL_ACTIVATIONS;

/** The recipe of a random cell. */
export interface RandomCellSpec {
  /** Number of gates (1–4), each a pre-activation x·Wₖᵀ + h·Uₖᵀ (+ bₖ). */
  readonly gates: number;
  /** One matrix per gate (`W0`, `U0`, `b0`, …) or one stacked matrix split into gates (`W`, `U`, `b`). */
  readonly separate: boolean;
  /** With biases. */
  readonly bias: boolean;
  /** The activation of gate k is `acts[k]` (at least `gates` entries). */
  readonly acts: readonly RandomCellActivation[];
  /** `'sum'`: h' = ½ Σ aₖ; `'gated'`: h' = a₀ ⊙ h + a₁ ⊙ a₂ ⊙ … (with one gate, as `'sum'`). */
  readonly update: 'sum' | 'gated';
}

/** A short name saying what the spec builds, e.g. `random_g2_stacked_bias_tanh_relu_gated`. */
export function randomCellName(spec: RandomCellSpec): string {
  const acts = spec.acts.slice(0, spec.gates).join('_');
  return `random_g${spec.gates}_${spec.separate ? 'separate' : 'stacked'}${spec.bias ? '_bias' : ''}_${acts}_${spec.update}`;
}

/**
 * The cell a spec describes (state `h` of width H; parameters `W [G·H, I]`, `U [G·H, H]`, `b [G·H]`
 * stacked, or `Wk [H, I]`, `Uk [H, H]`, `bk [H]` per gate).
 * @example
 * const cell = randomCell({ gates: 2, separate: false, bias: true, acts: ['tanh', 'sigmoid'], update: 'gated' });
 */
export function randomCell(spec: RandomCellSpec): Cell {
  const G = spec.gates;
  const ks = [...Array(G).keys()];
  return defineCell({
    name: randomCellName(spec),
    params: ({ input: I, hidden: H }) => {
      if (!spec.separate) return { W: [G * H, I], U: [G * H, H], ...(spec.bias ? { b: [G * H] } : {}) };
      return Object.fromEntries(ks.flatMap((k) => [[`W${k}`, [H, I]], [`U${k}`, [H, H]], ...(spec.bias ? [[`b${k}`, [H]]] : [])]));
    },
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, p) => {
      let pre: Tensor[];
      if (spec.separate) {
        pre = ks.map((k) => {
          const z = x.matmul(p[`W${k}`]!.T).add(h.matmul(p[`U${k}`]!.T));
          return spec.bias ? z.add(p[`b${k}`]!) : z;
        });
      } else {
        const z = x.matmul(p.W!.T).add(h.matmul(p.U!.T));
        pre = (spec.bias ? z.add(p.b!) : z).split(G, -1);
      }
      const a = pre.map((z, k) => RANDOM_CELL_ACTIVATIONS[spec.acts[k]!](z));
      const next = spec.update === 'sum' || G === 1 ? a.reduce((s, t) => s.add(t)).mul(0.5) : a[0]!.mul(h).add(a.slice(1).reduce((s, t) => s.mul(t)));
      return { h: next };
    },
  });
}
