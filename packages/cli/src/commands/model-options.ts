/**
 * The network options of `cellgrad train` and `cellgrad flow`: stacked layers, both directions,
 * the dropout-family regularisers and the element type (`--layers 2 --bidirectional --dropout 0.2
 * --zoneout 0.1 --dtype float64`), and their translation into `TrainConfig` fields. A bad value
 * (a probability outside [0, 1), fewer than one layer) is one error naming the option.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { RegularizeOptions, TrainConfig } from '@cellgrad/cells';
import { usage } from '../errors.js';
import { dtypeOption, positiveInt } from '../options.js';

/** The parsed network options: the regularisers under their library names (one zoneout rate for every state). */
export interface NetworkOptions extends Omit<RegularizeOptions, 'zoneout'> {
  readonly layers: number;
  readonly bidirectional?: boolean;
  readonly zoneout?: number;
  readonly dtype: 'float32' | 'float64';
}

/** A parser accepting a probability in [0, 1). */
function probability(value: string): number {
  const p = Number(value);
  if (value.trim() === '' || !Number.isFinite(p) || p < 0 || p >= 1) throw new InvalidArgumentError('expected a probability in [0, 1).');
  return p;
}

/** The regulariser options: flag, `RegularizeOptions` key, help. */
const REGULARIZERS = [
  ['--dropout <p>', 'dropout', 'dropout between stacked layers (needs --layers 2 or more)'],
  ['--input-dropout <p>', 'inputDropout', 'dropout on the input sequence, a fresh mask per step'],
  ['--output-dropout <p>', 'outputDropout', "dropout on the top layer's outputs (what the readout sees)"],
  ['--variational-input <p>', 'variationalInput', "variational dropout on every layer's input (one mask per sequence)"],
  ['--variational-state <p>', 'variationalState', 'variational dropout on the recurrent state (one mask per sequence)'],
  ['--weight-drop <p>', 'weightDrop', 'DropConnect on the recurrent weights weight_hh (one mask per forward pass)'],
  ['--zoneout <z>', 'zoneout', 'zoneout: each state element keeps its previous value with probability z'],
] as const;

/**
 * Add `--layers`, `--bidirectional`, the regulariser options and `--dtype` to `cmd`.
 * @example
 * addNetworkOptions(program.command('train')).action((o) => networkConfig(o));
 */
export function addNetworkOptions(cmd: Command): Command {
  cmd.option('--layers <n>', 'stacked layers', positiveInt, 1).option('--bidirectional', 'run every layer in both directions (full BPTT only)');
  for (const [flag, , help] of REGULARIZERS) cmd.option(flag, `${help}; in [0, 1), off by default (training only: evaluation runs without)`, probability);
  return cmd.option('--dtype <dtype>', 'element type: float32 or float64', dtypeOption, 'float32');
}

/**
 * The `TrainConfig` fields the network options set (nothing for defaults, so a plain run's
 * checkpoint fingerprint is unchanged).
 * @example
 * const config: TrainConfig = { cell, task, hidden, batch, seed, optimizer, lr, ...networkConfig(o) };
 */
export function networkConfig(o: NetworkOptions): Pick<TrainConfig, 'layers' | 'bidirectional' | 'regularize' | 'dtype'> {
  const regularize: Record<string, number> = {};
  for (const [, key] of REGULARIZERS) {
    const p = o[key];
    if (p !== undefined && p > 0) regularize[key] = p;
  }
  if (regularize.dropout !== undefined && o.layers < 2)
    usage(`--dropout ${regularize.dropout} acts between stacked layers and there is one; add --layers 2 (or use --output-dropout)`);
  return {
    ...(o.layers !== 1 ? { layers: o.layers } : {}),
    ...(o.bidirectional ? { bidirectional: true } : {}),
    ...(Object.keys(regularize).length > 0 ? { regularize: regularize as RegularizeOptions } : {}),
    ...(o.dtype === 'float64' ? { dtype: 'float64' as const } : {}),
  };
}
