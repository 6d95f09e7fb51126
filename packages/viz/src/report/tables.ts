/** The report's tables: gradient checks (rows or whole reports, expanded) and benchmarks. */
import { esc, fmt } from './html-escape.js';
import type { BenchRow, GradcheckReportLike, GradcheckRow } from './types.js';

function isReport(x: GradcheckRow | GradcheckReportLike): x is GradcheckReportLike {
  return typeof (x as GradcheckReportLike).report === 'object' && (x as GradcheckReportLike).report !== null;
}

type Worst = NonNullable<GradcheckReportLike['report']['orders'][number]['inputs'][number]['worst']>;

/** `[1,0] step 2: symbolic 0.4123 vs numeric 0.4123`. */
function worstText(w: Worst): string {
  const at = w.index.length ? `[${w.index.join(',')}]` : 'projection';
  return `${at}${w.step !== undefined ? ` step ${w.step}` : ''}: symbolic ${w.analytic.toPrecision(6)} vs numeric ${w.numeric.toPrecision(6)}`;
}

/** Every gradcheck entry as rows: a whole report gives one row per order and input. */
export function gradcheckRows(entries: readonly (GradcheckRow | GradcheckReportLike)[]): GradcheckRow[] {
  return entries.flatMap((e) => {
    if (!isReport(e)) return [e];
    return e.report.orders.flatMap((o) =>
      o.inputs.map((r) => ({
        cell: e.cell,
        order: o.order,
        input: r.name,
        maxAbsError: r.maxAbsError,
        passed: r.passed,
        ...(r.shape ? { shape: r.shape } : {}),
        ...(r.maxRelError !== undefined ? { maxRelError: r.maxRelError } : {}),
        ...(r.worst ? { worst: worstText(r.worst) } : {}),
      })),
    );
  });
}

/** The gradcheck table, with a summary line (`12 of 12 passed`). */
export function gradcheckTable(entries: readonly (GradcheckRow | GradcheckReportLike)[]): string {
  const rows = gradcheckRows(entries);
  const passed = rows.filter((r) => r.passed).length;
  const body = rows.map((r) => {
    const cells = [
      r.cell ?? '',
      String(r.order ?? 1),
      r.input,
      r.shape ? `[${r.shape.join(',')}]` : '',
      fmt(r.maxAbsError),
      r.maxRelError !== undefined ? fmt(r.maxRelError) : '',
      r.worst ?? '',
    ].map((c) => `<td>${esc(c)}</td>`);
    const result = r.passed ? '<td class="pass">pass</td>' : '<td class="fail">FAIL</td>';
    return `<tr>${cells.join('')}${result}</tr>`;
  });
  const head = ['cell', 'order', 'input', 'shape', 'max abs err', 'max rel err', 'worst element', 'result'].map((h) => `<th>${h}</th>`).join('');
  const summary = `<p class="summary ${passed === rows.length ? 'pass' : 'fail'}">${passed} of ${rows.length} gradient checks passed</p>`;
  return `${summary}<table class="data gradcheck"><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** The benchmark table: the union of the rows' columns, `name` first; numbers formatted. */
export function benchTable(rows: readonly BenchRow[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  columns.sort((a, b) => (a === 'name' ? -1 : b === 'name' ? 1 : 0));
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((r) => {
    const cells = columns.map((c) => {
      const v = r[c];
      if (typeof v === 'number') return `<td class="num">${esc(fmt(v))}</td>`;
      return `<td>${esc(v === undefined || v === null ? '' : String(v))}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table class="data bench"><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}
