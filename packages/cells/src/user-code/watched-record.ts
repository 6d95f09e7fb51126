/**
 * The objects a cell's `step` receives (its inputs and states, its parameters) as frozen views that
 * note every read of a name they do not hold, with the user's line that read it. The read still
 * gives `undefined` (steps may probe an optional parameter: `linear(x, W, p.bias)`), but when the
 * step then fails, the error names the missing entry and lists the ones that exist, instead of
 * `Cannot read properties of undefined (reading 'T')`.
 */
import { userFrame, type SourceFrame } from './user-frame.js';

/** What a record holds, for messages: `parameter` / `the cell's parameters are` / `declared by params()`. */
export interface RecordRole {
  /** What one entry is called: "parameter". */
  readonly entry: string;
  /** The heading of the list of names: "the cell's parameters are". */
  readonly listed: string;
  /** Where the names come from: "declared by params()". */
  readonly source: string;
}

/** A read of a name the record does not hold. */
export interface MissingRead {
  readonly key: string;
  readonly role: RecordRole;
  /** The names the record holds. */
  readonly names: readonly string[];
  /** The user's line that read it, when found. */
  readonly frame?: SourceFrame;
}

/** Names every object answers (inherited from Object.prototype) and names libraries probe objects for. */
const IGNORED = new Set<string>([...Object.getOwnPropertyNames(Object.prototype), 'then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType']);

/**
 * A frozen copy of `record` whose reads of names it lacks are appended to `misses`.
 * @example
 * const misses: MissingRead[] = [];
 * const p = watchedRecord({ W, b }, role, misses);
 * p.Wx; // undefined, and misses[0].key === 'Wx'
 */
export function watchedRecord<T extends object>(record: T, role: RecordRole, misses: MissingRead[]): Readonly<T> {
  const frozen = Object.freeze({ ...record });
  return new Proxy(frozen, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !Object.hasOwn(target, key) && !IGNORED.has(key)) {
        const frame = userFrame(new Error());
        misses.push({ key, role, names: Object.keys(target), ...(frame ? { frame } : {}) });
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

/** "parameter 'Wx' does not exist; the cell's parameters are W, U, b (declared by params())" */
export function formatMissing(m: MissingRead): string {
  return `${m.role.entry} '${m.key}' does not exist; ${m.role.listed} ${m.names.length ? m.names.join(', ') : '(none)'} (${m.role.source})`;
}

/**
 * The missing reads that explain an error `message` thrown at `at` (one per name): those read on the
 * same line when there are any; else all of them when the message is about an undefined value
 * (reading a property of undefined, an op given undefined); else none (a step may probe an optional
 * parameter and fail later for an unrelated reason).
 */
export function relevantMisses(misses: readonly MissingRead[], at: SourceFrame | undefined, message: string): MissingRead[] {
  const sameLine = at ? misses.filter((m) => m.frame?.file === at.file && m.frame.line === at.line) : [];
  const chosen = sameLine.length ? sameLine : /\bundefined\b/.test(message) ? misses : [];
  return chosen.filter((m, i) => chosen.findIndex((o) => o.key === m.key && o.role === m.role) === i);
}
