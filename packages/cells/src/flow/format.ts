/** Text rendering of a gradient-flow report: one line per measured step, with a log-scale bar. */
import type { FlowReport } from './gradient-flow.js';

const sci = (x: number): string => (x === 0 ? '0' : x.toExponential(2));

/** A small table: step, ‖∂L/∂h(t)‖, ‖∂h(T)/∂h(t)‖ and a bar of log10 of the latter. */
export function formatFlow(report: FlowReport): string {
  const lines = [`gradient flow of ${report.cell} over ${report.steps} steps (state ${report.state}, loss ${report.loss.toPrecision(4)})`];
  lines.push(`${'step'.padStart(5)}  ${'|dL/dh(t)|'.padStart(11)}  ${'|dh(T)/dh(t)|'.padStart(13)}  log10`);
  for (const { step, norm } of report.jacobianNorms) {
    const lg = norm > 0 ? Math.log10(norm) : -Infinity;
    const bar = Number.isFinite(lg) ? '#'.repeat(Math.max(0, Math.min(40, Math.round(lg + 20)))) : '';
    lines.push(`${String(step).padStart(5)}  ${sci(report.stateGradNorms[step]!).padStart(11)}  ${sci(norm).padStart(13)}  ${bar}`);
  }
  return lines.join('\n');
}
