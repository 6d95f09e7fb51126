/**
 * The report's dynamics section, drawn as static inline SVG (no script): per analysed network, the
 * eigenvalues of the state Jacobian at each fixed or slow point on the complex plane with the unit
 * circle (inside: the point attracts along that direction), and the Lyapunov spectrum as bars
 * (positive: nearby trajectories separate; negative: they converge).
 */
import { esc } from './html-escape.js';
import type { DynamicsSeries } from './types.js';

const W = 360;
const PAD = 34;
const COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#2c7a7b', '#975a16', '#4a5568'];

const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? String(Number(v.toPrecision(3))) : v.toExponential(1));

/** Eigenvalues on the complex plane, the unit circle dashed; one colour per point. */
export function eigenPlaneSvg(series: DynamicsSeries): string {
  const all = series.points.flatMap((p) => p.eigenvalues);
  const reach = Math.max(1.2, ...all.map((e) => Math.max(Math.abs(e.re), Math.abs(e.im)) * 1.1));
  const scale = (W / 2 - PAD) / reach;
  const cx = W / 2;
  const cy = W / 2;
  const X = (re: number) => (cx + re * scale).toFixed(2);
  const Y = (im: number) => (cy - im * scale).toFixed(2);
  const dots = series.points
    .map((p, i) =>
      p.eigenvalues
        .map((e) => {
          const title = `point ${i + 1} (${p.kind}): ${fmt(e.re)}${e.im < 0 ? ' − ' : ' + '}${fmt(Math.abs(e.im))}i, |λ| ${fmt(Math.hypot(e.re, e.im))}`;
          const fill = COLOURS[i % COLOURS.length]!;
          return `<circle cx="${X(e.re)}" cy="${Y(e.im)}" r="3.6" fill="${p.kind === 'fixed' ? fill : 'none'}" stroke="${fill}" stroke-width="1.4"><title>${esc(title)}</title></circle>`;
        })
        .join(''),
    )
    .join('');
  const axes = `<line x1="${PAD / 2}" y1="${cy}" x2="${W - PAD / 2}" y2="${cy}" stroke="#9aa3b5"/><line x1="${cx}" y1="${PAD / 2}" x2="${cx}" y2="${W - PAD / 2}" stroke="#9aa3b5"/>`;
  const circle = `<circle class="unit-circle" cx="${cx}" cy="${cy}" r="${scale.toFixed(2)}" fill="none" stroke="#1d2330" stroke-dasharray="5 4"/>`;
  const labels =
    `<text x="${W - PAD / 2}" y="${cy - 6}" text-anchor="end" font-size="11" fill="#5b6475">Re</text>` +
    `<text x="${cx + 6}" y="${PAD / 2 + 10}" font-size="11" fill="#5b6475">Im</text>` +
    `<text x="${(Number(X(1)) + 3).toFixed(2)}" y="${cy + 13}" font-size="10" fill="#5b6475">1</text>` +
    `<text x="${(Number(X(-1)) - 3).toFixed(2)}" y="${cy + 13}" text-anchor="end" font-size="10" fill="#5b6475">−1</text>`;
  return `<svg class="eigen-plane" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${W}" width="${W}" height="${W}" style="max-width: 100%; height: auto" role="img" aria-label="eigenvalues on the complex plane">${axes}${circle}${labels}${dots}</svg>`;
}

/** The Lyapunov spectrum as bars, largest first, with the zero line. */
export function lyapunovSvg(exponents: readonly number[]): string {
  const width = Math.max(W, 40 + 18 * exponents.length);
  const height = 260;
  const top = 16;
  const bottom = height - 30;
  const hi = Math.max(0, ...exponents);
  const lo = Math.min(0, ...exponents);
  const span = hi - lo || 1;
  const Y = (v: number) => top + ((hi - v) / span) * (bottom - top);
  const step = (width - 50) / Math.max(1, exponents.length);
  const bars = exponents
    .map((l, j) => {
      const y0 = Y(0);
      const y1 = Y(l);
      const x = 44 + j * step;
      return `<rect x="${x.toFixed(2)}" y="${Math.min(y0, y1).toFixed(2)}" width="${Math.max(2, step * 0.7).toFixed(2)}" height="${Math.max(0.5, Math.abs(y1 - y0)).toFixed(2)}" fill="${l > 0 ? '#c05621' : '#2b6cb0'}"><title>λ${j + 1} = ${esc(fmt(l))}</title></rect>`;
    })
    .join('');
  const zero = `<line x1="40" y1="${Y(0).toFixed(2)}" x2="${width - 4}" y2="${Y(0).toFixed(2)}" stroke="#1d2330"/>`;
  const ticks = [hi, lo]
    .filter((v, i, a) => a.indexOf(v) === i && v !== 0)
    .map((v) => `<text x="36" y="${(Y(v) + 4).toFixed(2)}" text-anchor="end" font-size="10" fill="#5b6475">${esc(fmt(v))}</text>`)
    .join('');
  const axis = `<text x="36" y="${(Y(0) + 4).toFixed(2)}" text-anchor="end" font-size="10" fill="#5b6475">0</text><text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#5b6475">exponent index (largest first), per step</text>`;
  return `<svg class="lyapunov" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" style="max-width: 100%; height: auto" role="img" aria-label="Lyapunov spectrum">${zero}${bars}${ticks}${axis}</svg>`;
}

/** The section's HTML: a card per series with its two plots and a table of its points. */
export function dynamicsSection(series: readonly DynamicsSeries[]): string {
  return series
    .map((s) => {
      const rows = s.points
        .map(
          (p, i) =>
            `<tr><td class="num">${i + 1}</td><td>${esc(p.kind)}</td><td class="num">${esc(fmt(p.q))}</td><td class="num">${esc(fmt(Math.max(0, ...p.eigenvalues.map((e) => Math.hypot(e.re, e.im)))))}</td></tr>`,
        )
        .join('');
      const table = `<table class="data"><tr><th>#</th><th>kind</th><th>q</th><th>max |λ|</th></tr>${rows}</table>`;
      const lyap = s.lyapunov?.length
        ? `<div class="chart-card"><h3>Lyapunov spectrum</h3><p class="caption">${esc(s.lyapunovCaption ?? 'Exponents per step, largest first.')}</p>${lyapunovSvg(s.lyapunov)}</div>`
        : '';
      const plane = `<div class="chart-card"><h3>Jacobian eigenvalues at the fixed (filled) and slow (open) points</h3><p class="caption">Unit circle dashed: inside, the point attracts along that direction.</p>${eigenPlaneSvg(s)}</div>`;
      return `<div class="graph-card"><h3>${esc(s.name)}</h3>${s.caption ? `<p class="caption">${esc(s.caption)}</p>` : ''}<div class="grid">${plane}${lyap}</div>${table}</div>`;
    })
    .join('\n');
}
