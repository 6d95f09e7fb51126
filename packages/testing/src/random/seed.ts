/** Seeds for cellgrad's seeded generators, as a fast-check arbitrary. */
import fc from 'fast-check';

/** A seed for cellgrad's generators: any non-negative 31-bit integer, without fast-check's bias towards small ones. */
export function seed(): fc.Arbitrary<number> {
  return fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));
}
