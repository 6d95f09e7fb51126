/**
 * The vitest matcher `toPassGradcheck`, registered with `expect.extend` when this package is
 * imported, and its type: vitest's `Assertion` interface is augmented so that
 * `expect(cell).toPassGradcheck({ … })` type-checks in any file that imports `@cellgrad/testing`
 * (or `cellgrad/testing`).
 */
import { expect } from 'vitest';
import { checkGradients, gradcheckMessage } from './check.js';
import type { GradcheckMatcherOptions } from './options.js';

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the type parameter must read as vitest's own declaration of Assertion, for the merge
  interface Assertion<T = any> {
    /**
     * Check the subject's gradients against central finite differences in float64 (`gradcheck`;
     * PyTorch's tolerances unless the options say otherwise). The subject is a cell (made by
     * `defineCell` or built in; unrolled at the options' sizes with seeded feeds), a `Graph` (with
     * `feeds` in the options, or seeded ones) or `{ graph, feeds }`. A failure's message is the
     * gradcheck table, as `cellgrad gradcheck` prints it.
     * @example
     * expect(mgu).toPassGradcheck({ steps: 3, mode: 'fast' });
     */
    toPassGradcheck(options?: GradcheckMatcherOptions): void;
  }
}

/** What a matcher returns to `expect`: whether it passed, and the message for when that was not expected. */
export interface MatcherResult {
  /** True when the gradients matched finite differences. */
  readonly pass: boolean;
  /** The line naming the subject and the gradcheck table. */
  readonly message: () => string;
}

/** The matchers of this package, as `expect.extend` takes them (a type alias: `expect.extend` wants an indexable record). */
export type GradcheckMatchers = {
  /** `expect(subject).toPassGradcheck(options)`; `this.isNot` is true under `.not`. */
  toPassGradcheck(this: { readonly isNot?: boolean }, received: unknown, options?: GradcheckMatcherOptions): MatcherResult;
};

/** The matcher as `expect.extend` takes it (registered on import; exported for other runners' `expect.extend`). */
export const gradcheckMatchers: GradcheckMatchers = {
  toPassGradcheck(this: { readonly isNot?: boolean }, received: unknown, options: GradcheckMatcherOptions = {}): MatcherResult {
    const check = checkGradients(received, options);
    return { pass: check.pass, message: () => gradcheckMessage(check, this.isNot === true) };
  },
};

expect.extend(gradcheckMatchers);
