/**
 * `checkGradients`: run `gradcheck` on a cell or a graph and describe the result as the matcher
 * reports it, the gradcheck table (`formatGradcheck`, what `cellgrad gradcheck` prints) under one
 * line naming what was checked.
 */
import { formatGradcheck, gradcheck, type GradcheckReport } from '@cellgrad/autodiff';
import type { GradcheckMatcherOptions } from './options.js';
import { gradcheckSubject } from './subject.js';

/** The outcome of `checkGradients`. */
export interface GradientCheck {
  /** True when every gradient matched finite differences. */
  readonly pass: boolean;
  /** The gradcheck report. */
  readonly report: GradcheckReport;
  /** What was checked (`cell 'mgu' (input 3, …)`, `graph (inputs …)`). */
  readonly label: string;
  /** The gradcheck table, as `cellgrad gradcheck` prints it. */
  readonly table: string;
}

/**
 * Check the gradients of `received` (a cell, a `Graph` or `{ graph, feeds }`) against central finite
 * differences in float64, with the matcher's options; what `toPassGradcheck` runs.
 * @example
 * const { pass, table } = checkGradients(myCell, { steps: 3 });
 * if (!pass) console.log(table);
 */
export function checkGradients(received: unknown, options: GradcheckMatcherOptions = {}): GradientCheck {
  const subject = gradcheckSubject(received, options);
  const {
    feeds: _feeds,
    input: _i,
    hidden: _h,
    batch: _b,
    steps: _s,
    layers: _l,
    bidirectional: _d,
    lengths: _n,
    batchFirst: _f,
    ...gradcheckOptions
  } = options;
  const report = gradcheck(subject.graph, subject.feeds, { ...gradcheckOptions, timeAxes: options.timeAxes ?? subject.timeAxes });
  return { pass: report.passed, report, label: subject.label, table: formatGradcheck(report) };
}

/**
 * The matcher's message: for a failure, `expected <label> to pass gradcheck:` and the table; for a
 * negated matcher that passed, `expected <label> not to pass gradcheck, but it did:` and the table.
 */
export function gradcheckMessage(check: GradientCheck, negated: boolean): string {
  return negated ? `expected ${check.label} not to pass gradcheck, but it did:\n${check.table}` : `expected ${check.label} to pass gradcheck:\n${check.table}`;
}
