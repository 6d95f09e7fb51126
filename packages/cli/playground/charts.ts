/**
 * The playground's two charts, drawn with Chart.js (as the HTML report's): the training loss by
 * iteration, updated live, and the gradient flow after training — ‖∂L/∂h(t)‖ and ‖∂h(T)/∂h(t)‖ by
 * time step, on a log scale (a vanishing gradient is a line falling away from T).
 */
import { Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip, type ChartDataset } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.maintainAspectRatio = false;

type Points = ChartDataset<'line', { x: number; y: number }[]>;

function lineChart(canvas: HTMLCanvasElement, datasets: Points[], xTitle: string, yTitle: string): Chart<'line', { x: number; y: number }[]> {
  return new Chart<'line', { x: number; y: number }[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      normalized: true,
      elements: { point: { radius: 0 }, line: { borderWidth: 1.6, tension: 0 } },
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: xTitle } },
        y: { type: 'logarithmic', title: { display: true, text: yTitle } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

/** The live loss curve: `add` appends points, `reset` empties it for a new run. */
export class LossChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = lineChart(
      canvas,
      [
        { label: 'training loss (batch MSE)', data: [], borderColor: '#1f77b4', backgroundColor: '#1f77b4' },
        { label: 'predicting 1 (MSE 1/6)', data: [], borderColor: '#999999', backgroundColor: '#999999', borderDash: [5, 4] },
      ],
      'iteration',
      'loss',
    );
  }

  /** Start over for a run of `total` iterations. */
  reset(total: number): void {
    this.chart.data.datasets[0]!.data = [];
    const x = this.chart.options.scales?.x;
    if (x) x.max = total;
    this.chart.data.datasets[1]!.data = [
      { x: 1, y: 1 / 6 },
      { x: total, y: 1 / 6 },
    ];
    this.chart.update('none');
  }

  /** Append `[iteration, loss]` points. */
  add(points: readonly (readonly [number, number])[]): void {
    const data = this.chart.data.datasets[0]!.data;
    for (const [x, y] of points) if (y > 0) data.push({ x, y });
    this.chart.update('none');
  }
}

/** The gradient-flow chart. */
export class FlowChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = lineChart(
      canvas,
      [
        { label: '‖∂L/∂h(t)‖', data: [], borderColor: '#d62728', backgroundColor: '#d62728', pointRadius: 2 },
        { label: '‖∂h(T)/∂h(t)‖', data: [], borderColor: '#2ca02c', backgroundColor: '#2ca02c', pointRadius: 3 },
      ],
      'time step t',
      'norm',
    );
  }

  /** Clear both series. */
  reset(): void {
    for (const d of this.chart.data.datasets) d.data = [];
    this.chart.update('none');
  }

  /** Show a measurement. */
  show(stateGradNorms: readonly number[], jacobianNorms: readonly { step: number; norm: number }[]): void {
    this.chart.data.datasets[0]!.data = stateGradNorms.flatMap((y, x) => (y > 0 ? [{ x, y }] : []));
    this.chart.data.datasets[1]!.data = jacobianNorms.flatMap((p) => (p.norm > 0 ? [{ x: p.step, y: p.norm }] : []));
    this.chart.update('none');
  }
}
