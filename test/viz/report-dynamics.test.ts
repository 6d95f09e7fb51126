// The report's dynamics section: eigenvalues on the complex plane with the unit circle at radius 1,
// fixed points filled and slow points open, the Lyapunov spectrum as bars; bad data names its field.
import { describe, expect, it } from 'vitest';
import { checkReportData, renderReport, type DynamicsSeries } from '@cellgrad/viz';

const series: DynamicsSeries = {
  name: 'lstm',
  points: [
    {
      kind: 'fixed',
      q: 1e-30,
      eigenvalues: [
        { re: 0.5, im: 0.5 },
        { re: 0.5, im: -0.5 },
        { re: -0.2, im: 0 },
      ],
    },
    { kind: 'slow', q: 1e-7, eigenvalues: [{ re: 1.5, im: 0 }] },
  ],
  lyapunov: [0.1, -0.3, -1.2],
};

describe('report: dynamics section', () => {
  it('draws every eigenvalue, the unit circle scaled like the axes, and one bar per exponent', async () => {
    const html = await renderReport({ dynamics: [series] });
    expect(html).toContain('<a href="#dynamics">Dynamics</a>');
    const plane = html.match(/<svg class="eigen-plane"[\s\S]*?<\/svg>/)![0];
    const circle = plane.match(/class="unit-circle" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"/)!;
    const [cx, cy, r] = [Number(circle[1]), Number(circle[2]), Number(circle[3])];
    const dots = [...plane.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="3.6" fill="([^"]+)"/g)];
    expect(dots).toHaveLength(4);
    // λ = 1.5 (slow point: open) sits at 1.5 radii right of the centre
    const slow = dots.find((d) => d[3] === 'none')!;
    expect((Number(slow[1]) - cx) / r).toBeCloseTo(1.5, 2);
    expect(Number(slow[2])).toBeCloseTo(cy, 2);
    // 0.5 + 0.5i: up and to the right
    expect((Number(dots[0]![1]) - cx) / r).toBeCloseTo(0.5, 2);
    expect((cy - Number(dots[0]![2])) / r).toBeCloseTo(0.5, 2);
    const bars = html.match(/<svg class="lyapunov"[\s\S]*?<\/svg>/)![0];
    expect(bars.match(/<rect /g)).toHaveLength(3);
    expect(bars).toContain('fill="#c05621"'); // the positive exponent
  });

  it('bad dynamics data is a report data error naming the field', () => {
    expect(() => checkReportData({ dynamics: [{ name: 'x', points: [{ kind: 'fixed', q: 0, eigenvalues: [{ re: 1 }] }] }] })).toThrow(
      /dynamics\[0\]\.points\[0\]\.eigenvalues\[0\]: expected \{ re, im \}/,
    );
  });
});
