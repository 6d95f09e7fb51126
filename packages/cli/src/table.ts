/** A fixed-width text table (header, dashes, rows), as the commands print their listings and results. */

/** Lay out `rows` under `header`, columns padded to their widest cell, two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (cell ?? '').padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A number in short scientific notation (`3.21e-11`), `0` for zero. */
export function sci(v: number): string {
  return v === 0 ? '0' : Number.isFinite(v) ? v.toExponential(2) : String(v);
}
