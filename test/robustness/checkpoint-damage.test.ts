/**
 * Hostile or damaged checkpoints through the real `cellgrad train --resume`: every damaged field
 * (a short, string-valued, null, Infinity or negative optimizer buffer, a negative or inconsistent
 * step, missing buffers, a missing, extra or wrong-length parameter, a non-finite loss) is refused
 * with one line naming the file and the exact field, exit 2, and the file is left byte for byte
 * unchanged. Before the validation these ran to exit 0 with `"loss": null` (and saved `null`
 * parameters) or crashed with a raw TypeError.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellgrad, tempDir } from '../cli/helpers.js';

const model = ['--cell', 'rnn_tanh', '--task', 'adding', '--steps', '5', '--hidden', '4', '--batch', '4', '--seed', '3'];
const OPTIMIZERS = {
  adam: ['--optimizer', 'adam'],
  sgd: ['--optimizer', 'sgd', '--momentum', '0.9'],
  rmsprop: ['--optimizer', 'rmsprop', '--momentum', '0.5'],
} as const;
type OptimizerName = keyof typeof OPTIMIZERS;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
/** A damage: the optimizer whose checkpoint it starts from, the edit, and the message expected after `checkpoint <file>: `. */
interface Damage {
  readonly name: string;
  readonly optimizer: OptimizerName;
  readonly edit: (c: Json) => void;
  readonly message: string;
}

/** JSON cannot hold Infinity; 1e999 parses to it. The edit puts this marker where it wants one. */
const INF = '__infinity__';

const damages: Damage[] = [
  {
    name: 'short buffer',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.buffers.weight_hh.v = c.optimizer.buffers.weight_hh.v.slice(0, 12);
    },
    message: "optimizer buffer 'v.weight_hh' has 12 values, expected 16 (parameter weight_hh [4,4])",
  },
  {
    name: 'string in a buffer',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.buffers.weight_ih.m[3] = '0.5';
    },
    message: 'optimizer buffer \'m.weight_ih\' holds "0.5" at index 3, expected a finite number',
  },
  {
    name: 'null (a saved NaN) in a buffer',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.buffers.bias_ih.m[1] = null;
    },
    message: "optimizer buffer 'm.bias_ih' holds null at index 1, expected a finite number (NaN and ±Infinity are saved as null)",
  },
  {
    name: 'Infinity in a buffer',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.buffers.head_bias.v[0] = INF;
    },
    message: "optimizer buffer 'v.head_bias' holds Infinity at index 0, expected a finite number",
  },
  {
    name: 'negative second moment',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.buffers.bias_hh.v[2] = -0.25;
    },
    message: "optimizer buffer 'v.bias_hh' holds -0.25 at index 2; it must be non-negative",
  },
  {
    name: 'negative step',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.step = -3;
    },
    message: "optimizer 'step' must be a non-negative integer, got -3",
  },
  {
    name: 'step inconsistent with the iteration',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.step = 7;
    },
    message: "optimizer 'step' is 7, expected 3 (one update per iteration, 3 iterations)",
  },
  {
    name: 'missing buffers',
    optimizer: 'adam',
    edit: (c) => {
      delete c.optimizer.buffers;
    },
    message: "optimizer 'buffers' is missing or not an object",
  },
  {
    name: 'missing buffers of one parameter',
    optimizer: 'adam',
    edit: (c) => {
      delete c.optimizer.buffers.head_bias;
    },
    message: "optimizer buffers of parameter 'head_bias' are missing (expected m, v)",
  },
  {
    name: 'missing buffer',
    optimizer: 'adam',
    edit: (c) => {
      delete c.optimizer.buffers.weight_ih.v;
    },
    message: "optimizer buffer 'v.weight_ih' is missing",
  },
  {
    name: 'buffers of an unknown parameter',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.buffers.extra = { m: [0], v: [0] };
    },
    message: "optimizer buffers of unknown parameter 'extra'",
  },
  {
    name: 'wrong optimizer kind',
    optimizer: 'adam',
    edit: (c) => {
      c.optimizer.kind = 'rmsprop';
    },
    message: "optimizer kind 'rmsprop', expected 'adam'",
  },
  {
    name: 'missing parameter',
    optimizer: 'adam',
    edit: (c) => {
      delete c.params.bias_hh;
    },
    message: "parameter 'bias_hh' is missing (expected 4 values, shape [4])",
  },
  {
    name: 'wrong-length parameter',
    optimizer: 'adam',
    edit: (c) => {
      c.params.weight_hh.push(0.5);
    },
    message: "parameter 'weight_hh' has 17 values, expected 16 (shape [4,4])",
  },
  {
    name: 'null (a saved NaN) in a parameter',
    optimizer: 'adam',
    edit: (c) => {
      c.params.head_weight[2] = null;
    },
    message: "parameter 'head_weight' holds null at index 2, expected a finite number (NaN and ±Infinity are saved as null)",
  },
  {
    name: 'Infinity in a parameter',
    optimizer: 'adam',
    edit: (c) => {
      c.params.weight_ih[0] = INF;
    },
    message: "parameter 'weight_ih' holds Infinity at index 0, expected a finite number",
  },
  {
    name: 'extra unknown parameter',
    optimizer: 'adam',
    edit: (c) => {
      c.params.extra = [1, 2];
    },
    message: "unknown parameter 'extra' (the model has weight_ih, weight_hh, bias_ih, bias_hh, head_weight, head_bias)",
  },
  {
    name: 'non-finite loss',
    optimizer: 'adam',
    edit: (c) => {
      c.losses[1] = null;
    },
    message: "'losses' holds null at index 1, expected a finite number (NaN and ±Infinity are saved as null)",
  },
  {
    name: 'sgd: short momentum buffer',
    optimizer: 'sgd',
    edit: (c) => {
      c.optimizer.buffers.weight_ih.momentum.pop();
    },
    message: "optimizer buffer 'momentum.weight_ih' has 7 values, expected 8 (parameter weight_ih [4,2])",
  },
  {
    name: 'sgd: string step',
    optimizer: 'sgd',
    edit: (c) => {
      c.optimizer.step = '3';
    },
    message: 'optimizer \'step\' must be a non-negative integer, got "3"',
  },
  {
    name: 'rmsprop: missing momentum buffer',
    optimizer: 'rmsprop',
    edit: (c) => {
      delete c.optimizer.buffers.bias_ih.momentum;
    },
    message: "optimizer buffer 'momentum.bias_ih' is missing",
  },
  {
    name: 'rmsprop: negative square average',
    optimizer: 'rmsprop',
    edit: (c) => {
      c.optimizer.buffers.weight_hh.square_avg[5] = -1;
    },
    message: "optimizer buffer 'square_avg.weight_hh' holds -1 at index 5; it must be non-negative",
  },
];

const dir = tempDir('cellgrad-damaged-');
const good: Partial<Record<OptimizerName, string>> = {};

beforeAll(async () => {
  await Promise.all(
    (Object.keys(OPTIMIZERS) as OptimizerName[]).map(async (o) => {
      const file = path.join(dir, `good-${o}.json`);
      const r = await cellgrad(['train', ...model, ...OPTIMIZERS[o], '--iterations', '3', '--checkpoint', file, '--json']);
      expect(r.code, r.stderr).toBe(0);
      good[o] = readFileSync(file, 'utf8');
    }),
  );
}, 120_000);

/** Run `items` through `fn`, at most `n` at a time (the CLI runs are whole processes). */
async function limited<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

describe('cellgrad train --resume refuses damaged checkpoints', () => {
  it('every damage: one line naming the file and the field, exit 2, the file unchanged', async () => {
    const files = damages.map((d, i) => {
      const c = JSON.parse(good[d.optimizer]!) as Json;
      d.edit(c);
      const file = path.join(dir, `damaged-${i}.json`);
      writeFileSync(file, JSON.stringify(c).replaceAll(`"${INF}"`, '1e999'));
      return file;
    });
    const before = files.map((f) => readFileSync(f, 'utf8'));
    const runs = await limited(damages, 4, (d, i) =>
      cellgrad(['train', ...model, ...OPTIMIZERS[d.optimizer], '--iterations', '6', '--checkpoint', files[i]!, '--resume', '--json']),
    );
    const failures: string[] = [];
    for (const [i, d] of damages.entries()) {
      const r = runs[i]!;
      const expected = `cellgrad: checkpoint ${files[i]}: ${d.message}`;
      const unchanged = readFileSync(files[i]!, 'utf8') === before[i];
      if (r.code !== 2 || r.stderr.trim() !== expected || r.stdout !== '' || !unchanged) {
        const out = `stderr ${JSON.stringify(r.stderr.trim().slice(0, 200))}, stdout ${JSON.stringify(r.stdout.slice(0, 120))}`;
        failures.push(`${d.name}: exit ${r.code}, ${out}${unchanged ? '' : ', the file was rewritten'}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('the undamaged checkpoints resume (the validation accepts what training writes)', async () => {
    const runs = await Promise.all(
      (Object.keys(OPTIMIZERS) as OptimizerName[]).map((o) => {
        const file = path.join(dir, `resume-${o}.json`);
        writeFileSync(file, good[o]!);
        return cellgrad(['train', ...model, ...OPTIMIZERS[o], '--iterations', '5', '--checkpoint', file, '--resume', '--json']);
      }),
    );
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ iterations: 5 });
    }
  }, 120_000);
});
