/**
 * The reference-vector format of `../shared/reference` (PyTorch, float64), once loaded and checked:
 * tensors become float64 `NDArray`s; field names follow the JSON files.
 */
import type { NDArray } from '@cellgrad/graph';

/** Expected results of one case. */
export interface ReferenceExpected {
  /** `out` and the final states (`h_T`, `c_T`, ...), by name. */
  readonly tensors: Readonly<Record<string, NDArray>>;
  /** The scalar loss L = sum(out⊙R_out) + Σ_s sum(s_T⊙R_s). */
  readonly loss: number;
  /** dL/d(every parameter and every input), by the file's names. */
  readonly grads: Readonly<Record<string, NDArray>>;
}

/** One case of a reference file. */
export interface ReferenceCase {
  /** Where it came from, e.g. `/…/lstm.json, case 0`. */
  readonly source: string;
  /** The cell's name (`rnn_tanh`, `lstm`, ...). */
  readonly cell: string;
  /** The equations, as written in the file. */
  readonly formula?: string;
  readonly input_size: number;
  readonly hidden_size: number;
  readonly batch: number;
  readonly steps: number;
  readonly layers: number;
  /** Both directions per layer (`*_reverse` parameters; states `[layers·2, batch, ...]`). */
  readonly bidirectional: boolean;
  /** `x`, `out` and their weights and gradients are `[batch, steps, ·]`. */
  readonly batch_first: boolean;
  /** Variable-length batch: each sequence's length (packed sequences; padding steps output 0). */
  readonly lengths?: readonly number[];
  /** LSTM projection size P (`weight_hr`; h is P wide, c is H wide). */
  readonly proj_size?: number;
  /** Parameters by the file's names (PyTorch's `weight_ih_l0`, ... for built-in cells). */
  readonly params: Readonly<Record<string, NDArray>>;
  /** `x` [steps, batch, input], `<state>0` [layers·directions, batch, ...], and `lengths` [batch] when variable-length. */
  readonly inputs: Readonly<Record<string, NDArray>>;
  /** `R_out` and `R_<state>` for each state. */
  readonly loss_weights: Readonly<Record<string, NDArray>>;
  readonly expected: ReferenceExpected;
}

/** A loaded reference file. */
export interface ReferenceFile {
  /** The path it was read from, or `<object>` for parsed JSON. */
  readonly source: string;
  /** What produced it (e.g. `PyTorch 1.13.0a0, float64`). */
  readonly generator?: string;
  /** The loss definition, as written in the file. */
  readonly loss?: string;
  readonly cases: readonly ReferenceCase[];
}

/** The comparison of one tensor with its reference. */
export interface TensorComparison {
  /** `out`, `h_T`, `loss`, `grad:weight_ih_l0`, `grad:x`, ... */
  readonly name: string;
  readonly shape: readonly number[];
  /** max|ours − ref| / max(max|ref|, 1e-300) (Infinity when ours is not finite or shapes differ). */
  readonly maxRelError: number;
  /** max|ours − ref|. */
  readonly maxAbsError: number;
  /** max|ref|. */
  readonly refMax: number;
  readonly passed: boolean;
  /** Why it failed, when it is not a matter of size (a shape mismatch, non-finite values). */
  readonly problem?: string;
}

/** What `checkReference` returns. */
export interface ReferenceReport {
  readonly source: string;
  readonly cell: string;
  readonly layers: number;
  readonly tolerance: number;
  readonly passed: boolean;
  /** One entry per tensor: outputs, final states, loss, then every gradient. */
  readonly comparisons: readonly TensorComparison[];
  /** The comparison with the largest error. */
  readonly worst: TensorComparison;
}
