/**
 * Vector clocks (C. J. Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial
 * Ordering", 1988; F. Mattern, "Virtual Time and Global States of Distributed Systems", 1989),
 * used by {@link Dpor} to decide happens-before between events of one execution.
 *
 * The clock of an event maps each thread to how many of its events happen-before-or-equal it.
 * Event number k (1-based) of thread t happens-before-or-equal an event with clock C iff C[t] ≥ k.
 * Clocks are immutable: every operation returns a new clock, so clocks of recorded events can be
 * shared freely.
 */

export class VectorClock {
  static readonly empty = new VectorClock(new Map());
  readonly #entries: ReadonlyMap<string, number>;

  private constructor(entries: ReadonlyMap<string, number>) {
    this.#entries = entries;
  }

  /** How many events of `thread` this clock covers (0 if none). */
  get(thread: string): number {
    return this.#entries.get(thread) ?? 0;
  }

  /** This clock with `thread`'s entry set to `count`. */
  with(thread: string, count: number): VectorClock {
    const entries = new Map(this.#entries);
    entries.set(thread, count);
    return new VectorClock(entries);
  }

  /** The least upper bound of both clocks: everything that happens-before either. */
  join(other: VectorClock): VectorClock {
    let entries: Map<string, number> | null = null;
    for (const [thread, count] of other.#entries) {
      if (count <= this.get(thread)) continue;
      entries ??= new Map(this.#entries);
      entries.set(thread, count);
    }
    return entries === null ? this : new VectorClock(entries);
  }

  /** Whether event number `count` (1-based) of `thread` happens-before-or-equals the event of this clock. */
  covers(thread: string, count: number): boolean {
    return this.get(thread) >= count;
  }

  /** Whether every entry of this clock is ≤ the same entry of `other` (this happens-before-or-equals other). */
  leq(other: VectorClock): boolean {
    for (const [thread, count] of this.#entries) if (count > other.get(thread)) return false;
    return true;
  }

  /** `{A: 2, B: 1}`, for debugging. */
  toString(): string {
    return `{${[...this.#entries].map(([thread, count]) => `${thread}: ${count}`).join(", ")}}`;
  }
}
