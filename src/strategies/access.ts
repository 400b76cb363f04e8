/**
 * Shared accesses and the rules that relate them, for partial-order reduction ({@link Dpor}).
 *
 * A step of a thread (an *event*: everything it does between two scheduling points) makes some
 * accesses. Whether two events of different threads may be swapped without changing the outcome
 * depends only on their accesses:
 *
 * - Data: two accesses to one location *conflict* when at least one writes. Their order can change
 *   what a thread reads or what value survives, so DPOR explores both orders.
 * - Locks: two `acquire`s of one lock conflict — which thread gets the lock first is the choice
 *   DPOR must reverse. A `release` of a lock happens-before the next `acquire` of it: it orders
 *   the critical sections but is not itself a race, since the acquiring thread could not have run
 *   before it (it was blocked). Consequently accesses inside critical sections of one lock are
 *   ordered by the lock, and only the order in which threads acquire it is explored.
 *
 * - The outside world: an effect interlace could not observe (a call into untraced code, a native
 *   addon, I/O without a resource model) is a write of {@link WORLD}, which stands for every
 *   location at once. It conflicts with every data access of another thread, so DPOR explores its
 *   orders against everything instead of pruning them: an unobserved effect is never assumed to
 *   commute.
 *
 * - Containment: a location may name the one that contains it (`within`: a SQL row its table). An
 *   access to the container overlaps every location within it; two locations within one container
 *   are independent of each other (two rows of a table).
 *
 * Locations and locks live in separate name spaces: a data access never relates to a lock operation.
 */

/** The location of effects that were not observed: it overlaps every data location (see {@link conflicts}). */
export const WORLD = "*";

/**
 * The origin of the write of {@link WORLD} that stands for the accesses a step made beyond what
 * could be recorded (a worker's access ring holds 65,536 per step): they were not observed.
 */
export const OVERFLOW_ORIGIN = "unrecorded accesses";

/**
 * The origin of the write of {@link WORLD} that stands for what a thread did after it was let run
 * freely past `maxSteps` decisions: neither scheduled nor watched.
 */
export const PAST_MAX_STEPS_ORIGIN = "past maxSteps";

/** The write of {@link WORLD} recorded when `thread` is let run freely after `maxSteps` decisions. */
export function pastMaxSteps(thread: string, maxSteps: number): Access & { thread: string } {
  return { op: "write", location: WORLD, thread, label: `thread "${thread}" ran freely after ${maxSteps} decisions (maxSteps)`, origin: PAST_MAX_STEPS_ORIGIN };
}

/** Whether `access` is an effect interlace did not observe (a write of {@link WORLD}). */
export function isWorld(access: Access): boolean {
  return access.location === WORLD && !isLockOp(access);
}

/** One shared access made by a step. */
export interface Access {
  /** `read`/`write` of a memory location, or `acquire`/`release` of a lock. */
  op: "read" | "write" | "acquire" | "release";
  /** A memory location (e.g. "obj#3.value", "sab#1[0]"), a lock (e.g. "lock#2"), or {@link WORLD}. */
  location: string;
  /** A human-readable name for explanations (e.g. "Counter.value"). */
  label?: string;
  /** The value read or written, rendered short for explanations (e.g. `0`, `"abc"`, `Counter`); never compared. */
  value?: string;
  /** A write of {@link WORLD}: where the unobserved code came from (a package name, `node:events`, `native`). */
  origin?: string;
  /**
   * The location that contains this one (a SQL row's table, a Redis key's database, a file's
   * folder): an access to the container overlaps every location within it, and two different
   * locations within one container do not overlap. One level; see {@link overlaps}.
   */
  within?: string;
}

/**
 * Whether two data accesses may touch the same thing: one location, or one is {@link WORLD}, or
 * one is the container (`within`) of the other (a table-level access and a row of that table).
 */
export function overlaps(a: Access, b: Access): boolean {
  return a.location === b.location || a.location === WORLD || b.location === WORLD || a.within === b.location || b.within === a.location;
}

/** Whether `access` is a lock operation (`acquire` or `release`). */
export function isLockOp(access: Access): boolean {
  return access.op === "acquire" || access.op === "release";
}

/**
 * Whether two accesses made by *different* threads race: their order matters and DPOR may
 * reverse it. Same location and either a data access pair with a write, or two acquires.
 */
export function conflicts(a: Access, b: Access): boolean {
  if (isLockOp(a) || isLockOp(b)) return a.location === b.location && a.op === "acquire" && b.op === "acquire";
  if (!overlaps(a, b)) return false;
  return a.op === "write" || b.op === "write";
}

/**
 * Whether two accesses made by different threads are ordered with respect to each other: the
 * conflicts, plus any pair of operations on one lock (a release and the next acquire cannot be
 * swapped). This is the dependence relation of Mazurkiewicz trace theory: executions that differ
 * only in the order of adjacent independent events are equivalent.
 */
export function dependent(a: Access, b: Access): boolean {
  if (isLockOp(a) || isLockOp(b)) return isLockOp(a) && isLockOp(b) && a.location === b.location;
  if (!overlaps(a, b)) return false;
  return a.op === "write" || b.op === "write";
}

/** Whether two events (the accesses of two steps of different threads) are dependent. */
export function eventsDependent(a: readonly Access[], b: readonly Access[]): boolean {
  return a.some((x) => b.some((y) => dependent(x, y)));
}

/** The first pair of conflicting accesses of two events, or null: what a race is about. */
export function conflictingPair(a: readonly Access[], b: readonly Access[]): [Access, Access] | null {
  for (const x of a) {
    for (const y of b) if (conflicts(x, y)) return [x, y];
  }
  return null;
}

/** Whether two events made the same accesses (labels and values aside), to check that a replay matches. */
export function sameAccesses(a: readonly Access[], b: readonly Access[]): boolean {
  return a.length === b.length && a.every((x, i) => x.op === b[i]?.op && x.location === b[i]?.location);
}

/**
 * Where two access lists of one step part, for a divergence message: their lengths and the first
 * access that differs, by location (labels can be alike for different objects: `Object.a`).
 */
export function accessDifference(now: readonly Access[], before: readonly Access[]): string {
  const shown = (a: Access | undefined): string => (a === undefined ? "nothing" : `${a.op} ${a.location}${a.label !== undefined && a.label !== a.location ? ` (${a.label})` : ""}`);
  let i = 0;
  while (i < now.length && i < before.length && now[i]!.op === before[i]!.op && now[i]!.location === before[i]!.location) i++;
  return `${now.length} accesses, before ${before.length}; the first difference is access ${i + 1}: now ${shown(now[i])}, before ${shown(before[i])}`;
}

/** `[write obj#1.x, acquire lock#2]`, for error messages. */
export function formatAccesses(accesses: readonly Access[]): string {
  return `[${accesses.map((a) => `${a.op} ${a.label ?? a.location}`).join(", ")}]`;
}
