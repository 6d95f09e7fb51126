/**
 * Execution backends other than cellgrad's own compiled executor (ONNX Runtime, …). A package
 * registers its backend at import time; `compile(g, { backend: name })` then hands the graph to it.
 * Such backends run asynchronously, so their executables' `run` returns a Promise.
 */
import type { DType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import type { Feeds } from '../exec/feeds.js';
import type { Outputs } from '../exec/interpret.js';

/**
 * Names of the external backends, extended by declaration merging in the package that provides
 * one (e.g. `@cellgrad/onnx` adds `onnxruntime`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in the packages that provide a backend.
export interface ExternalBackends {}

/** A graph compiled by an external backend. */
export interface AsyncExecutable {
  /** Resolves once the backend is ready to run (rejects with the reason it cannot). */
  readonly ready: Promise<void>;
  readonly dtype: DType;
  /** Run on `feeds` (same names, shapes and errors as `interpret`); resolves to fresh outputs. */
  run(feeds: Feeds): Promise<Outputs>;
  /** Free the backend's resources. */
  release(): Promise<void>;
}

/** What a backend provides. */
export interface ExternalBackend {
  /** Compile `g` (already cast to `dtype`); `options` are the full options given to `compile`. */
  compile(g: Graph, dtype: DType, options: Readonly<Record<string, unknown>>): AsyncExecutable;
}

const backends = new Map<string, ExternalBackend>();

/** Register an external backend under `name` (once). */
export function registerBackend(name: string, backend: ExternalBackend): void {
  if (name === 'cellgrad') fail('usage', `registerBackend: 'cellgrad' is the built-in executor's name`);
  if (backends.has(name)) fail('usage', `registerBackend: a backend named '${name}' is already registered`);
  backends.set(name, backend);
}

/** Names of the registered external backends, in registration order. */
export function registeredBackends(): string[] {
  return [...backends.keys()];
}

/** The backend named `name`; a clear error when no package has registered it. */
export function externalBackend(name: string): ExternalBackend {
  const b = backends.get(name);
  if (!b) {
    const known = ['cellgrad', ...backends.keys()].join(', ');
    const hint = name === 'onnxruntime' ? " (import '@cellgrad/onnx' or 'cellgrad/onnx' first)" : '';
    fail('usage', `compile: unknown backend '${name}'${hint}; registered backends: ${known} (and auto)`);
  }
  return b;
}
