/**
 * The benchmark's summary of issue 16's targets (each verdict met, missed or not measured, with the
 * figures that decide it) and its `--json` rows (fields in a fixed order, skipped rows with
 * `median_ms: null`), and the child's result line.
 */
import { describe, expect, it } from 'vitest';
import { doneWhen, formatSummary, type Verdict } from '../../bench/summary.js';
import { boundFields, jsonRow, type Row } from '../../bench/rows.js';
import { errorLine, parseError, parseResult, resultLine } from '../../bench/job.js';

const ours = (shape: string, c: string, threads: number, median_ms: number, extra: Partial<Row> = {}): Row => ({
  peer: 'cellgrad',
  case: c,
  shape,
  threads,
  median_ms,
  ...extra,
});
const peer = (p: Row['peer'], shape: string, c: string, threads: number, median_ms: number): Row => ({ peer: p, case: c, shape, threads, median_ms });

/** A run in which every target is met. */
const goodRun: Row[] = [
  ours('medium', 'lstm_train', 1, 130, boundFields(7.5e9, 60, 130)),
  ours('medium', 'lstm_train', 2, 68),
  ...['medium', 'large'].flatMap((shape) =>
    ['lstm_train', 'gru_train'].flatMap((c) => [1, 2].flatMap((t) => [peer('onnxruntime', shape, c, t, 50 / t), peer('pytorch', shape, c, t, 90 / t)])),
  ),
  ours('long5000', 'lstm_train', 1, 900, { compile_ms: 1800, build_ms: 600, peak_mb: 300, arena_mb: 120 }),
  ours('long5000', 'lstm_train_ckpt', 1, 1500, { compile_ms: 900, peak_mb: 350 }),
  ours('small', 'lstm_train', 1, 2.5),
  peer('pytorch', 'small', 'lstm_train', 1, 4.5),
  ours('small', 'lstm_train', 2, 2.2),
  peer('pytorch', 'small', 'lstm_train', 2, 4.4),
];

const byGoal = (verdicts: Verdict[], part: string) => verdicts.filter((v) => v.goal.includes(part));

describe("the summary of issue 16's targets", () => {
  it('states every target, met with the figures that decide it', () => {
    const verdicts = doneWhen(goodRun);
    expect(verdicts).toHaveLength(9);
    expect(verdicts.every((v) => v.status === 'met')).toBe(true);
    // 7.5 GFLOP at 60 GFLOP/s = 125 ms; 130 / 125 = 1.04×.
    expect(byGoal(verdicts, 'product bound')[0]!.figures).toBe('130 ms against a bound of 125 ms (7.50 GFLOP at 60.0 GFLOP/s) = 1.04×');
    expect(byGoal(verdicts, '2 threads ≥ 1.85×')[0]!.figures).toBe('130 ms / 68.0 ms = 1.91×');
    expect(byGoal(verdicts, 'medium lstm_train: faster than PyTorch')[0]!.figures).toBe(
      "1 thread: 50.0 ms vs 90.0 ms (0.56× PyTorch's time); 2 threads: 25.0 ms vs 45.0 ms (0.56× PyTorch's time)",
    );
    expect(byGoal(verdicts, 'build + compile')[0]!.figures).toBe('1.80 s (unroll + loss + grad 600 ms)');
    expect(byGoal(verdicts, 'memory')[0]!.figures).toBe('peak 300 MB, arena 120 MB vs 350 MB (0.86×)');
    expect(byGoal(verdicts, 'small cases')[0]!.figures).toBe("cellgrad's time ÷ PyTorch's: lstm_train 0.56×, lstm_train (2 threads) 0.50×");
  });

  it('says which target is missed', () => {
    const slow = goodRun.map((r) =>
      r.peer === 'cellgrad' && r.shape === 'medium' && r.threads === 1
        ? ours('medium', 'lstm_train', 1, 150, boundFields(7.5e9, 60, 150))
        : r.peer === 'cellgrad' && r.shape === 'medium'
          ? { ...r, median_ms: 90 }
          : r.shape === 'long5000' && r.case === 'lstm_train'
            ? { ...r, compile_ms: 21000, peak_mb: 1100 }
            : r.peer === 'onnxruntime' && r.shape === 'large' && r.case === 'gru_train' && r.threads === 2
              ? { ...r, median_ms: 60 }
              : r,
    );
    const missed = doneWhen(slow)
      .filter((v) => v.status === 'missed')
      .map((v) => v.goal);
    expect(missed).toEqual([
      'own executor, medium lstm_train, 1 thread: ≤ 1.1× its product bound',
      'own executor, medium lstm_train: 2 threads ≥ 1.85× faster than 1',
      'fastest path (ONNX Runtime), large gru_train: faster than PyTorch at 1 and 2 threads',
      'long5000 lstm_train: build + compile ≤ 2.00 s',
      "long5000 lstm_train: the step's memory (peak RSS) no larger than checkpointed BPTT's (lstm_train_ckpt)",
    ]);
  });

  it('names the rows a target lacks, and a skipped build', () => {
    const verdicts = doneWhen([ours('long5000', 'lstm_train', 1, 0, { median_ms: undefined, skipped: 'timeout after 60 s' })] as Row[]);
    expect(verdicts.every((v) => v.status === 'not measured')).toBe(true);
    expect(byGoal(verdicts, 'build + compile')[0]!.figures).toBe('skipped: timeout after 60 s');
    expect(byGoal(verdicts, 'medium gru_train')[0]!.figures).toBe('no figure for onnxruntime and pytorch at 1 thread, onnxruntime and pytorch at 2 threads');
    expect(formatSummary(verdicts)[0]).toBe(
      '- own executor, medium lstm_train, 1 thread: ≤ 1.1× its product bound: no figure for cellgrad medium lstm_train (1 thread) with its bound — not measured',
    );
  });
});

describe('--json rows', () => {
  it('have their defined fields in a fixed order', () => {
    const row = ours('medium', 'lstm_train', 1, 130, { runs: 9, cpu_ms: 129, compile_ms: 900, peak_mb: 210, arena_mb: 61, ...boundFields(7.5e9, 60, 130) });
    const json = jsonRow(row);
    expect(Object.keys(json)).toEqual([
      'peer',
      'case',
      'shape',
      'threads',
      'median_ms',
      'cpu_ms',
      'runs',
      'compile_ms',
      'peak_mb',
      'arena_mb',
      'product_gflop',
      'ceiling_gflops',
      'bound_ms',
      'times_bound',
    ]);
    expect(json).toMatchObject({ product_gflop: 7.5, ceiling_gflops: 60, bound_ms: 125, times_bound: 1.04 });
  });

  it('keep a skipped row with median_ms null and why', () => {
    expect(jsonRow({ peer: 'onnxruntime', case: 'gru_train', shape: 'long4096', threads: 2, skipped: 'timeout after 600 s' })).toEqual({
      peer: 'onnxruntime',
      case: 'gru_train',
      shape: 'long4096',
      threads: 2,
      median_ms: null,
      skipped: 'timeout after 600 s',
    });
  });
});

describe("a child's result line", () => {
  it('round-trips among other output', () => {
    const result = { median_ms: 2.5, cpu_ms: 2.4, runs: 40, build_ms: 80, compile_ms: 400, peak_mb: 150, arena_mb: 3.8, product_flops: 1.1e8 };
    expect(parseResult(`progress\n${resultLine(result)}\n`)).toEqual(result);
    expect(parseResult('crashed before the end\n')).toBeUndefined();
  });

  it("carries a failed child's message, first line only", () => {
    const line = errorLine(new Error("toOnnx: op 'loop' has no ONNX mapping\n    at toOnnx"));
    expect(parseError(`progress\n${line}\n`)).toBe("toOnnx: op 'loop' has no ONNX mapping");
    expect(parseError('progress\n')).toBeUndefined();
  });
});
