/** Seeded randomness, so training scripts, tests and sampling-based methods repeat exactly. */

/** mulberry32: small, fast, seedable. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `xs` in place with `rng`; returns `xs`. */
export function shuffleInPlace<T>(xs: T[], rng: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * A seed derived from parts (FNV-1a over their text), so that each unit of seeded work (a concept's
 * run, a random draw) gets its own stream, whatever order the work is done in.
 */
export function seedOf(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const c of parts.join('\0')) {
    h ^= c.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** k distinct indices of [0, n) drawn with `rng` (all n, shuffled, when k ≥ n). */
export function sampleIndices(n: number, k: number, rng: () => number): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng).slice(0, Math.min(k, n));
}
