/**
 * `lstmCell(options)`: the LSTM family. Rows of the stacked weights are the gates [i, f, g, o]
 * ([i, g, o] without a forget gate), as PyTorch; weights are [out, in], applied as x Wᵀ.
 *   a = x W_ihᵀ + h W_hhᵀ + b           (b = b_ih + b_hh, one bias, or none)
 *   i = γ(a_i + p_i ⊙ c)                 (p: peephole diagonals, when enabled)
 *   f = γ(a_f + p_f ⊙ c)                 (no forget gate: f = 1, the 1997 LSTM)
 *   c' = f ⊙ c + i ⊙ κ(a_g)
 *   o = γ(a_o + p_o ⊙ c')                (the output peephole sees the new cell)
 *   h' = o ⊙ tanh(c')                     (with a projection of size P: h' = (o ⊙ tanh(c')) W_hrᵀ)
 * γ is the gate activation (sigmoid, hard sigmoid 'keras' or 'torch', or a 0/1 step with a
 * straight-through estimator), κ the candidate activation (tanh or 2σ(x) − 1). The projection is
 * PyTorch's `proj_size`: weight_hr [P, H]; h (state and output) is P wide, c stays H wide, weight_hh
 * is [G·H, P] and a stacked layer above reads P features.
 */
import { CellgradError, linear, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell, InitFn } from '../cell.js';
import { defineCell } from '../define-cell.js';
import { registerWeightFamily } from '../weights/family.js';
import { checkBias, candidateFn, gateFn, type BiasKind, type CandidateKind, type GateKind, type SteKind } from './gates.js';

/** Options of `lstmCell`. */
export interface LstmOptions {
  /** The cell's name (default `lstm`). */
  readonly name?: string;
  /** With a forget gate (default true); false gives the original 1997 LSTM, c' = c + i ⊙ g. */
  readonly forgetGate?: boolean;
  /** Peephole connections p_i, p_f, p_o (Gers & Schmidhuber 2000; default false). */
  readonly peephole?: boolean;
  /** Gate activation (default sigmoid). */
  readonly gate?: GateKind;
  /** Estimator of the `'step'` gate's gradient (default `'sigmoid'`). */
  readonly ste?: SteKind;
  /** Candidate activation (default tanh). */
  readonly candidate?: CandidateKind;
  /** Biases: `'two'` (PyTorch, default), `'one'` (Keras) or `'none'`. */
  readonly bias?: BiasKind;
  /**
   * Initialise the forget gate's bias to this value (e.g. 1, Keras's `unit_forget_bias`) and every
   * other bias to 0; with two biases the value goes to `bias_ih`. Default: PyTorch's uniform init.
   */
  readonly forgetBias?: number;
  /**
   * Project the output to `proj` features (PyTorch's `proj_size`): h' = (o ⊙ tanh(c')) W_hrᵀ with
   * `weight_hr` [proj, H]; h is `proj` wide, c `H` wide. Default: none. See also `withProjection`.
   */
  readonly proj?: number;
  /** The doc string (default: generated from the options). */
  readonly doc?: string;
}

/** The options each cell made by `lstmCell` was built with (for `withProjection`). */
const madeWith = new WeakMap<Cell, LstmOptions>();

/** An LSTM cell with the given options (see the file comment for the equations). */
export function lstmCell(options: LstmOptions = {}): Cell {
  const { name = 'lstm', forgetGate = true, peephole = false, gate = 'sigmoid', ste = 'sigmoid', candidate = 'tanh', forgetBias, proj } = options;
  if (proj !== undefined && (!Number.isInteger(proj) || proj <= 0)) {
    throw new CellgradError('usage', `lstmCell '${name}': 'proj' must be a positive integer (the projection size), got ${JSON.stringify(proj)}`);
  }
  const bias = checkBias(options.bias ?? 'two', `lstmCell '${name}'`);
  if (forgetBias !== undefined && (!forgetGate || bias === 'none' || !Number.isFinite(forgetBias))) {
    throw new CellgradError(
      'usage',
      `lstmCell '${name}': 'forgetBias' needs a forget gate, a bias and a finite value (got forgetGate ${forgetGate}, bias '${bias}', forgetBias ${forgetBias})`,
    );
  }
  const act = gateFn(gate, ste);
  const cand = candidateFn(candidate);
  const G = forgetGate ? 4 : 3;
  const doc =
    options.doc ??
    `LSTM rows [${forgetGate ? 'i,f,g,o' : 'i,g,o'}], gates ${gate}${gate === 'step' ? ` (STE ${ste})` : ''}, candidate ${candidate}, bias ${bias}${peephole ? ', peepholes' : ''}${proj ? `, projection to ${proj}` : ''}`;
  const peeps = peephole ? (forgetGate ? ['peep_i', 'peep_f', 'peep_o'] : ['peep_i', 'peep_o']) : [];
  const cell = defineCell({
    name,
    doc,
    params: ({ input: I, hidden: H }): Record<string, Shape> => ({
      weight_ih: [G * H, I],
      weight_hh: [G * H, proj ?? H],
      ...(bias === 'two' ? { bias_ih: [G * H], bias_hh: [G * H] } : bias === 'one' ? { bias: [G * H] } : {}),
      ...Object.fromEntries(peeps.map((p) => [p, [H]])),
      ...(proj ? { weight_hr: [proj, H] } : {}),
    }),
    state: ({ hidden: H }) => ({ h: [proj ?? H], c: [H] }),
    ...(proj ? { outputSize: () => proj } : {}),
    step: ({ x, h, c }, p) => {
      let a =
        bias === 'two' ? linear(x, p.weight_ih!, p.bias_ih).add(linear(h, p.weight_hh!, p.bias_hh)) : linear(x, p.weight_ih!).add(linear(h, p.weight_hh!));
      if (bias === 'one') a = a.add(p.bias!);
      const parts = a.split(G, -1);
      const [ai, af, ag, ao] = forgetGate ? parts : [parts[0]!, undefined, parts[1]!, parts[2]!];
      const peep = (pre: Tensor, w: Tensor | undefined, cell: Tensor) => (w ? pre.add(w.mul(cell)) : pre);
      const i = act(peep(ai!, p.peep_i, c!));
      const kept = af ? act(peep(af, p.peep_f, c!)).mul(c!) : c!;
      const cNext = kept.add(i.mul(cand(ag!)));
      const o = act(peep(ao!, p.peep_o, cNext));
      const hNext = o.mul(cNext.tanh());
      return { h: p.weight_hr ? linear(hNext, p.weight_hr) : hNext, c: cNext };
    },
    ...(forgetBias !== undefined ? { init: forgetBiasInit(G, bias, forgetBias) } : {}),
  });
  madeWith.set(cell, options);
  return registerWeightFamily(cell, { kind: 'lstm', gates: G, bias, extra: proj ? [...peeps, 'weight_hr'] : peeps });
}

/**
 * The same LSTM as `cell` (a cell made by `lstmCell`, such as the built-in `lstm`) with its output
 * projected to `proj` features, PyTorch's `nn.LSTM(proj_size=proj)`. Same name; a `usage` error
 * for any other cell.
 * @example
 * const g = unroll(withProjection(lstm, 2), { input: 3, hidden: 5, batch: 2, steps: 4, layers: 2 });
 * // inputs h0 [2, 2, 2], c0 [2, 2, 5], weight_hr_l0 [2, 5], ...; out [4, 2, 2]
 */
export function withProjection(cell: Cell, proj: number): Cell {
  const options = madeWith.get(cell);
  if (!options)
    throw new CellgradError('usage', `withProjection: cell '${cell?.name}' is not an LSTM made by lstmCell, so it has no projection (proj_size) variant`);
  return lstmCell({ ...options, proj });
}

/** Zero biases except the forget block (rows H..2H) = `value`. */
function forgetBiasInit(G: number, bias: BiasKind, value: number): InitFn {
  return ({ hidden: H }): Record<string, Float64Array> => {
    const b = new Float64Array(G * H).fill(value, H, 2 * H);
    return bias === 'two' ? { bias_ih: b, bias_hh: new Float64Array(G * H) } : { bias: b };
  };
}
