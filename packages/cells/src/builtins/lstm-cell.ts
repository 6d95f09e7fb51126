/**
 * `lstmCell(options)`: the LSTM family. Rows of the stacked weights are the gates [i, f, g, o]
 * ([i, g, o] without a forget gate), as PyTorch; weights are [out, in], applied as x Wᵀ.
 *   a = x W_ihᵀ + h W_hhᵀ + b           (b = b_ih + b_hh, one bias, or none)
 *   i = γ(a_i + p_i ⊙ c)                 (p: peephole diagonals, when enabled)
 *   f = γ(a_f + p_f ⊙ c)                 (no forget gate: f = 1, the 1997 LSTM)
 *   c' = f ⊙ c + i ⊙ κ(a_g)
 *   o = γ(a_o + p_o ⊙ c')                (the output peephole sees the new cell)
 *   h' = o ⊙ tanh(c')
 * γ is the gate activation (sigmoid, hard sigmoid 'keras' or 'torch', or a 0/1 step with a
 * straight-through estimator), κ the candidate activation (tanh or 2σ(x) − 1).
 */
import { CellgradError, linear, type Tensor } from '@cellgrad/graph';
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
  /** The doc string (default: generated from the options). */
  readonly doc?: string;
}

/** An LSTM cell with the given options (see the file comment for the equations). */
export function lstmCell(options: LstmOptions = {}): Cell {
  const { name = 'lstm', forgetGate = true, peephole = false, gate = 'sigmoid', ste = 'sigmoid', candidate = 'tanh', forgetBias } = options;
  const bias = checkBias(options.bias ?? 'two', `lstmCell '${name}'`);
  if (forgetBias !== undefined && (!forgetGate || bias === 'none' || !Number.isFinite(forgetBias))) {
    throw new CellgradError('usage', `lstmCell '${name}': 'forgetBias' needs a forget gate, a bias and a finite value (got forgetGate ${forgetGate}, bias '${bias}', forgetBias ${forgetBias})`);
  }
  const act = gateFn(gate, ste);
  const cand = candidateFn(candidate);
  const G = forgetGate ? 4 : 3;
  const doc = options.doc ?? `LSTM rows [${forgetGate ? 'i,f,g,o' : 'i,g,o'}], gates ${gate}${gate === 'step' ? ` (STE ${ste})` : ''}, candidate ${candidate}, bias ${bias}${peephole ? ', peepholes' : ''}`;
  const peeps = peephole ? (forgetGate ? ['peep_i', 'peep_f', 'peep_o'] : ['peep_i', 'peep_o']) : [];
  const cell = defineCell({
    name,
    doc,
    params: ({ input: I, hidden: H }) => ({
      weight_ih: [G * H, I],
      weight_hh: [G * H, H],
      ...(bias === 'two' ? { bias_ih: [G * H], bias_hh: [G * H] } : bias === 'one' ? { bias: [G * H] } : {}),
      ...Object.fromEntries(peeps.map((p) => [p, [H]])),
    }),
    state: ({ hidden: H }) => ({ h: [H], c: [H] }),
    step: ({ x, h, c }, p) => {
      let a = bias === 'two'
        ? linear(x, p.weight_ih!, p.bias_ih).add(linear(h, p.weight_hh!, p.bias_hh))
        : linear(x, p.weight_ih!).add(linear(h, p.weight_hh!));
      if (bias === 'one') a = a.add(p.bias!);
      const parts = a.split(G, -1);
      const [ai, af, ag, ao] = forgetGate ? parts : [parts[0]!, undefined, parts[1]!, parts[2]!];
      const peep = (pre: Tensor, w: Tensor | undefined, cell: Tensor) => (w ? pre.add(w.mul(cell)) : pre);
      const i = act(peep(ai!, p.peep_i, c!));
      const kept = af ? act(peep(af, p.peep_f, c!)).mul(c!) : c!;
      const cNext = kept.add(i.mul(cand(ag!)));
      const o = act(peep(ao!, p.peep_o, cNext));
      return { h: o.mul(cNext.tanh()), c: cNext };
    },
    ...(forgetBias !== undefined ? { init: forgetBiasInit(G, bias, forgetBias) } : {}),
  });
  return registerWeightFamily(cell, { kind: 'lstm', gates: G, bias, extra: peeps });
}

/** Zero biases except the forget block (rows H..2H) = `value`. */
function forgetBiasInit(G: number, bias: BiasKind, value: number): InitFn {
  return ({ hidden: H }): Record<string, Float64Array> => {
    const b = new Float64Array(G * H).fill(value, H, 2 * H);
    return bias === 'two' ? { bias_ih: b, bias_hh: new Float64Array(G * H) } : { bias: b };
  };
}
