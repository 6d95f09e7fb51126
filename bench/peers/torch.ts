/**
 * The PyTorch peer: measured only when a python3 imports torch (then `torch_bench.py`
 * runs the same cases with nn.LSTM / nn.GRU, a hand-written LSTM and a minGRU, one thread); otherwise the
 * benchmark prints a visible "not measured" row. The figures of ../shared/PEERS.md are printed
 * separately as a reference measured elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaseName, Shape } from '../cases.js';

/**
 * The Python that imports torch: $CELLGRAD_PYTHON, else `python3` on the PATH, else Debian's
 * /usr/bin/python3 (where `apt-get install python3-torch libopenblas0-openmp` puts torch even when
 * another python3 comes first on the PATH).
 */
function findPython(): string | undefined {
  const candidates = [process.env.CELLGRAD_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}

let python: string | undefined;

/** Why PyTorch cannot be measured here, or undefined when it can. */
export function torchUnavailable(): string | undefined {
  python = findPython();
  return python ? undefined : 'no python3 here imports torch (try: apt-get install python3-torch libopenblas0-openmp)';
}

/**
 * Median ms of the case in PyTorch with `threads` threads and the Python process's peak RSS (MB), by
 * running torch_bench.py; stopped (an error "timeout after …") after `timeoutMs`.
 */
export function torchCase(name: CaseName, s: Shape, runs: number, threads = 1, timeoutMs?: number): { median_ms: number; peak_mb: number } {
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const args = [script, name, String(s.batch), String(s.steps), String(s.input), String(s.hidden), String(runs), String(threads)];
  const r = spawnSync(python ?? findPython() ?? 'python3', args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs, killSignal: 'SIGKILL' as const }),
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new Error(`timeout after ${timeoutMs! / 1000} s`);
  if (r.status !== 0) throw new Error(`torch_bench.py failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { median_ms: number; peak_mb: number };
  return { median_ms: Number(out.median_ms), peak_mb: Number(out.peak_mb) };
}

/** PyTorch 1.13 (OpenBLAS), one thread, from ../shared/PEERS.md: measured elsewhere, not in this run. */
export const PEERS_MD_TORCH: Readonly<Record<string, Readonly<Partial<Record<CaseName, number>>>>> = {
  small: { lstm_train: 10.1, lstm_fwd: 3.5, gru_train: 14.5, custom_train: 11.9 },
  medium: { lstm_train: 177, lstm_fwd: 56.8, gru_train: 147, custom_train: 193 },
  large: { lstm_train: 1260, lstm_fwd: 471, gru_train: 803, custom_train: 1180 },
};
