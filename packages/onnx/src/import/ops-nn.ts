/**
 * Importers of ONNX's network ops that cellgrad expresses with its own: the losses
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (class indices known at import, as a
 * constant one-hot mask; weights, ignore_index, every reduction), BatchNormalization at inference,
 * InstanceNormalization, Shrink, Trilu (a constant mask), Range (known bounds).
 */
import { sizeOf, type Tensor } from '@cellgrad/graph';
import { axisOf, knownValue, type NodeView, type OpImporter, type Produced } from './context.js';

/** −Σ x[n, t, …]·w[t] per element, reduced as asked; `logp` is [N, C, d…], the targets known. */
function nllLoss(n: NodeView, logp: Tensor, targetIndex: number, weightIndex: number): Tensor {
  const target = n.known(targetIndex)!;
  const [N, C] = logp.shape as [number, number];
  const inner = sizeOf(logp.shape.slice(2));
  if (target.shape.length !== logp.rank - 1 || sizeOf(target.shape) !== N * inner) {
    n.unsupported(`target shape [${target.shape.join(', ')}] does not fit input [${logp.shape.join(', ')}]`);
  }
  const ignore = n.int('ignore_index');
  const mask = new Array<number>(N * C * inner).fill(0);
  for (let i = 0; i < N; i++) {
    for (let d = 0; d < inner; d++) {
      const t = target.data[i * inner + d]!;
      if (t === ignore) continue;
      if (!Number.isInteger(t) || t < 0 || t >= C) n.unsupported(`target ${t} is not a class index in 0..${C - 1}`);
      mask[(i * C + t) * inner + d] = 1;
    }
  }
  let m = n.b.constant(mask, [...logp.shape], logp.dtype);
  if (n.has(weightIndex)) m = m.mul(n.tensor(weightIndex).reshape([1, C, ...logp.shape.slice(2).map(() => 1)]));
  const perElement = logp.mul(m).sum([1]).neg();
  const reduction = n.string('reduction', 'mean');
  if (reduction === 'none') return perElement;
  if (reduction === 'sum') return perElement.sum();
  if (reduction !== 'mean') n.unsupported(`reduction '${reduction}'`);
  return perElement.sum().div(m.sum());
}

const batchNormalization: OpImporter = (n) => {
  if (n.int('training_mode', 0) !== 0 || (n.node.output ?? []).filter((o) => o !== '').length > 1) {
    n.unsupported('training mode (running statistics as outputs); only inference is imported');
  }
  const x = n.tensor(0);
  const perChannel = (i: number) => n.tensor(i).reshape([x.shape[1]!, ...x.shape.slice(2).map(() => 1)]);
  const eps = n.float('epsilon', 1e-5);
  return [x.sub(perChannel(3)).div(perChannel(4).add(eps).sqrt()).mul(perChannel(1)).add(perChannel(2))];
};

const instanceNormalization: OpImporter = (n) => {
  const x = n.tensor(0);
  const axes = x.shape.map((_, i) => i).filter((i) => i >= 2);
  const perChannel = (i: number) => n.tensor(i).reshape([x.shape[1]!, ...axes.map(() => 1)]);
  const d = x.sub(x.mean(axes, true));
  const std = d.square().mean(axes, true).add(n.float('epsilon', 1e-5)).sqrt();
  return [d.div(std).mul(perChannel(1)).add(perChannel(2))];
};

const trilu: OpImporter = (n) => {
  const x = n.tensor(0);
  if (x.rank < 2) n.unsupported('input of rank below 2');
  const k = n.ints(1)?.[0] ?? 0;
  const upper = n.int('upper', 1) !== 0;
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const mask: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask.push((upper ? j - i >= k : j - i <= k) ? 1 : 0);
  return [x.mul(n.b.constant(mask, [rows, cols], x.dtype))];
};

const range: OpImporter = (n) => {
  const [start, limit, delta] = [0, 1, 2].map((i) => n.ints(i)![0]!) as [number, number, number];
  if (delta === 0) n.unsupported('delta 0');
  const count = Math.max(Math.ceil((limit - start) / delta), 0);
  if (count === 0) n.unsupported('an empty range (cellgrad tensors have no zero-size axes)');
  return [
    knownValue(
      Array.from({ length: count }, (_, i) => start + i * delta),
      [count],
      n.elemOf(0),
    ),
  ];
};

/** The network ONNX ops, by op type. */
export const NN_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  NegativeLogLikelihoodLoss: (n) => [nllLoss(n, n.tensor(0), 1, 2)],
  SoftmaxCrossEntropyLoss: (n): Produced[] => {
    const scores = n.tensor(0);
    const logp = scores.logSoftmax(axisOf(n, 1, scores.rank));
    return [nllLoss(n, logp, 1, 2), logp];
  },
  BatchNormalization: batchNormalization,
  InstanceNormalization: instanceNormalization,
  Shrink: (n) => {
    const x = n.tensor(0);
    const lambd = n.float('lambd', 0.5);
    const bias = n.float('bias', 0);
    return [x.less(-lambd).where(x.add(bias), x.greater(lambd).where(x.sub(bias), 0))];
  },
  Trilu: trilu,
  Range: range,
};
