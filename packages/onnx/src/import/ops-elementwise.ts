/**
 * Importers of ONNX's elementwise ops: unary math and activations, binary arithmetic with numpy
 * broadcasting, the variadic Max/Min/Sum/Mean, comparisons and logic (booleans are 0/1 floats),
 * Where, Clip with optional bounds, HardSigmoid with any alpha and beta.
 */
import type { Tensor } from '@cellgrad/graph';
import { DataType } from '../proto/messages.js';
import type { NodeView, OpImporter } from './context.js';

const unary =
  (f: (x: Tensor, n: NodeView) => Tensor): OpImporter =>
  (n) => [f(n.tensor(0), n)];

const binary =
  (f: (a: Tensor, b: Tensor) => Tensor): OpImporter =>
  (n) => [f(n.tensor(0), n.tensor(1))];

const variadic =
  (f: (a: Tensor, b: Tensor) => Tensor, after: (t: Tensor, count: number) => Tensor = (t) => t): OpImporter =>
  (n) => {
    const ts = n.tensors();
    if (ts.length === 0) n.unsupported('needs at least one input');
    return [after(ts.reduce(f), ts.length)];
  };

const bool = (t: Tensor) => ({ tensor: t, elem: DataType.BOOL });

const compare =
  (f: (a: Tensor, b: Tensor) => Tensor): OpImporter =>
  (n) => [bool(f(n.tensor(0), n.tensor(1)))];

/** exp(x) − 1 for x ≤ 0, without overflow on the branch `where` discards. */
const expm1Neg = (x: Tensor) => x.minimum(0).exp().sub(1);

/** The elementwise ONNX ops, by op type. */
export const ELEMENTWISE_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  Identity: (n) => [n.input(0)],
  Abs: unary((x) => x.abs()),
  Neg: unary((x) => x.neg()),
  Exp: unary((x) => x.exp()),
  Log: unary((x) => x.log()),
  Sqrt: unary((x) => x.sqrt()),
  Reciprocal: unary((x) => x.builder.lift(1, x.dtype).div(x)),
  Sign: unary((x) => x.sign()),
  Tanh: unary((x) => x.tanh()),
  Sigmoid: unary((x) => x.sigmoid()),
  Relu: unary((x) => x.relu()),
  Softplus: unary((x) => x.softplus()),
  Softsign: unary((x) => x.div(x.abs().add(1))),
  LeakyRelu: unary((x, n) => x.less(0).where(x.mul(n.float('alpha', 0.01)), x)),
  Elu: unary((x, n) => x.greaterEqual(0).where(x, expm1Neg(x).mul(n.float('alpha', 1)))),
  Celu: unary((x, n) => {
    const a = n.float('alpha', 1);
    return x.relu().add(expm1Neg(x.div(a)).mul(a).minimum(0));
  }),
  Selu: unary((x, n) => {
    const alpha = n.float('alpha', Math.fround(1.6732632423543772));
    const gamma = n.float('gamma', Math.fround(1.0507009873554805));
    return x.greater(0).where(x, expm1Neg(x).mul(alpha)).mul(gamma);
  }),
  ThresholdedRelu: unary((x, n) => x.greater(n.float('alpha', 1)).where(x, 0)),
  HardSigmoid: unary((x, n) => x.mul(n.float('alpha', 0.2)).add(n.float('beta', 0.5)).clamp(0, 1)),
  HardSwish: unary((x) =>
    x.mul(
      x
        .mul(1 / 6)
        .add(0.5)
        .clamp(0, 1),
    ),
  ),
  Mish: unary((x) => x.mul(x.softplus().tanh())),
  PRelu: binary((x, slope) => x.less(0).where(x.mul(slope), x)),
  Add: binary((a, b) => a.add(b)),
  Sub: binary((a, b) => a.sub(b)),
  Mul: binary((a, b) => a.mul(b)),
  Div: (n) => {
    if (n.elemOf(0) !== DataType.FLOAT && n.elemOf(0) !== DataType.DOUBLE && n.elemOf(0) !== DataType.FLOAT16) {
      n.unsupported('integer division (truncating) has no cellgrad op; only float Div is imported');
    }
    return [n.tensor(0).div(n.tensor(1))];
  },
  Pow: binary((a, b) => a.pow(b)),
  Max: variadic((a, b) => a.maximum(b)),
  Min: variadic((a, b) => a.minimum(b)),
  Sum: variadic((a, b) => a.add(b)),
  Mean: variadic(
    (a, b) => a.add(b),
    (t, count) => t.div(count),
  ),
  Greater: compare((a, b) => a.greater(b)),
  GreaterOrEqual: compare((a, b) => a.greaterEqual(b)),
  Less: compare((a, b) => a.less(b)),
  LessOrEqual: compare((a, b) => a.lessEqual(b)),
  Equal: compare((a, b) => a.equal(b)),
  Not: (n) => [bool(n.tensor(0).equal(0))],
  And: compare((a, b) => a.notEqual(0).mul(b.notEqual(0))),
  Or: compare((a, b) => a.notEqual(0).maximum(b.notEqual(0))),
  Xor: compare((a, b) => a.notEqual(0).notEqual(b.notEqual(0))),
  Where: (n) => [n.tensor(0).where(n.tensor(1), n.tensor(2))],
  Clip: (n) => {
    const x = n.tensor(0);
    if (n.opset < 11) {
      const lo = n.float('min');
      const hi = n.float('max');
      let y = x;
      if (lo !== undefined) y = y.maximum(lo);
      if (hi !== undefined) y = y.minimum(hi);
      return [y];
    }
    let y = x;
    if (n.has(1)) y = y.maximum(n.tensor(1));
    if (n.has(2)) y = y.minimum(n.tensor(2));
    return [y];
  },
};
