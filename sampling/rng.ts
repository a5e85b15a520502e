/**
 * Seeded randomness (decisions.md D16): every draw derives from one explicit seed, and each purpose
 * (init, points, index sets, probes, test set, coefficients) gets its own independent sub-stream.
 */
import seedrandom from 'seedrandom';

export class Rng {
  private readonly gen: seedrandom.PRNG;
  private spare: number | null = null;

  constructor(readonly seed: string) {
    this.gen = seedrandom.alea(seed);
  }

  /** An independent stream for a named purpose: same parent seed + name → same stream. */
  child(name: string | number): Rng {
    return new Rng(`${this.seed}/${name}`);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.gen();
  }

  /** A 31-bit integer, e.g. the seed of a tfjs random op. */
  int31(): number {
    return this.gen.int32() >>> 1;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.gen();
    const v = this.gen();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

export function rngFromSeed(seed: number | string): Rng {
  return new Rng(`stde-bench:${seed}`);
}
