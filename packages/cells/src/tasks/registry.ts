/** The tasks by name, for the command line and the demo. */
import { CellgradError } from '@cellgrad/graph';
import { addingTask } from './adding.js';
import { copyMemoryTask } from './copy-memory.js';
import { majorityTask } from './majority.js';
import type { Task } from './task.js';

/** Task constructors by name; each takes the sequence length. */
export const TASKS: Readonly<Record<string, (steps: number) => Task>> = Object.freeze({
  adding: addingTask,
  copy: (steps: number) => copyMemoryTask(steps),
  majority: (steps: number) => majorityTask(steps),
});

/** The task `name` with sequences of `steps` steps; a usage error listing the names otherwise. */
export function makeTask(name: string, steps: number): Task {
  const make = Object.hasOwn(TASKS, name) ? TASKS[name] : undefined;
  if (!make) throw new CellgradError('usage', `unknown task ${JSON.stringify(name)} (known tasks: ${Object.keys(TASKS).join(', ')})`);
  return make(steps);
}
