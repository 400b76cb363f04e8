/**
 * A small seeded pseudo-random number generator: xoshiro128** seeded by splitmix32.
 *
 * - xoshiro128** 1.1: D. Blackman and S. Vigna, "Scrambled Linear Pseudorandom Number Generators",
 *   ACM Transactions on Mathematical Software 47(4), 2021; reference code at
 *   https://prng.di.unimi.it/xoshiro128starstar.c. 128 bits of state, period 2^128 − 1.
 * - splitmix32 (seeding only): the 32-bit form of SplitMix (G. L. Steele, D. Lea, C. H. Flood,
 *   "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014) — a Weyl sequence with step
 *   0x9e3779b9 finalised by the two-round integer hash from C. Wellons' hash-prospector.
 *
 * Strategies take a `Prng` instead of calling `Math.random`, so a seed reproduces an exploration.
 * Not for cryptography.
 */

const TWO_POW_32 = 2 ** 32;

/** A deterministic PRNG: the same seed gives the same sequence on every platform. */
export class Prng {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  /**
   * @param seed - any safe integer (negative allowed). The state is four consecutive splitmix32
   *   outputs starting from the low 32 bits of the seed, with the high bits xored into the splitmix
   *   state after the second output, so distinct seeds give distinct states.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Prng seed must be a safe integer, got ${seed}`);
    const seeder = new SplitMix32(seed >>> 0);
    this.#s0 = seeder.next();
    this.#s1 = seeder.next();
    seeder.state ^= Math.floor(seed / TWO_POW_32);
    this.#s2 = seeder.next();
    this.#s3 = seeder.next();
    // xoshiro's only forbidden state; unreachable in practice, but cheap to rule out.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Next 32-bit output, uniform in [0, 2^32). */
  nextUint32(): number {
    const s0 = this.#s0;
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /**
   * Uniform integer in [0, n), without modulo bias: draws that fall in the incomplete last block of
   * 2^32 are rejected (fewer than half of all draws, whatever `n`).
   * @param n - an integer in [1, 2^32].
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new RangeError(`Prng.int(n) needs an integer n in [1, 2^32], got ${n}`);
    const limit = TWO_POW_32 - (TWO_POW_32 % n); // largest multiple of n not above 2^32
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 2 ** 26 + low) / 2 ** 53;
  }

  /** An independent copy in the same state: it yields the same sequence, and drawing from one does not advance the other. */
  clone(): Prng {
    const copy = new Prng(0);
    copy.#s0 = this.#s0;
    copy.#s1 = this.#s1;
    copy.#s2 = this.#s2;
    copy.#s3 = this.#s3;
    return copy;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32: a Weyl sequence (step 0x9e3779b9), each value mixed by a bijective 32-bit hash. */
class SplitMix32 {
  state: number;

  constructor(state: number) {
    this.state = state | 0;
  }

  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }
}
