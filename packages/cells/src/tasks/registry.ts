/** The tasks by name, for the command line and the demo. */
import { CellgradError } from '@cellgrad/graph';
import { addingTask } from './adding.js';
import { copyMemoryTask } from './copy-memory.js';
import { fashionPixelsTask, fashionRowsTask, type FashionOptions } from './fashion.js';
import { fortunesCharsTask, type FortunesOptions } from './fortunes-chars.js';
import { majorityTask } from './majority.js';
import type { Task } from './task.js';

/** Options of the tasks over real data (ignored by the synthetic ones). */
export type DataTaskOptions = FashionOptions & FortunesOptions;

/** Task constructors by name; each takes the sequence length (the Fashion-MNIST tasks have their own) and data options. */
export const TASKS: Readonly<Record<string, (steps: number, data?: DataTaskOptions) => Task>> = Object.freeze({
  adding: (steps: number) => addingTask(steps),
  copy: (steps: number) => copyMemoryTask(steps),
  majority: (steps: number) => majorityTask(steps),
  'majority-packed': (steps: number) => majorityTask(steps, 4, { packed: true }),
  'fashion-rows': (_steps: number, data: DataTaskOptions = {}) => fashionRowsTask(data),
  'fashion-pixels': (_steps: number, data: DataTaskOptions = {}) => fashionPixelsTask(data),
  'fortunes-chars': (steps: number, data: DataTaskOptions = {}) => fortunesCharsTask(steps, data),
});

/**
 * The task `name` with sequences of `steps` steps; a usage error listing the names otherwise.
 * `data` slices and scales the real-data tasks (`fashion-rows`, `fashion-pixels`, `fortunes-chars`).
 *
 * @example makeTask('fashion-rows', 28, { trainLimit: 1000, testLimit: 500 })
 */
export function makeTask(name: string, steps: number, data: DataTaskOptions = {}): Task {
  const make = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (!make) throw new CellgradError('usage', `unknown task ${JSON.stringify(name)} (known tasks: ${Object.keys(TASKS).join(', ')})`);
  return make(steps, data);
}
