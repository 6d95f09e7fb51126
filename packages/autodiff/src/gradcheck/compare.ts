/** Element comparison shared by both modes: PyTorch's criterion and the error statistics. */
import type { InputReport, WorstElement } from './types.js';

/** Accumulates the comparison of analytic and numeric derivatives for one input. */
export class ErrorTally {
  private maxAbs = 0;
  private maxRel = 0;
  private ratio = 0;
  private worst: WorstElement | undefined;

  constructor(
    private readonly atol: number,
    private readonly rtol: number,
  ) {}

  /** Compare one derivative; `where` describes the element for the report if it is the worst so far. */
  add(analytic: number, numeric: number, where: () => Omit<WorstElement, 'analytic' | 'numeric'>): void {
    const diff = Math.abs(analytic - numeric);
    const bad = !Number.isFinite(analytic) || !Number.isFinite(numeric);
    const ratio = bad ? Infinity : diff / (this.atol + this.rtol * Math.abs(numeric));
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    if (diff > this.maxAbs || bad) this.maxAbs = bad ? Infinity : diff;
    if (bad) this.maxRel = Infinity;
    else if (scale > 0 && diff / scale > this.maxRel) this.maxRel = diff / scale;
    if (this.worst === undefined || ratio > this.ratio) {
      this.ratio = ratio;
      this.worst = { ...where(), analytic, numeric };
    }
  }

  /** The report for input `name`. */
  report(name: string, shape: readonly number[]): InputReport {
    return {
      name,
      shape,
      maxAbsError: this.maxAbs,
      maxRelError: this.maxRel,
      worstRatio: this.ratio,
      ...(this.worst ? { worst: this.worst } : {}),
      passed: this.ratio <= 1,
    };
  }
}

/** Multi-index of flat position `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}
