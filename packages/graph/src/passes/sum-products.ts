/**
 * Pass: sums of matrix products become one product. Σ_k A_k·B_k (rank-2 products of one shape,
 * added in a tree of adds used nowhere else) equals [A_1 … A_n]·[B_1; …; B_n], one matmul over the
 * concatenated contraction axis. In a BPTT graph this is the hoisting of the gradient products:
 * dW = Σ_t x_tᵀ·g_t becomes (stacked x)ᵀ·(stacked g), with the stacked x read straight from the
 * sequence input; and the h-gradient Σ_i g_i·U_i of a cell with separate gate matrices becomes one
 * product too. Transposed operands are concatenated before transposing (xᵀ stacked = (x stacked)ᵀ).
 */
import type { Graph, Node } from '../ir/node.js';
import { sameShape } from '../ir/shape.js';
import { concat } from '../trace/functions.js';
import type { Tensor } from '../trace/tensor.js';
import { isMatmul2D, useCounts } from './groups.js';
import { rebuild, type RebuildContext } from './rebuild.js';

/** True when `n` is an add whose operands have its shape (no broadcasting). */
function plainAdd(g: Graph, n: Node): boolean {
  return n.op === 'add' && n.inputs.every((i) => sameShape(g.nodes[i]!.shape, n.shape));
}

/** The operands of the add tree rooted at `root`, through inner adds used only by the tree. */
function treeLeaves(g: Graph, root: number, uses: Uint32Array): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const n = g.nodes[id]!;
    if (id === root || (plainAdd(g, n) && uses[id] === 1 && sameShape(n.shape, g.nodes[root]!.shape))) {
      stack.push(n.inputs[1]!, n.inputs[0]!);
    } else out.push(id);
  }
  return out;
}

/** For each root of an add tree with at least two single-use rank-2 products: the products and the other terms. */
export function productSums(g: Graph): Map<number, { products: number[]; others: number[] }> {
  const uses = useCounts(g);
  const innerAdd = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) {
    if (!plainAdd(g, n)) continue;
    for (const i of n.inputs) if (plainAdd(g, g.nodes[i]!) && sameShape(g.nodes[i]!.shape, n.shape)) innerAdd[i] = 1;
  }
  const found = new Map<number, { products: number[]; others: number[] }>();
  for (const n of g.nodes) {
    if (!plainAdd(g, n) || n.shape.length !== 2 || (innerAdd[n.id] && uses[n.id] === 1)) continue;
    const leaves = treeLeaves(g, n.id, uses);
    const isProduct = (id: number) => isMatmul2D(g, g.nodes[id]!) && uses[id] === 1;
    const products = [...new Set(leaves.filter(isProduct))];
    if (products.length < 2) continue;
    const others = leaves.filter((id) => !products.includes(id));
    // In operand order (through transposes), so stacked steps come out in time order.
    const base = (id: number) => {
      const left = g.nodes[g.nodes[id]!.inputs[0]!]!;
      return left.op === 'transpose' ? left.inputs[0]! : left.id;
    };
    products.sort((a, b) => base(a) - base(b) || a - b);
    found.set(n.id, { products, others });
  }
  return found;
}

/** Concatenate operands along `axis`, or their untransposed matrices along the other axis and transpose once. */
function join(ts: readonly Tensor[], axis: 0 | 1, ctx: RebuildContext): Tensor {
  const inner = ts.map((t) => {
    const d = ctx.def(t);
    return d.op === 'transpose' && (d.attrs.perm as number[])[0] === 1 ? ctx.builder.tensor(d.inputs[0]!) : undefined;
  });
  if (inner.every((t) => t !== undefined)) return concat(inner as Tensor[], 1 - axis).T;
  return concat(ts, axis);
}

/**
 * Pass: every sum of two or more rank-2 products becomes one product of concatenations (plus the
 * remaining terms).
 * @example
 * batchSumOfProducts(trainingGraph) // Σ_t x_tᵀ·g_t → reshape(x, [T·B, I])ᵀ · concat_t(g_t)
 */
export function batchSumOfProducts(g: Graph): Graph {
  const sums = productSums(g);
  if (sums.size === 0) return g;
  return rebuild(g, (node, ctx) => {
    const s = sums.get(node.id);
    if (!s) return undefined;
    const lefts = s.products.map((id) => ctx.get(g.nodes[id]!.inputs[0]!));
    const rights = s.products.map((id) => ctx.get(g.nodes[id]!.inputs[1]!));
    const product = join(lefts, 1, ctx).matmul(join(rights, 0, ctx));
    return s.others.reduce((acc: Tensor, id) => acc.add(ctx.get(id)), product);
  });
}
