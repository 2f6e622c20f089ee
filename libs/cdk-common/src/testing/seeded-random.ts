/**
 * A seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same numbers in the same order, so a
 * run that draws faults, failures or throttles at random can be repeated. Not for anything secret.
 *
 * One home for the benches', the fault injector's and the property tests' generator. fast-check's `fc.Random` needs a
 * pure-rand generator, and pure-rand is not a dependency of ours (it comes in through fast-check only), so this stays
 * the 10-line public-domain algorithm rather than a second package.
 *
 * @param seed an integer; only its low 32 bits count (`seed >>> 0`), so `-1` and `4294967295` give the same numbers.
 * @returns a function that returns the next number of the sequence, from 0 (inclusive) to 1 (exclusive).
 * @example
 * const random = seededRandom(7);
 * const fail = random() < 0.2; // the same choice on every run seeded with 7
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
