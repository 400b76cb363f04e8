/**
 * One execution as seen by {@link Dpor}: its events in order, their happens-before relation as
 * vector clocks, and the races between them — the definitions of P. Abdulla, S. Aronis, B. Jonsson
 * and K. Sagonas, "Optimal Dynamic Partial Order Reduction", POPL 2014 (happens-before, races,
 * notdep), with happens-before tracked by vector clocks as in C. Flanagan and P. Godefroid,
 * "Dynamic Partial-Order Reduction for Model Checking Software", POPL 2005.
 *
 * Happens-before (→) is the smallest transitive relation that orders each thread's events in
 * program order and orders e before a later e′ of another thread when they are dependent (see
 * `access.ts`: conflicting data accesses, operations on one lock). A *race* e ⋖ e′ is a pair of
 * conflicting events of different threads, e before e′, with no other event in between in →
 * (e → e″ → e′): reversing it may give a new behaviour, reversing a non-immediate pair may not
 * even be feasible.
 *
 * Locks need one refinement. An event that acquires lock L could only be scheduled once L was
 * free, so its acquire is treated as happening at the start of the step, and it races with the
 * previous acquire of L — not with the release in between, which is an ordering edge only (the
 * acquirer was blocked until then). The race is immediate when the previous acquire does not
 * happen-before the acquiring thread's previous event.
 */
import { isLockOp, WORLD, type Access } from "./access.js";
import { VectorClock } from "./vector-clock.js";

/** A step of a thread, as observed: its shared accesses. */
export interface Event {
  readonly thread: string;
  readonly accesses: readonly Access[];
}

/** A race between two events, by their (0-based) indices in the execution. */
export interface RaceIndices {
  readonly first: number;
  readonly second: number;
}

interface Logged extends Event {
  /** 1-based position of the event in its thread. */
  readonly count: number;
  readonly clock: VectorClock;
}

/** The last read and last write of a location by one thread (earlier ones are covered by program order). */
interface LastAccesses {
  read?: number;
  write?: number;
}

/** The events of one execution with their vector clocks, and the races found so far. */
export class Execution {
  readonly #events: Logged[] = [];
  readonly #races: RaceIndices[] = [];
  readonly #lastOfThread = new Map<string, number>();
  /** location → thread → its last read/write of the location. */
  readonly #data = new Map<string, Map<string, LastAccesses>>();
  /** container → the locations within it that were accessed (`Access.within`). */
  readonly #inside = new Map<string, Set<string>>();
  /** lock → index of its last acquire / last release. */
  readonly #lastAcquire = new Map<string, number>();
  readonly #lastRelease = new Map<string, number>();
  /** Index of the first step left waiting: they come last, after every step that ran. */
  #waitingFrom = Infinity;

  get length(): number {
    return this.#events.length;
  }

  get races(): readonly RaceIndices[] {
    return this.#races;
  }

  event(index: number): Event {
    return this.#at(index);
  }

  /**
   * Appends the next event (keeping `accesses`, which must not change afterwards); returns the
   * races it is the second event of.
   * @param blocked - the event is the step a thread was left waiting to take when the run ended:
   *   its acquires race like any (that is how the lock orders avoiding the wait get explored), but
   *   it did not run, so its data accesses race with nothing and it orders nothing.
   */
  add(thread: string, accesses: readonly Access[], blocked = false): RaceIndices[] {
    const index = this.#events.length;
    const previous = this.#lastOfThread.get(thread);
    const start = previous === undefined ? VectorClock.empty : this.#at(previous).clock;
    const racing = new Set<number>();

    // Acquires first: they gate the step. Race with the previous acquire unless already ordered.
    let clock = start;
    for (const access of accesses) {
      if (!isLockOp(access)) continue;
      const lastAcquire = this.#lastAcquire.get(access.location);
      if (access.op === "acquire" && lastAcquire !== undefined && this.#unordered(lastAcquire, thread, start)) racing.add(lastAcquire);
      for (const other of [lastAcquire, this.#lastRelease.get(access.location)]) {
        if (other !== undefined && this.#at(other).thread !== thread) clock = clock.join(this.#at(other).clock);
      }
    }

    // Data: every earlier conflicting access of another thread is a direct predecessor. Scanning
    // them latest first, one is an immediate race iff no later predecessor already covers it.
    // (Not for a step left waiting: it never made its data accesses.)
    const predecessors = blocked ? [] : [...this.#conflictingData(thread, accesses)].sort((a, b) => b - a);
    for (const other of predecessors) {
      if (this.#unordered(other, thread, clock)) racing.add(other);
      clock = clock.join(this.#at(other).clock);
    }

    const count = (previous === undefined ? 0 : this.#at(previous).count) + 1;
    this.#events.push({ thread, accesses, count, clock: clock.with(thread, count) });
    if (blocked) this.#waitingFrom = Math.min(this.#waitingFrom, index);
    else this.#record(index, thread, accesses);
    const races = [...racing].sort((a, b) => a - b).map((first) => ({ first, second: index }));
    this.#races.push(...races);
    return races;
  }

  /** Whether event `a` happens-before (or is) event `b`. */
  happensBefore(a: number, b: number): boolean {
    const first = this.#at(a);
    return this.#at(b).clock.covers(first.thread, first.count);
  }

  /**
   * notdep(e, E).e′ for the race (e, e′): the events after e and before e′ that do not
   * happen-after e, then e′ — a sequence that, run just before e, reverses the race. Steps left
   * waiting did not run: only e′ may be one.
   */
  reversal(race: RaceIndices): Event[] {
    const sequence: Event[] = [];
    for (let k = race.first + 1; k < Math.min(race.second, this.#waitingFrom); k++) {
      if (!this.happensBefore(race.first, k)) sequence.push(this.event(k));
    }
    sequence.push(this.event(race.second));
    return sequence;
  }

  /** The first event of the run of consecutive events of one thread that event `index` ends. */
  contextStart(index: number): number {
    const thread = this.#at(index).thread;
    let start = index;
    while (start > 0 && this.#at(start - 1).thread === thread) start--;
    return start;
  }

  /**
   * Whether the second event of `race` can move before event `start`, an earlier event of the
   * first one's thread in the same context: it must not depend on the events from `start` on
   * through events of other threads, which the move would leave behind.
   */
  movableBefore(start: number, race: RaceIndices): boolean {
    const thread = this.#at(race.first).thread;
    for (let k = start + 1; k < race.second; k++) {
      if (this.#at(k).thread !== thread && this.happensBefore(start, k) && this.happensBefore(k, race.second)) return false;
    }
    return true;
  }

  #at(index: number): Logged {
    const event = this.#events[index];
    if (event === undefined) throw new RangeError(`no event ${index} in an execution of ${this.#events.length}`);
    return event;
  }

  /** Whether event `index`, of a thread other than `thread`, is not covered by `clock`. */
  #unordered(index: number, thread: string, clock: VectorClock): boolean {
    const event = this.#at(index);
    return event.thread !== thread && !clock.covers(event.thread, event.count);
  }

  /** Indices of the latest earlier events of other threads whose data accesses conflict with `accesses`. */
  #conflictingData(thread: string, accesses: readonly Access[]): Set<number> {
    const found = new Set<number>();
    const add = (location: string, write: boolean): void => {
      for (const [other, last] of this.#data.get(location) ?? []) {
        if (other === thread) continue;
        if (last.write !== undefined) found.add(last.write);
        if (write && last.read !== undefined) found.add(last.read);
      }
    };
    for (const access of accesses) {
      if (isLockOp(access)) continue;
      if (access.location === WORLD) {
        // An unobserved effect may have touched any location: it follows every earlier data access.
        for (const location of this.#data.keys()) add(location, true);
        continue;
      }
      const write = access.op === "write";
      add(access.location, write);
      // Containment (`within`): a row meets the accesses of its whole table, a table every row of it.
      if (access.within !== undefined) add(access.within, write);
      for (const inner of this.#inside.get(access.location) ?? []) add(inner, write);
      add(WORLD, false); // the earlier unobserved effects of other threads (writes of WORLD)
    }
    return found;
  }

  #record(index: number, thread: string, accesses: readonly Access[]): void {
    this.#lastOfThread.set(thread, index);
    for (const access of accesses) {
      if (access.op === "acquire") this.#lastAcquire.set(access.location, index);
      else if (access.op === "release") this.#lastRelease.set(access.location, index);
      else {
        if (access.within !== undefined) {
          let inner = this.#inside.get(access.within);
          if (inner === undefined) this.#inside.set(access.within, (inner = new Set()));
          inner.add(access.location);
        }
        let byThread = this.#data.get(access.location);
        if (byThread === undefined) this.#data.set(access.location, (byThread = new Map()));
        const last = byThread.get(thread) ?? {};
        last[access.op] = index;
        byThread.set(thread, last);
      }
    }
  }
}
