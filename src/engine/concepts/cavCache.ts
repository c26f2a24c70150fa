/**
 * Trained CAVs kept between requests, as tensorflow/tcav keeps them in its cav_dir: a CAV depends
 * on its two sets' activations at a layer, the seeded draw and the L2 strength, not on the class,
 * so asking about another class (or again) trains none. Keys are the caller's (they name the sets'
 * files, the layer, the seed and α); the most recently used are kept.
 */
import type { Cav } from './cav';

const CAPACITY = 20_000;

export class CavCache {
  private readonly entries = new Map<string, Cav>();

  get(key: string): Cav | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, cav: Cav): void {
    this.entries.delete(key);
    this.entries.set(key, cav);
    for (const old of this.entries.keys()) {
      if (this.entries.size <= CAPACITY) break;
      this.entries.delete(old);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
