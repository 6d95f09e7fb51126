/**
 * The lowering table: per op, the fast paths that exist beside its reference kernel. The stages that
 * own a lowering register the ops they handle when they load (the JavaScript templates in
 * `compile/js/templates.ts`, the WebAssembly SIMD emitters in `compile/wasm/`, the ONNX mapping in
 * `@cellgrad/onnx`), so this one view answers "what does op X lower to?" without the op set
 * importing the stages above it. `opLowerings()` lists every registered op with its reference kernel,
 * its VJP (a function, `null` cotangents only, or none) and each registered path.
 */
import { listOps, type OpDef } from './registry.js';

/**
 * The kinds of lowering: `js` a fused-loop expression template (ops without one still fuse through
 * their scalar function) or a generated JavaScript step of its own (`linear_scan`), `js-fast` the float32 fast-math helper, `simd` a WebAssembly SIMD form,
 * `onnx` a standard ONNX mapping (present once `@cellgrad/onnx` is loaded).
 */
export type LoweringKind = 'js' | 'js-fast' | 'simd' | 'onnx';

/** The lowering kinds, in table order. */
export const LOWERING_KINDS: readonly LoweringKind[] = ['js', 'js-fast', 'simd', 'onnx'];

const table = new Map<LoweringKind, Map<string, string>>(LOWERING_KINDS.map((k) => [k, new Map()]));

/**
 * Record that the stage `where` (a module path, for the table's reader) lowers `ops` in the way `kind`.
 * @example
 * registerLowerings('simd', 'compile/wasm/simd-loops.ts', ['add', 'mul']);
 */
export function registerLowerings(kind: LoweringKind, where: string, ops: Iterable<string>): void {
  const byOp = table.get(kind)!;
  for (const op of ops) byOp.set(op, where);
}

/** The lowering kinds registered for `op` and where each lives. */
export function loweringsOf(op: string): Partial<Record<LoweringKind, string>> {
  const out: Partial<Record<LoweringKind, string>> = {};
  for (const kind of LOWERING_KINDS) {
    const where = table.get(kind)!.get(op);
    if (where !== undefined) out[kind] = where;
  }
  return out;
}

/** Every registered lowering as `[kind, op, where]`, including any for an op that is not (or no longer) defined. */
export function registeredLowerings(): (readonly [LoweringKind, string, string])[] {
  return LOWERING_KINDS.flatMap((kind) => [...table.get(kind)!].map(([op, where]) => [kind, op, where] as const));
}

/** One row of the table. */
export interface OpLowerings {
  readonly op: string;
  /** The reference kernel exists (every op must have one: `defineOp` checks it). */
  readonly reference: boolean;
  /** `vjp`: a VJP; `none`: cannot be differentiated through (a gradient error names it). */
  readonly vjp: 'vjp' | 'none';
  /** Fusable into a generated loop through its scalar function even without a template. */
  readonly scalar: boolean;
  readonly paths: Partial<Record<LoweringKind, string>>;
}

/** Every registered op with its reference kernel, VJP and registered lowerings, sorted by name. */
export function opLowerings(): OpLowerings[] {
  return listOps().map((def: OpDef) => ({
    op: def.name,
    reference: typeof def.kernel === 'function',
    vjp: typeof def.vjp === 'function' ? 'vjp' : 'none',
    scalar: typeof def.scalar === 'function',
    paths: loweringsOf(def.name),
  }));
}
