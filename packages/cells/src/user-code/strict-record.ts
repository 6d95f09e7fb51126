/**
 * The objects a cell's `step` receives (its inputs and states, its parameters) as read-only views
 * that throw on a name they do not hold, so `p.Wx` for a parameter that does not exist says so,
 * with the names that do, instead of `undefined` failing later (`Cannot read properties of undefined`).
 * `'b' in p` and `Object.keys(p)` still work, for a step that looks for an optional entry.
 */
import { CellgradError } from '@cellgrad/graph';

/** What the record holds, for the message: `parameter` and `params()`, or `input or state` and `state()`. */
export interface RecordRole {
  /** What one entry is called: "parameter". */
  readonly entry: string;
  /** The heading of the list: "the cell's parameters are". */
  readonly listed: string;
  /** Where the names come from: "declared by params()". */
  readonly source: string;
}

/** Names every object answers (inherited from Object.prototype) and names JavaScript probes on its own. */
const ALLOWED = new Set<string>([...Object.getOwnPropertyNames(Object.prototype), 'then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType']);

/**
 * A frozen copy of `record` that throws a `cell` error when a string key it does not hold is read.
 * @example
 * const p = strictRecord({ W, b }, { entry: 'parameter', listed: "the cell's parameters are", source: 'declared by params()' });
 * p.Wx // CellgradError: parameter 'Wx' does not exist; the cell's parameters are W, b (declared by params())
 */
export function strictRecord<T extends object>(record: T, role: RecordRole): Readonly<T> {
  const frozen = Object.freeze({ ...record });
  return new Proxy(frozen, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !Object.prototype.hasOwnProperty.call(target, key) && !ALLOWED.has(key)) {
        const names = Object.keys(target);
        throw new CellgradError('cell', `${role.entry} '${key}' does not exist; ${role.listed} ${names.length ? names.join(', ') : '(none)'} (${role.source})`);
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}
