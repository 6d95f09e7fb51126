/**
 * One command-line vocabulary (issue 13): every command that works on a cell accepts the same
 * spelling — a built-in name, a file, `FILE:EXPORT` (by export or cell name) — as its argument or as
 * `--cell`; the older `<file> --cell NAME` and `train/flow --cell FILE --pick NAME` still work (with
 * a note); bad sizes give the same message everywhere; `--help` shows defaults as typed, not JSON.
 * The table runs the real program in one child process (`cellgradMany`); the rest in-process (`main`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../packages/cli/src/program.js';
import { cellgradMany, tempDir, type CliRun } from './helpers.js';
import { cellgradInProcess } from './in-process.js';

const cli = cellgradInProcess;

const TWO = 'test/cli/fixtures/two-cells.ts';
const MGU = 'examples/cells/minimal-gated-unit.ts';
const TINY = ['--input', '2', '--hidden', '3', '--batch', '2', '--steps', '2'];
const dir = tempDir('cellgrad-vocab-');
let files = 0;
const out = (ext: string): string => path.join(dir, `out${files++}.${ext}`);

/** What a spelling must select: the label the commands print, and a parameter only that cell has. */
interface Expected {
  readonly label: string;
  readonly param: string;
}

/** The spellings, each with the cell it names. */
const SPELLINGS: readonly [string, Expected][] = [
  ['rnn_tanh', { label: 'rnn_tanh', param: 'weight_ih' }],
  [MGU, { label: 'mgu', param: 'W' }],
  [`${TWO}:elman`, { label: 'elman', param: 'Wx' }],
  [`${TWO}:minimalGated`, { label: 'mgu (export minimalGated)', param: 'Wm' }],
  [`${TWO}:mgu`, { label: 'mgu (export minimalGated)', param: 'Wm' }],
];

/** Each command: its arguments around the cell (as `cell` args), and what proves the chosen cell. */
interface CommandCase {
  readonly name: string;
  readonly positional: boolean;
  readonly args: (cell: readonly string[]) => string[];
  readonly check: (r: CliRun, e: Expected, file?: string) => void;
}

const COMMANDS: readonly CommandCase[] = [
  {
    name: 'gradcheck',
    positional: true,
    args: (c) => ['gradcheck', ...c, ...TINY],
    check: (r, e) => expect(r.stdout).toContain(`gradcheck ${e.label}: input 2, hidden 3`),
  },
  { name: 'print', positional: true, args: (c) => ['print', ...c, ...TINY], check: (r, e) => expect(r.stdout).toContain(`input "${e.param}"`) },
  { name: 'viz', positional: true, args: (c) => ['viz', ...c, ...TINY], check: (r, e) => expect(r.stdout).toContain(`# ${e.label}, 2 steps`) },
  {
    name: 'profile',
    positional: true,
    args: (c) => ['profile', ...c, ...TINY, '--seconds', '0.02', '--json'],
    check: (r, e) => expect(JSON.parse(r.stdout).cell).toBe(e.label),
  },
  {
    name: 'save',
    positional: true,
    args: (c) => ['save', ...c, ...TINY, '--out', out('json')],
    check: (_, e, f) => expect(readFileSync(f!, 'utf8')).toContain(`"${e.param}"`),
  },
  {
    name: 'export',
    positional: true,
    args: (c) => ['export', ...c, ...TINY, '--out', out('onnx')],
    check: (r, e) => expect(r.stderr).toContain(`inputs: x, h0, ${e.param},`),
  },
  {
    name: 'report',
    positional: true,
    args: (c) => ['report', ...c, ...TINY, '--out', out('html')],
    check: (_, e, f) => expect(readFileSync(f!, 'utf8')).toContain(`${e.label}: one step`),
  },
  {
    name: 'train',
    positional: false,
    args: (c) => ['train', ...c, '--steps', '4', '--hidden', '3', '--batch', '2', '--iterations', '1', '--json'],
    check: (r, e) => expect(JSON.parse(r.stdout.trim().split('\n').pop()!).cell).toBe(e.label),
  },
  {
    name: 'flow',
    positional: false,
    args: (c) => ['flow', ...c, '--steps', '4', '--hidden', '3', '--batch', '2', '--power', '1', '--json'],
    check: (r, e) => expect(JSON.parse(r.stdout).cell).toBe(e.label),
  },
];

/** The output file an args list names with --out, if any. */
const outOf = (args: readonly string[]): string | undefined => {
  const k = args.indexOf('--out');
  return k >= 0 ? args[k + 1] : undefined;
};

/** One run of the table: the command, how the cell was written, what it must select. */
interface TableRun {
  readonly c: CommandCase;
  readonly args: string[];
  readonly expected: Expected;
  readonly legacy: boolean;
}

/** Every spelling as the argument (where the command has one) and as --cell, plus each command's older spelling. */
const TABLE: readonly TableRun[] = COMMANDS.flatMap((c) => [
  ...SPELLINGS.flatMap(([spec, expected]) =>
    (c.positional ? [[spec], ['--cell', spec]] : [['--cell', spec]]).map((form) => ({ c, args: c.args(form), expected, legacy: false })),
  ),
  { c, args: c.args(c.positional ? [TWO, '--cell', 'elman'] : ['--cell', TWO, '--pick', 'elman']), expected: { label: 'elman', param: 'Wx' }, legacy: true },
]);

/** All the table's runs, in one process (cell files need the CLI's loader, which vitest's runner does not provide). */
let runs: CliRun[] = [];
beforeAll(async () => {
  runs = await cellgradMany(TABLE.map((t) => t.args));
}, 600_000);

describe.each(COMMANDS)('cellgrad $name names a cell like every other command', (c) => {
  it.each(SPELLINGS.map(([spec]) => spec))('%s (as the argument and as --cell)', (spec) => {
    const rows = TABLE.map((t, k) => ({ ...t, r: runs[k]! })).filter((t) => t.c === c && !t.legacy && t.args.includes(spec));
    expect(rows).toHaveLength(c.positional ? 2 : 1);
    for (const { args, expected, r } of rows) {
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/deprecated/);
      c.check(r, expected, outOf(args));
    }
  });

  it('the older spelling (a file, then the cell name) still works, with a note', () => {
    const k = TABLE.findIndex((t) => t.c === c && t.legacy);
    const r = runs[k]!;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`deprecated; write ${c.positional ? '' : '--cell '}${TWO}:elman`);
    c.check(r, TABLE[k]!.expected, outOf(TABLE[k]!.args));
  });
});

const ERRORS: readonly (readonly [readonly string[], string | RegExp])[] = [
  [['gradcheck', `${TWO}:nope`], `cellgrad: ${TWO}:nope: ${TWO} exports no cell 'nope' (cells: elman, mgu as minimalGated)\n`],
  [['train', '--cell', TWO], `cellgrad: ${TWO} exports 2 cells (elman, mgu (export minimalGated)); choose one as ${TWO}:NAME\n`],
  [['save', TWO, '--out', path.join(dir, 'x.json')], `cellgrad: ${TWO} exports 2 cells (elman, mgu (export minimalGated)); choose one as ${TWO}:NAME\n`],
  [['gradcheck', 'lstm', '--cell', 'gru'], "cellgrad: the cell is given twice, as <cell> 'lstm' and as --cell 'gru'; give it once\n"],
  [['flow', '--cell', 'lstm', '--pick', 'x'], 'cellgrad: --pick x: --cell lstm is not a file of several cells; write --cell FILE:NAME\n'],
  [['profile'], /^cellgrad: no cell: give <cell> or --cell \(a built-in cell name/],
  [['viz', 'lsmt'], /^cellgrad: unknown cell 'lsmt': not a built-in cell \(.*\), a path to a \.ts\/\.js file, nor FILE:EXPORT\n$/],
];

describe('cell spelling errors: one line, exit 2', () => {
  let errorRuns: CliRun[] = [];
  beforeAll(async () => {
    errorRuns = await cellgradMany(ERRORS.map(([args]) => args));
  }, 120_000);
  it.each(ERRORS.map(([args, message], k) => [args.join(' '), message, k] as const))('%s', (_, message, k) => {
    const r = errorRuns[k]!;
    expect(r.code).toBe(2);
    if (typeof message === 'string') expect(r.stderr).toBe(message);
    else expect(r.stderr).toMatch(message);
  });
});

/** Every command that has the shared size options, with the least else it needs. */
const SIZED: readonly string[][] = [
  ['gradcheck', 'lstm'],
  ['print', 'lstm'],
  ['save', 'lstm', '--out', 'x.json'],
  ['viz', 'lstm'],
  ['export', 'lstm', '--out', 'x.onnx'],
  ['report', 'lstm', '--out', 'x.html'],
  ['profile', 'lstm'],
  ['train', '--cell', 'lstm'],
  ['flow', '--cell', 'lstm'],
];

describe('shared size options', () => {
  it.each(SIZED)('%s: a bad size is the same usage error, naming the option and the value', async (...base) => {
    for (const [option, value] of [
      ['--hidden', '0'],
      ['--steps', 'abc'],
      ['--batch', '-2'],
      ['--hidden', '1.5'],
    ] as const) {
      const r = await cli([...base, option, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`cellgrad: option '${option} <n>' argument '${value}' is invalid. expected a positive integer.\n`);
    }
  });

  it('every command with a size, dtype or seed option describes it the same way', () => {
    const program = buildProgram(() => {});
    const descriptions = new Map<string, Set<string>>();
    for (const cmd of program.commands) {
      for (const o of cmd.options) {
        if (!['--input', '--hidden', '--batch', '--steps', '--layers', '--seed', '--dtype'].includes(o.long!)) continue;
        const key = `${o.flags}`;
        const text = (o.description ?? '').replace(/^seed of .*/, 'seed of …').replace(/ \(default: .*\)$/, '');
        descriptions.set(key, (descriptions.get(key) ?? new Set()).add(text));
      }
    }
    expect([...descriptions.keys()].sort()).toEqual([
      '--batch <n>',
      '--dtype <dtype>',
      '--hidden <n>',
      '--input <n>',
      '--layers <n>',
      '--seed <n>',
      '--steps <n>',
    ]);
    for (const [flags, texts] of descriptions) expect([...texts], flags).toHaveLength(1);
  });
});

describe('--help shows defaults as a person types them', () => {
  const program = buildProgram(() => {});
  it.each(program.commands.map((c) => c.name()))('cellgrad %s --help', (name) => {
    const help = program.commands.find((c) => c.name() === name)!.helpInformation();
    const defaults = [...help.replace(/\s+/g, ' ').matchAll(/\(default: ([^)]*)\)/g)].map((m) => m[1]!);
    for (const d of defaults) expect(d, `${name}: (default: ${d})`).not.toMatch(/["{[]/);
  });

  it('numbers, words and kind:value settings', () => {
    const help = (name: string) =>
      program.commands
        .find((c) => c.name() === name)!
        .helpInformation()
        .replace(/\s+/g, ' ');
    expect(help('gradcheck')).toContain('--hidden <n> hidden size H (default: 4)');
    expect(help('gradcheck')).toContain(
      '--mode <modes> comma-separated: full (every Jacobian element) or fast (random projections vᵀJu); rev (reverse mode), fwd (forward mode) or fwd,rev (both, and against each other) (default: full,rev)',
    );
    expect(help('dynamics')).toContain('--starts <n> initial states minimised (half of them random, half run 20 steps of the map first) (default: 64)');
    expect(help('profile')).toContain('--hidden <n> hidden size H (default: 64)');
    expect(help('save')).toContain('--dtype <dtype> element type: float32 or float64 (default: float32)');
    expect(help('train')).toContain('(default: adam)');
    expect(help('train')).toMatch(/--clip <spec> .* \(default: global-norm:1\)/);
    expect(help('train')).toMatch(/--pick <name> deprecated: the cell of a --cell file, now written --cell FILE:NAME/);
  });
});
