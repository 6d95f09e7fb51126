// `cellgrad save` + `cellgrad print`: a cell's gradient graph saved as JSON prints exactly as the
// same graph built in-process, and the JSON deserialises to that graph.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deserialize, getBuiltinCell, print, serialize, unroll } from 'cellgrad';
import { cellGradGraph } from '../../packages/cli/src/graph-source.js';
import { cellgrad, tempDir } from './helpers.js';

describe('cellgrad save / print', () => {
  it('round-trips a gradient graph through JSON', async () => {
    const file = path.join(tempDir(), 'gru-grad.json');
    const saved = await cellgrad(['save', 'gru', '--steps', '2', '--grad', '--dtype', 'float64', '--out', file]);
    expect(saved.code).toBe(0);
    expect(saved.stderr).toMatch(/^wrote .*gru-grad\.json \(\d+ nodes\)\n$/);

    const expected = cellGradGraph(unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 2, layers: 1, dtype: 'float64' }));
    const text = readFileSync(file, 'utf8');
    expect(serialize(deserialize(text))).toBe(serialize(expected));

    const printed = await cellgrad(['print', file]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(`${print(expected)}\n`);
    expect(printed.stdout).toMatch(/\nreturn out=%\d+, h_T=%\d+, loss=%\d+, grad:x=%\d+, grad:h0=%\d+, grad:weight_ih=%\d+/);
  });
});
