/**
 * The PyTorch peer: measured only when `python3 -c "import torch"` works (then `torch_bench.py`
 * runs the same cases with nn.LSTM / nn.GRU and a hand-written cell, one thread); otherwise the
 * benchmark prints a visible "not measured" row. The figures of ../shared/PEERS.md are printed
 * separately as a reference measured elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaseName, Shape } from '../cases.js';

/** Why PyTorch cannot be measured here, or undefined when it can. */
export function torchUnavailable(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return 'python3 not found';
  return r.status === 0 ? undefined : 'python3 torch not importable';
}

/** Median ms of the case in PyTorch (one thread), by running torch_bench.py. */
export function torchCase(name: CaseName, s: Shape, runs: number): number {
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const args = [script, name, String(s.batch), String(s.steps), String(s.input), String(s.hidden), String(runs)];
  const r = spawnSync('python3', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_bench.py failed: ${r.stderr}`);
  return Number(JSON.parse(r.stdout.trim().split('\n').pop()!).median_ms);
}

/** PyTorch 1.13 (OpenBLAS), one thread, from ../shared/PEERS.md: measured elsewhere, not in this run. */
export const PEERS_MD_TORCH: Readonly<Record<string, Readonly<Record<CaseName, number>>>> = {
  small: { lstm_train: 10.1, lstm_fwd: 3.5, gru_train: 14.5, custom_train: 11.9 },
  medium: { lstm_train: 177, lstm_fwd: 56.8, gru_train: 147, custom_train: 193 },
  large: { lstm_train: 1260, lstm_fwd: 471, gru_train: 803, custom_train: 1180 },
};
