/**
 * The data of an HTML report (`writeReport`). Everything is plain JSON: a training script can dump
 * it to `results.json` and `cellgrad report --data results.json` renders the same page.
 */
import type { Graph, GraphJSON } from '@cellgrad/graph';
import type { DotOptions } from '../dot/options.js';

/** One graph of the report: give exactly one of `graph`, `dot` or `svg`. */
export interface ReportGraph {
  /** Heading of the graph. */
  readonly title: string;
  /** A sentence under the heading. */
  readonly caption?: string;
  /** A graph (a `Graph` or its `toJSON` form), drawn as DOT with `options`. */
  readonly graph?: Graph | GraphJSON;
  /** DOT text, rendered as it is. */
  readonly dot?: string;
  /** A ready SVG document, inlined as it is. */
  readonly svg?: string;
  /** How to draw `graph` (folding, node budget, direction). */
  readonly options?: DotOptions;
}

/** One loss curve: `points` are `[iteration, loss]` pairs. */
export interface LossCurve {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** Gradient flow of one run: ‖∂L/∂h(t)‖ by time step. */
export interface FlowSeries {
  readonly name: string;
  /** ‖∂L/∂h(t)‖ for t = 0..T−1 (drawn as a line over t, log scale). */
  readonly norms: readonly number[];
  /**
   * The same norms over training: `byIteration[i][t]` at the i-th recorded iteration (drawn as a
   * heatmap of step × iteration).
   */
  readonly byIteration?: readonly (readonly number[])[];
  /** The training iteration of each row of `byIteration` (default 0, 1, 2, ...). */
  readonly iterations?: readonly number[];
}

/** One row of the gradcheck table. */
export interface GradcheckRow {
  /** The cell or graph checked. */
  readonly cell?: string;
  /** Derivative order (1 or 2; default 1). */
  readonly order?: number;
  /** The input differentiated against. */
  readonly input: string;
  readonly shape?: readonly number[];
  readonly maxAbsError: number;
  readonly maxRelError?: number;
  /** Where the largest error was, as text. */
  readonly worst?: string;
  readonly passed: boolean;
}

/**
 * A whole gradcheck report (the shape `gradcheck` returns and `cellgrad gradcheck --json` prints
 * per cell); its rows are expanded into the table.
 */
export interface GradcheckReportLike {
  readonly cell: string;
  readonly report: {
    readonly orders: readonly {
      readonly order: number;
      readonly inputs: readonly {
        readonly name: string;
        readonly shape?: readonly number[];
        readonly maxAbsError: number;
        readonly maxRelError?: number;
        readonly passed: boolean;
        /** Where the largest error was (as `gradcheck` reports it). */
        readonly worst?: { readonly index: readonly number[]; readonly step?: number; readonly analytic: number; readonly numeric: number };
      }[];
    }[];
  };
}

/** The dynamics of one network (what `cellgrad dynamics --json` computes): its fixed and slow points and Lyapunov spectrum. */
export interface DynamicsSeries {
  readonly name: string;
  /** A sentence under the name (sizes, input x*, checkpoint). */
  readonly caption?: string;
  /** Each point's kind, q and the eigenvalues of its state Jacobian. */
  readonly points: readonly {
    readonly kind: 'fixed' | 'slow';
    readonly q: number;
    readonly eigenvalues: readonly { readonly re: number; readonly im: number }[];
  }[];
  /** Lyapunov exponents, largest first. */
  readonly lyapunov?: readonly number[];
  /** A sentence under the spectrum (steps, input). */
  readonly lyapunovCaption?: string;
}

/** One row of the benchmark table: any columns; numbers are formatted, `name` comes first. */
export type BenchRow = Readonly<Record<string, string | number | boolean | null>>;

/** Everything a report may show; every section is optional and omitted when absent or empty. */
export interface ReportData {
  /** Page title (default "cellgrad report"). */
  readonly title?: string;
  /** A line under the title (e.g. the command or the date). */
  readonly subtitle?: string;
  /** Graphs: the cell, unrolled, gradient, before/after each pass (see `passGraphs`). */
  readonly graphs?: readonly ReportGraph[];
  /** Training loss curves, one line each. */
  readonly lossCurves?: readonly LossCurve[];
  /** Gradient flow: a line chart of the last norms and a heatmap per series with `byIteration`. */
  readonly flow?: readonly FlowSeries[];
  /** Gradient checks: rows, or whole reports. */
  readonly gradcheck?: readonly (GradcheckRow | GradcheckReportLike)[];
  /** Benchmark rows. */
  readonly bench?: readonly BenchRow[];
  /** Dynamics: eigenvalues on the complex plane with the unit circle, and the Lyapunov spectrum (SVG). */
  readonly dynamics?: readonly DynamicsSeries[];
}
