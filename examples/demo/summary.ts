/**
 * The demo's verdicts: a table of the race and, from the measured numbers alone, whether each
 * expectation of Le et al. (2015) held — tanh RNN near the 0.167 baseline, LSTM and GRU below the
 * target, IRNN learning where tanh does not.
 */
import type { CellResult } from './adding-race.js';

const BASELINE = 1 / 6;

/** A word for a final MSE. */
export function verdict(mse: number, target: number): string {
  if (!Number.isFinite(mse)) return 'diverged';
  if (mse < target) return `solved (< ${target})`;
  if (mse < 0.5 * BASELINE) return 'learned partly (well below the baseline)';
  if (mse < 0.9 * BASELINE) return 'slightly below the baseline';
  return 'at the baseline (did not learn)';
}

/** The results table. */
export function table(results: readonly CellResult[], target: number): string {
  const rows = [['cell', 'gradcheck', 'optimizer', 'iterations', 'seconds', 'held-out MSE', '|dh(T)/dh(0)| init → end', 'verdict']];
  for (const r of results) {
    const j = (f: CellResult['flowAtInit']) => f.jacobianNorms[0]?.norm.toExponential(1) ?? '-';
    rows.push([
      r.name,
      r.gradcheckPassed ? 'pass' : 'FAIL',
      r.optimizer,
      String(r.iterations),
      r.seconds.toFixed(1),
      r.finalMSE.toFixed(4),
      `${j(r.flowAtInit)} → ${j(r.flowAtEnd)}`,
      verdict(r.finalMSE, target),
    ]);
  }
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((row) => row[k]!.length)));
  return rows.map((row) => row.map((cell, k) => cell.padEnd(widths[k]!)).join('  ')).join('\n');
}

/** Each expectation of the published picture, checked against what was measured. */
export function expectations(results: readonly CellResult[], target: number): { claim: string; held: boolean }[] {
  const by = (n: string) => results.find((r) => r.name === n);
  const out: { claim: string; held: boolean }[] = [];
  const tanh = by('rnn_tanh'),
    irnn = by('irnn'),
    lstm = by('lstm'),
    gru = by('gru');
  if (tanh)
    out.push({ claim: `tanh RNN stays near the ${BASELINE.toFixed(3)} baseline (MSE ${tanh.finalMSE.toFixed(4)})`, held: tanh.finalMSE > 0.8 * BASELINE });
  if (lstm) out.push({ claim: `LSTM falls below ${target} (MSE ${lstm.finalMSE.toFixed(4)})`, held: lstm.finalMSE < target });
  if (gru) out.push({ claim: `GRU falls below ${target} (MSE ${gru.finalMSE.toFixed(4)})`, held: gru.finalMSE < target });
  if (irnn && tanh)
    out.push({
      claim: `IRNN learns where tanh does not (IRNN ${irnn.finalMSE.toFixed(4)} vs tanh ${tanh.finalMSE.toFixed(4)})`,
      held: irnn.finalMSE < 0.5 * BASELINE && tanh.finalMSE > 0.8 * BASELINE,
    });
  return out;
}
