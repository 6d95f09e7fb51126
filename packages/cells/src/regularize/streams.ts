/**
 * Stream numbers of the regularisers' random draws: one distinct stream per site (which
 * regulariser), layer, direction, slot (e.g. which state) and time step, packed into one integer,
 * so no two draws of an unrolled graph share a stream unless they must (a per-sequence mask uses
 * the same stream at every step) and a stream does not change when another regulariser is turned on.
 */
import { CellgradError } from '@cellgrad/graph';

/** The places a regulariser draws random numbers. */
export const SITES = {
  inputDropout: 1,
  dropout: 2,
  outputDropout: 3,
  variationalInput: 4,
  variationalState: 5,
  weightDrop: 6,
  zoneout: 7,
} as const;

/** A regulariser's draw site. */
export type Site = keyof typeof SITES;

/** Where one draw happens. */
export interface DrawPlace {
  readonly layer?: number;
  readonly direction?: number;
  /** Distinguishes draws at one site, layer and step (e.g. the state index for zoneout). */
  readonly slot?: number;
  /** The time step; absent for per-sequence (variational) and per-pass (weight drop) masks. */
  readonly step?: number;
}

const LAYERS = 4096;
const SLOTS = 256;
const STEPS = 2 ** 21;

/**
 * The stream of a draw: site, layer (< 4096), direction (0 or 1), slot (< 256) and step + 1
 * (< 2²¹; 0 for a per-sequence draw) in mixed radix, below 2⁴⁷.
 * @example
 * streamId('zoneout', { layer: 1, slot: 0, step: 7 }) !== streamId('zoneout', { layer: 1, slot: 1, step: 7 }) // true
 */
export function streamId(site: Site, place: DrawPlace = {}): number {
  const { layer = 0, direction = 0, slot = 0, step = -1 } = place;
  const check = (v: number, n: number, name: string) => {
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new CellgradError('usage', `streamId: ${name} must be an integer in [0, ${n}), got ${v}`);
  };
  check(layer, LAYERS, 'layer');
  check(direction, 2, 'direction');
  check(slot, SLOTS, 'slot');
  check(step + 1, STEPS, 'step + 1');
  return (((SITES[site] * LAYERS + layer) * 2 + direction) * SLOTS + slot) * STEPS + step + 1;
}
