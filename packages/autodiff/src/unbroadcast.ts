/**
 * Undo broadcasting, once for every op: a cotangent shaped like a broadcast result is summed over
 * the axes that broadcasting added or stretched, then reshaped to the operand's shape.
 */
import { fail, formatShape, type Shape, type Tensor } from '@cellgrad/graph';

/** Reduce `grad` (of a broadcast result) to `shape`, the shape of the operand that was broadcast. */
export function unbroadcast(grad: Tensor, shape: Shape, where: string): Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  if (lead < 0) fail('gradient', `${where}: cotangent ${formatShape(grad.shape)} has lower rank than its operand ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && grad.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== grad.shape[i]) {
      fail('gradient', `${where}: cotangent ${formatShape(grad.shape)} does not broadcast from operand ${formatShape(shape)}`);
    }
  }
  const summed = axes.length > 0 ? grad.sum(axes, true) : grad;
  return summed.reshape([...shape]);
}
