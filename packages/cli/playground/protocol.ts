/**
 * The messages between the playground page and its worker (the worker runs cellgrad; the page only
 * draws). Plain JSON-able data.
 */
import type { GradcheckRow } from '@cellgrad/viz';

/** The sizes and training settings of one run. */
export interface RunSettings {
  /** Hidden size of the trained cell. */
  readonly hidden: number;
  /** Sequence length of the adding problem. */
  readonly steps: number;
  /** Training iterations. */
  readonly iterations: number;
  /** Examples per batch. */
  readonly batch: number;
  /** Adam's learning rate. */
  readonly lr: number;
}

/** Page → worker: run this cell source. */
export interface RunRequest {
  readonly type: 'run';
  readonly code: string;
  readonly settings: RunSettings;
}

/** A problem in the user's code, at a 1-based line (and a 0-based offset when known exactly: syntax errors). */
export interface CellDiagnostic {
  readonly line: number;
  /** Character offset in the source (syntax errors); without it the whole line is marked. */
  readonly offset?: number;
  readonly message: string;
}

/** Worker → page. */
export type WorkerMessage =
  | { readonly type: 'status'; readonly text: string }
  | { readonly type: 'diagnostics'; readonly items: readonly CellDiagnostic[] }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'cell'; readonly name: string; readonly threads: string }
  | { readonly type: 'graph'; readonly svg: string; readonly nodes: number; readonly title: string }
  | { readonly type: 'gradcheck'; readonly rows: readonly GradcheckRow[]; readonly passed: boolean; readonly seconds: number }
  | { readonly type: 'progress'; readonly iteration: number; readonly total: number; readonly points: readonly (readonly [number, number])[] }
  | {
      readonly type: 'flow';
      readonly stateGradNorms: readonly number[];
      readonly jacobianNorms: readonly { readonly step: number; readonly norm: number }[];
    }
  | { readonly type: 'done'; readonly seconds: number; readonly finalLoss: number; readonly baseline: number };
