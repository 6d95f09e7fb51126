/** Text form of a graph: one line per node, `%7:f32[4,16] = matmul %3 %5`, then the outputs. */
import type { Attrs, Graph, Node } from './node.js';
import { formatShape } from './shape.js';

function formatAttrs(node: Node): string {
  const attrs: Attrs = node.attrs;
  const keys = Object.keys(attrs).filter(
    (k) => !(k === 'dtype' || (node.op === 'input' && (k === 'shape' || k === 'name')) || (node.op === 'loop' && k === 'body')),
  );
  if (node.op === 'constant') {
    const data = attrs.data as number[];
    return data.length <= 4 ? ` ${data.map((v) => fmtNum(v)).join(' ')}` : ` <${data.length} values>`;
  }
  if (node.op === 'fill') return ` ${fmtNum(attrs.value as number)}`;
  if (keys.length === 0) return '';
  return ` {${keys.map((k) => `${k}=${JSON.stringify(attrs[k])}`).join(', ')}}`;
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** The type of a node or value as `f32[4,16]`: the one type-text function (tensors, errors, printing). */
export function typeText(n: Pick<Node, 'dtype' | 'shape'>): string {
  return `${n.dtype === 'float64' ? 'f64' : 'f32'}${formatShape(n.shape)}`;
}

/** One node as text. */
export function printNode(n: Node): string {
  const head = `%${n.id}:${typeText(n)} = ${n.op}`;
  if (n.op === 'input') return `${head} "${n.attrs.name as string}"`;
  const args = n.inputs.map((i) => ` %${i}`).join('');
  const where = n.scope?.step !== undefined ? `  # ${n.scope.cell ?? ''}${n.scope.layer !== undefined ? ` layer ${n.scope.layer}` : ''} t=${n.scope.step}` : '';
  return `${head}${args}${formatAttrs(n)}${where}`;
}

/**
 * The whole graph as text, one line per node, then a `return` line naming the outputs.
 * @example
 * console.log(print(g));
 */
export function print(g: Graph): string {
  const lines: string[] = [];
  for (const n of g.nodes) {
    lines.push(printNode(n));
    // A loop's body (its JSON text) follows it, indented, with its own ids and return line.
    if (n.op === 'loop' && typeof n.attrs.body === 'string') {
      const body = JSON.parse(n.attrs.body) as Graph;
      lines.push(`  body of %${n.id} (inputs ${body.inputs.map((p) => p.name).join(', ')}):`);
      for (const line of print(body).split('\n')) lines.push(`    ${line}`);
    }
  }
  lines.push(`return ${g.outputs.map((p) => `${p.name}=%${p.id}`).join(', ')}`);
  return lines.join('\n');
}
