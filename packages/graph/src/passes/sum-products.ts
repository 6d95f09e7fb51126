/**
 * Pass: sums of matrix products become one product. Σ_k A_k·B_k (rank-2 products of one shape,
 * added in a tree of adds used nowhere else) equals [A_1 … A_n]·[B_1; …; B_n], one matmul over the
 * concatenated contraction axis. In a BPTT graph this is the hoisting of the gradient products:
 * dW = Σ_t x_tᵀ·g_t becomes (stacked x)ᵀ·(stacked g), with the stacked x read straight from the
 * sequence input; and the h-gradient Σ_i g_i·U_i of a cell with separate gate matrices becomes one
 * product too. Transposed operands are concatenated before transposing (xᵀ stacked = (x stacked)ᵀ).
 * Likewise Σ_t sum(g_t, axis 0), a bias gradient, becomes sum(concat_t g_t, axis 0).
 */
import type { Graph, Node } from '../ir/node.js';
import { sameShape } from '../ir/shape.js';
import { concat } from '../trace/functions.js';
import type { Tensor } from '../trace/tensor.js';
import { isMatmul2D, joinMatrices, useCounts } from './groups.js';
import { rebuild } from './rebuild.js';

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

/** What one add tree holds: products to merge, column sums to merge, and the other terms. */
export interface ProductSum {
  readonly products: readonly number[];
  readonly columnSums: readonly number[];
  readonly others: readonly number[];
}

/** When leaf `id` is sum(G, [0]) of a rank-2 G (possibly reshaped), used only here: G's id. */
function columnSumOf(g: Graph, id: number, uses: Uint32Array): number | undefined {
  let n = g.nodes[id]!;
  if (n.op === 'reshape' && uses[id] === 1) n = g.nodes[n.inputs[0]!]!;
  const x = g.nodes[n.inputs[0]!];
  if (n.op !== 'sum' || uses[n.id] !== 1 || !x || x.shape.length !== 2) return undefined;
  const axes = n.attrs.axes as number[];
  return axes.length === 1 && axes[0] === 0 ? x.id : undefined;
}

/**
 * For each root of an add tree with at least two single-use rank-2 products, or two single-use
 * column sums of rank-2 tensors (a bias gradient summed over steps): what to merge.
 */
export function productSums(g: Graph): Map<number, ProductSum> {
  const uses = useCounts(g);
  const innerAdd = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) {
    if (!plainAdd(g, n)) continue;
    for (const i of n.inputs) if (plainAdd(g, g.nodes[i]!) && sameShape(g.nodes[i]!.shape, n.shape)) innerAdd[i] = 1;
  }
  const found = new Map<number, ProductSum>();
  for (const n of g.nodes) {
    if (!plainAdd(g, n) || (innerAdd[n.id] && uses[n.id] === 1)) continue;
    const leaves = treeLeaves(g, n.id, uses);
    const isProduct = (id: number) => n.shape.length === 2 && isMatmul2D(g, g.nodes[id]!) && uses[id] === 1;
    let products = [...new Set(leaves.filter(isProduct))];
    let columnSums = [...new Set(leaves.filter((id) => !isProduct(id) && columnSumOf(g, id, uses) !== undefined))];
    if (products.length < 2) products = [];
    if (columnSums.length < 2) columnSums = [];
    if (products.length === 0 && columnSums.length === 0) continue;
    const merged = new Set([...products, ...columnSums]);
    const others = leaves.filter((id) => !merged.has(id));
    // In operand order (through transposes), so stacked steps come out in time order.
    const base = (id: number) => {
      const left = g.nodes[g.nodes[id]!.inputs[0]!]!;
      return left.op === 'transpose' ? left.inputs[0]! : left.id;
    };
    products.sort((a, b) => base(a) - base(b) || a - b);
    // Gradients of later steps are made first: descending ids stack them in time order, like the products' operands.
    columnSums.sort((a, b) => columnSumOf(g, b, uses)! - columnSumOf(g, a, uses)!);
    found.set(n.id, { products, columnSums, others });
  }
  return found;
}

/**
 * Pass: every sum of two or more rank-2 products becomes one product of concatenations, and every
 * sum of two or more column sums one column sum of a concatenation (plus the remaining terms).
 * @example
 * batchSumOfProducts(trainingGraph) // Σ_t x_tᵀ·g_t → reshape(x, [T·B, I])ᵀ · concat_t(g_t)
 */
export function batchSumOfProducts(g: Graph): Graph {
  const sums = productSums(g);
  if (sums.size === 0) return g;
  const uses = useCounts(g);
  return rebuild(g, (node, ctx) => {
    const s = sums.get(node.id);
    if (!s) return undefined;
    const terms: Tensor[] = [];
    if (s.products.length > 0) {
      const lefts = s.products.map((id) => ctx.get(g.nodes[id]!.inputs[0]!));
      const rights = s.products.map((id) => ctx.get(g.nodes[id]!.inputs[1]!));
      terms.push(joinMatrices(lefts, 1, ctx).matmul(joinMatrices(rights, 0, ctx)));
    }
    if (s.columnSums.length > 0) {
      const stacked = concat(
        s.columnSums.map((id) => ctx.get(columnSumOf(g, id, uses)!)),
        0,
      );
      terms.push(stacked.sum([0], true).reshape(node.shape));
    }
    for (const id of s.others) terms.push(ctx.get(id));
    return terms.reduce((acc, t) => acc.add(t));
  });
}
