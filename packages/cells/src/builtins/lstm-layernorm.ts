/**
 * `lstm_layernorm`, the layer-normalised LSTM of Ba, Kiros & Hinton (2016). Gate rows [i, f, g, o]:
 *   a  = LN(x W_ihᵀ; γ_x, β_x) + LN(h W_hhᵀ; γ_h, β_h) + bias
 *   c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g)
 *   h' = σ(a_o) ⊙ tanh(LN(c'; γ_c, β_c))
 * LN(v; γ, β) = (v − mean v) / √(var v + 1e-5) ⊙ γ + β over the feature axis, biased variance
 * (torch.nn.functional.layer_norm). weight_ih [4H, I], weight_hh [4H, H], bias, γ_x, β_x, γ_h, β_h
 * [4H], γ_c, β_c [H]; states h and c; output h'. Matches ../shared/reference-extended/lstm_layernorm.json.
 * Initialised with every γ = 1 and β = 0 (plain normalisation), the bias 0, weights as any cell.
 */
import { layerNorm, linear } from '@cellgrad/graph';
import { defineCell } from '../define-cell.js';

/** Layer-normalised LSTM (Ba et al. 2016): LN on both input projections and on the cell before its tanh. */
export const lstmLayerNorm = defineCell({
  name: 'lstm_layernorm',
  doc:
    'layer-normalised LSTM (Ba et al. 2016), rows [i,f,g,o]: a = LN(x W_ih^T; gamma_x, beta_x) + LN(h W_hh^T; gamma_h, beta_h) + bias; ' +
    "c' = sig(a_f)*c + sig(a_i)*tanh(a_g); h' = sig(a_o)*tanh(LN(c'; gamma_c, beta_c)); LN over features, eps 1e-5, biased variance",
  params: ({ input: I, hidden: H }) => ({
    weight_ih: [4 * H, I],
    weight_hh: [4 * H, H],
    bias: [4 * H],
    gamma_x: [4 * H],
    beta_x: [4 * H],
    gamma_h: [4 * H],
    beta_h: [4 * H],
    gamma_c: [H],
    beta_c: [H],
  }),
  state: ({ hidden: H }) => ({ h: [H], c: [H] }),
  step: ({ x, h, c }, p) => {
    const a = layerNorm(linear(x, p.weight_ih!), p.gamma_x, p.beta_x)
      .add(layerNorm(linear(h!, p.weight_hh!), p.gamma_h, p.beta_h))
      .add(p.bias!);
    const [ai, af, ag, ao] = a.split(4, -1);
    const cNext = af!.sigmoid().mul(c!).add(ai!.sigmoid().mul(ag!.tanh()));
    return { h: ao!.sigmoid().mul(layerNorm(cNext, p.gamma_c, p.beta_c).tanh()), c: cNext };
  },
  init: ({ hidden: H }) => ({
    bias: new Float64Array(4 * H),
    gamma_x: new Float64Array(4 * H).fill(1),
    beta_x: new Float64Array(4 * H),
    gamma_h: new Float64Array(4 * H).fill(1),
    beta_h: new Float64Array(4 * H),
    gamma_c: new Float64Array(H).fill(1),
    beta_c: new Float64Array(H),
  }),
});
