/**
 * minGRU with the positive candidate of Feng et al. 2024 ("Were RNNs All We Needed?"), the form
 * their log-space scan is written for:
 *   z  = σ(x W_zᵀ + b_z)
 *   h̃  = g(x W_hᵀ + b_h),  g(v) = v + ½ for v ≥ 0, σ(v) for v < 0  (written relu(v) + σ(−relu(−v)))
 *   h' = (1 − z) ⊙ h + z ⊙ h̃
 * Every coefficient is positive, so it also runs in log space:
 * `pnpm cellgrad gradcheck examples/cells/mingru-log.ts --scan-form log`.
 */
import { defineCell, linear } from 'cellgrad';

export default defineCell({
  name: 'mingru_g',
  doc: 'minGRU (Feng et al. 2024) with the positive candidate g: runs as a direct or a log-space scan (scanForm)',
  params: ({ input: I, hidden: H }) => ({ weight: [2 * H, I], bias: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { weight, bias }) => {
    const [zPre, hPre] = linear(x, weight, bias).split(2, -1);
    const z = zPre.sigmoid();
    const candidate = hPre.relu().add(hPre.neg().relu().neg().sigmoid());
    return { h: z.oneMinus().mul(h).add(z.mul(candidate)) };
  },
});
