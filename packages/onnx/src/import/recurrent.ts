/**
 * Importers of ONNX's recurrent ops LSTM, GRU and RNN, traced step by step into cellgrad ops with
 * every attribute ONNX Runtime implements: direction (forward, reverse, bidirectional), layout 0/1,
 * sequence_lens (steps past a sequence's end keep the state and output zeros; the reverse direction
 * starts at each sequence's own last step), initial_h/initial_c, activations with their alpha/beta,
 * clip (of every gate's pre-activation), linear_before_reset (GRU), input_forget and peepholes
 * (LSTM). Outputs: Y [T, dirs, B, H] (layout 1: [B, T, dirs, H]), Y_h and Y_c [dirs, B, H]
 * (layout 1: [B, dirs, H]).
 */
import type { Tensor } from '@cellgrad/graph';
import type { NodeView, OpImporter, Produced } from './context.js';
import { recurrentActivations, type Activation } from './rnn-activations.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';

const GATES: Readonly<Record<Kind, number>> = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTIVATIONS: Readonly<Record<Kind, readonly string[]>> = {
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  RNN: ['Tanh'],
};

/** One direction's weights, cut per gate: input projections, recurrent projections (transposed), biases. */
interface DirectionWeights {
  readonly W: Tensor; // [I, G·H]
  readonly R: readonly Tensor[]; // per gate [H, H]
  readonly Wb: readonly (Tensor | undefined)[]; // per gate [H]
  readonly Rb: readonly (Tensor | undefined)[];
  readonly P?: readonly Tensor[]; // LSTM peepholes i, o, f: [H]
}

interface StepContext {
  readonly kind: Kind;
  readonly H: number;
  readonly fns: readonly Activation[];
  readonly clip?: number;
  readonly linearBeforeReset: boolean;
  readonly inputForget: boolean;
  readonly w: DirectionWeights;
}

function directionWeights(n: NodeView, kind: Kind, d: number, H: number): DirectionWeights {
  const G = GATES[kind];
  const W = n.tensor(1).index(0, d).transpose([1, 0]);
  const Rd = n.tensor(2).index(0, d);
  const R = Array.from({ length: G }, (_, k) => Rd.slice(0, k * H, (k + 1) * H).transpose([1, 0]));
  const Bd = n.has(3) ? n.tensor(3).index(0, d) : undefined;
  const Wb = Array.from({ length: G }, (_, k) => Bd?.slice(0, k * H, (k + 1) * H));
  const Rb = Array.from({ length: G }, (_, k) => Bd?.slice(0, (G + k) * H, (G + k + 1) * H));
  const P =
    kind === 'LSTM' && n.has(7)
      ? [0, 1, 2].map((k) =>
          n
            .tensor(7)
            .index(0, d)
            .slice(0, k * H, (k + 1) * H),
        )
      : undefined;
  return { W, R, Wb, Rb, ...(P ? { P } : {}) };
}

const plus = (x: Tensor, y: Tensor | undefined) => (y ? x.add(y) : x);

/** Gate k's pre-activation: input projection + h·R_kᵀ + biases (+ extra), clipped when asked. */
function gate(s: StepContext, xw: Tensor, h: Tensor, k: number, extra?: Tensor): Tensor {
  const { H, w } = s;
  let z = plus(plus(plus(xw.slice(1, k * H, (k + 1) * H), h.matmul(w.R[k]!)), w.Wb[k]), w.Rb[k]);
  if (extra) z = z.add(extra);
  return s.clip === undefined ? z : z.clamp(-s.clip, s.clip);
}

/** One step of one direction: the new hidden state (and cell state for LSTM). */
function step(s: StepContext, xw: Tensor, h: Tensor, c: Tensor | undefined): { h: Tensor; c?: Tensor } {
  const { fns, H, w } = s;
  if (s.kind === 'RNN') return { h: fns[0]!(gate(s, xw, h, 0)) };
  if (s.kind === 'GRU') {
    const [f, g] = fns as [Activation, Activation];
    const z = f(gate(s, xw, h, 0));
    const r = f(gate(s, xw, h, 1));
    let pre: Tensor;
    if (s.linearBeforeReset) pre = plus(plus(xw.slice(1, 2 * H, 3 * H), w.Wb[2]), r.mul(plus(h.matmul(w.R[2]!), w.Rb[2])));
    else pre = plus(plus(plus(xw.slice(1, 2 * H, 3 * H), r.mul(h).matmul(w.R[2]!)), w.Wb[2]), w.Rb[2]);
    if (s.clip !== undefined) pre = pre.clamp(-s.clip, s.clip);
    const hh = g(pre);
    return { h: z.oneMinus().mul(hh).add(z.mul(h)) };
  }
  const [f, g, hf] = fns as [Activation, Activation, Activation];
  const prev = c!;
  const i = f(gate(s, xw, h, 0, w.P ? w.P[0]!.mul(prev) : undefined));
  const fg = s.inputForget ? i.oneMinus() : f(gate(s, xw, h, 2, w.P ? w.P[2]!.mul(prev) : undefined));
  const cc = g(gate(s, xw, h, 3));
  const cNew = fg.mul(prev).add(i.mul(cc));
  const o = f(gate(s, xw, h, 1, w.P ? w.P[1]!.mul(cNew) : undefined));
  return { h: o.mul(hf(cNew)), c: cNew };
}

const recurrent =
  (kind: Kind): OpImporter =>
  (n) => {
    const layout = n.int('layout', 0);
    const direction = n.string('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) n.unsupported(`direction '${direction}'`);
    const dirs = direction === 'bidirectional' ? 2 : 1;
    let X = n.tensor(0);
    if (layout === 1) X = X.transpose([1, 0, 2]);
    else if (layout !== 0) n.unsupported(`layout ${layout}`);
    const [T, B] = X.shape as [number, number, number];
    const R = n.tensor(2);
    const H = n.int('hidden_size') ?? R.shape[2]!;
    if (R.shape[2] !== H || R.shape[1] !== GATES[kind] * H || R.shape[0] !== dirs) {
      n.unsupported(`R has shape [${R.shape.join(', ')}], expected [${dirs}, ${GATES[kind] * H}, ${H}]`);
    }
    const fnsPerDir = recurrentActivations(n, DEFAULT_ACTIVATIONS[kind], dirs);
    const clip = n.float('clip');
    const lens = n.has(4) ? n.tensor(4, { allowInt: true }).reshape([B, 1]) : undefined;
    const initial = (i: number, d: number): Tensor => {
      if (!n.has(i)) return n.b.fill(0, [B, H], X.dtype);
      const t = n.tensor(i);
      return layout === 1 ? t.index(1, d) : t.index(0, d);
    };
    const ys: Tensor[][] = [];
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let d = 0; d < dirs; d++) {
      const reverse = direction === 'reverse' || d === 1;
      const s: StepContext = {
        kind,
        H,
        fns: fnsPerDir[d]!,
        ...(clip !== undefined ? { clip } : {}),
        linearBeforeReset: n.int('linear_before_reset', 0) !== 0,
        inputForget: n.int('input_forget', 0) !== 0,
        w: directionWeights(n, kind, d, H),
      };
      let h = initial(5, d);
      let c = kind === 'LSTM' ? initial(6, d) : undefined;
      const out: Tensor[] = new Array(T);
      for (let k = 0; k < T; k++) {
        const t = reverse ? T - 1 - k : k;
        n.b.scoped({ cell: `${n.op} '${n.node.name || n.node.output?.[0]}'${dirs === 2 ? (d ? ' reverse' : ' forward') : ''}`, step: t }, () => {
          const xw = X.index(0, t).matmul(s.w.W);
          const next = step(s, xw, h, c);
          if (lens) {
            const live = lens.greater(t);
            out[t] = live.where(next.h, 0);
            h = live.where(next.h, h);
            if (c) c = live.where(next.c!, c);
          } else {
            out[t] = next.h;
            h = next.h;
            c = next.c;
          }
        });
      }
      ys.push(out);
      hs.push(h);
      if (c) cs.push(c);
    }
    const join = (parts: readonly Tensor[], axis: number) => (parts.length === 1 ? parts[0]! : n.b.apply('concat', [...parts], { axis }));
    const wanted = (i: number) => (n.node.output?.[i] ?? '') !== '';
    const outputs: Produced[] = [undefined, undefined, undefined];
    if (wanted(0)) {
      // [T, dirs, B, H]: per step the directions side by side.
      const Y = join(
        Array.from({ length: T }, (_, t) =>
          join(
            ys.map((y) => y[t]!.reshape([1, 1, B, H])),
            1,
          ),
        ),
        0,
      );
      outputs[0] = layout === 1 ? Y.transpose([2, 0, 1, 3]) : Y;
    }
    const finals = (states: readonly Tensor[]) => {
      const S = join(
        states.map((x) => x.reshape([1, B, H])),
        0,
      );
      return layout === 1 ? S.transpose([1, 0, 2]) : S;
    };
    if (wanted(1)) outputs[1] = finals(hs);
    if (kind === 'LSTM' && wanted(2)) outputs[2] = finals(cs);
    return outputs.slice(0, kind === 'LSTM' ? 3 : 2);
  };

/** The recurrent ONNX ops, by op type. */
export const RECURRENT_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNN: recurrent('RNN'),
};
