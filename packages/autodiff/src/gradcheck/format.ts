/** Text table of a gradient-check report, as the CLI prints it. */
import { formatDuring } from './nonfinite.js';
import type { GradcheckReport, WorstElement } from './types.js';

const modesText = (report: GradcheckReport): string => (report.modes.length === 1 && report.modes[0] === 'rev' ? '' : ` (${report.modes.join(', ')})`);
const num = (v: number): string => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));
const sci = (v: number): string => (v === 0 ? '0' : Number.isFinite(v) ? v.toExponential(2) : String(v));

function worstText(w: WorstElement | undefined, check?: string): string {
  if (!w) return '';
  const at = w.index.length ? `[${w.index.join(',')}]` : 'u·';
  const step = w.step !== undefined ? ` step ${w.step}` : '';
  const out = w.output ? ` → ${w.output}[${(w.outputIndex ?? []).join(',')}]${w.outputStep !== undefined ? ` step ${w.outputStep}` : ''}` : '';
  const [a, b] = check === 'fwd=rev' ? ['fwd', 'rev'] : [check ?? 'sym', 'fd'];
  return `${at}${step}${out}  ${a} ${w.analytic.toPrecision(6)} ${b} ${w.numeric.toPrecision(6)}`;
}

/**
 * A fixed-width table: one row per order and input with max abs/rel error, the worst element and
 * pass/FAIL, then where the first non-finite value came from (when a derivative was NaN or ±Infinity),
 * then a summary line.
 */
export function formatGradcheck(report: GradcheckReport): string {
  // With forward mode, a column says what each row compares: rev or fwd against finite differences, or fwd=rev.
  const checks = report.orders.some((o) => o.inputs.some((r) => r.check !== undefined));
  const head = ['order', ...(checks ? ['check'] : []), 'input', 'shape', 'max abs err', 'max rel err', 'worst element', 'result'];
  const rows: string[][] = [head];
  for (const o of report.orders) {
    for (const r of o.inputs) {
      const cells = [r.name, `[${r.shape.join(',')}]`, sci(r.maxAbsError), sci(r.maxRelError), worstText(r.worst, r.check), r.passed ? 'pass' : 'FAIL'];
      rows.push([String(o.order), ...(checks ? [r.check ?? 'rev'] : []), ...cells]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const o of report.orders) {
    if (o.nonFinite)
      lines.push(`order ${o.order}: a derivative is not finite; first non-finite value in the ${formatDuring(o.nonFinite)}: ${o.nonFinite.message}`);
    else if (o.inputs.some((r) => r.worst && (!Number.isFinite(r.worst.analytic) || !Number.isFinite(r.worst.numeric)))) {
      lines.push(
        `order ${o.order}: a derivative is not finite, but no single evaluation reproduces it (try --check-finite / interpret(g, feeds, { checkFinite: true }))`,
      );
    }
  }
  const failed = report.orders.flatMap((o) => o.inputs).filter((r) => !r.passed).length;
  lines.push(
    `${report.passed ? 'PASSED' : 'FAILED'}: ${report.mode} mode${modesText(report)}, eps ${num(report.eps)}, atol ${num(report.atol)}, rtol ${num(report.rtol)}; ` +
      `${failed} input(s) failed; ${report.evaluations} evaluations in ${report.seconds.toFixed(2)} s`,
  );
  return lines.join('\n');
}
