/** Debugging aids: the non-finite check of `interpret` and of compiled executables. */
export {
  checkFinite, firstNonFinite, formatNonFinite, formatRange, formatScope, NonFiniteError, valueRange,
  type NonFiniteReport, type ValueRange,
} from './finite.js';
export { checkedExecutable } from './checked-executable.js';
