/**
 * The one text form of a node's scope, used by every message that says where something happened:
 * "cell 'lstm', layer 1, step 3" and, before a message, "in cell 'lstm', layer 1, step 3: ".
 */
import type { NodeScope } from './node.js';

/**
 * "cell 'lstm', layer 1, step 3" (the parts the scope has; empty without a scope). With
 * `{ phase: true }`, nodes of the reverse-mode transform add ", backward pass".
 * @example
 * formatScope({ cell: 'gru', layer: 0, step: 2 }) // "cell 'gru', layer 0, step 2"
 */
export function formatScope(scope: NodeScope | undefined, options: { readonly phase?: boolean } = {}): string {
  if (!scope) return '';
  const parts: string[] = [];
  if (scope.cell !== undefined) parts.push(`cell '${scope.cell}'`);
  if (scope.layer !== undefined) parts.push(`layer ${scope.layer}`);
  if (scope.step !== undefined) parts.push(`step ${scope.step}`);
  if (options.phase && scope.phase === 'backward') parts.push('backward pass');
  return parts.join(', ');
}

/** True when the scope names a cell or a time step (a layer alone is not worth a prefix). */
export function hasScope(scope: NodeScope | undefined): scope is NodeScope {
  return scope !== undefined && (scope.cell !== undefined || scope.step !== undefined);
}

/**
 * The prefix of an error raised inside a scope: "in cell 'lstm', step 3: " (empty outside one).
 * @example
 * scopePrefix({ cell: 'gru', layer: 0, step: 2 }) // "in cell 'gru', layer 0, step 2: "
 */
export function scopePrefix(scope: NodeScope | undefined): string {
  return hasScope(scope) ? `in ${formatScope(scope)}: ` : '';
}
