/**
 * The benchmark cases on the cellgrad side: the built-in LSTM and GRU (PyTorch numerics), a
 * hand-written LSTM with one matrix per gate, and minGRU (a linear recurrence: `unroll` runs it as
 * one input projection over all T·B rows and a `linear_scan`), unrolled over T steps, loss =
 * mean(out²) over every per-step output; "train" graphs add the gradient to every weight. The long
 * shapes T = 512 and 4096 run minGRU against the GRU by default; long5000 (the small sizes at
 * T = 5000) the LSTM training step, full and checkpointed.
 */
import { GraphBuilder, type Graph } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, defineCell, gru, lstm, minGru, unroll, type Cell, type LoopMode } from '@cellgrad/cells';

/** Benchmark sizes. */
export interface Shape {
  readonly name: string;
  readonly batch: number;
  readonly steps: number;
  readonly input: number;
  readonly hidden: number;
}

export const SHAPES: Readonly<Record<string, Shape>> = {
  small: { name: 'small', batch: 16, steps: 50, input: 32, hidden: 64 },
  medium: { name: 'medium', batch: 32, steps: 100, input: 128, hidden: 256 },
  large: { name: 'large', batch: 64, steps: 100, input: 512, hidden: 512 },
  long512: { name: 'long512', batch: 32, steps: 512, input: 128, hidden: 256 },
  long4096: { name: 'long4096', batch: 32, steps: 4096, input: 128, hidden: 256 },
  long5000: { name: 'long5000', batch: 16, steps: 5000, input: 32, hidden: 64 },
};

export const CASES = ['lstm_train', 'lstm_fwd', 'gru_train', 'custom_train', 'mingru_train', 'lstm_train_ckpt'] as const;
export type CaseName = (typeof CASES)[number];

/**
 * `lstm_train_ckpt`: the LSTM training step as the Trainer runs it with checkpointed BPTT
 * (`backprop(spec, { kind: 'checkpoint' })`, windows of ⌈√T⌉ steps, a one-wide readout and mean
 * squared error at every step), cellgrad only: the memory that full BPTT's step is compared with.
 */
export const CHECKPOINTED: CaseName = 'lstm_train_ckpt';

/**
 * The cases a shape runs when `--cases` is not given: small to large run every case but the
 * checkpointed one; long5000 runs the LSTM training step and its checkpointed form; the other long
 * shapes compare minGRU with the GRU.
 */
export function defaultCases(shape: string): readonly CaseName[] {
  if (shape === 'long5000') return ['lstm_train', CHECKPOINTED];
  return shape.startsWith('long') ? ['mingru_train', 'gru_train'] : CASES.filter((c) => c !== CHECKPOINTED);
}

/** An LSTM as a researcher writes it: one input and one recurrent matrix and a bias per gate. */
export const customLstm: Cell = defineCell({
  name: 'custom_lstm',
  params: ({ input: I, hidden: H }) => ({
    Wi: [I, H],
    Wf: [I, H],
    Wg: [I, H],
    Wo: [I, H],
    Ui: [H, H],
    Uf: [H, H],
    Ug: [H, H],
    Uo: [H, H],
    bi: [H],
    bf: [H],
    bg: [H],
    bo: [H],
  }),
  state: ({ hidden: H }) => ({ h: [H], c: [H] }),
  step: ({ x, h, c }, p) => {
    const i = x.matmul(p.Wi!).add(h.matmul(p.Ui!)).add(p.bi!).sigmoid();
    const f = x.matmul(p.Wf!).add(h.matmul(p.Uf!)).add(p.bf!).sigmoid();
    const g = x.matmul(p.Wg!).add(h.matmul(p.Ug!)).add(p.bg!).tanh();
    const o = x.matmul(p.Wo!).add(h.matmul(p.Uo!)).add(p.bo!).sigmoid();
    const cNext = f.mul(c).add(i.mul(g));
    return { h: o.mul(cNext.tanh()), c: cNext };
  },
});

const CELLS: Readonly<Record<CaseName, Cell>> = {
  lstm_train: lstm,
  lstm_fwd: lstm,
  gru_train: gru,
  custom_train: customLstm,
  mingru_train: minGru,
  lstm_train_ckpt: lstm,
};

/** The graph of a case (float32), its feeds, and its cell. */
export function buildCase(
  name: CaseName,
  s: Shape,
  unrollOptions: { readonly loop?: LoopMode } = {},
): { graph: Graph; feeds: ReturnType<typeof cellFeeds>; cell: Cell } {
  if (name === CHECKPOINTED) throw new Error(`${name} is a Trainer strategy, not one graph (bench/checkpointed.ts runs it)`);
  const cell = CELLS[name];
  const options = { input: s.input, hidden: s.hidden, batch: s.batch, steps: s.steps, dtype: 'float32' as const };
  const g0 = unroll(cell, { ...options, ...unrollOptions });
  const { builder, outputs } = GraphBuilder.extend(g0);
  const g = builder.build({ loss: outputs.out!.square().mean() });
  const feeds = cellFeeds(cell, options, 1);
  if (name === 'lstm_fwd') return { graph: g, feeds, cell };
  const weights = g.inputs.map((p) => p.name).filter((n) => n !== 'x' && !/^[hc]0$/.test(n));
  return { graph: grad(g, { of: 'loss', wrt: weights }), feeds, cell };
}
