/**
 * Accesses to state outside the JavaScript heap (SQL rows and tables, Redis keys, files,
 * directories, sockets), as the pure classifiers of `io/` compute them from one operation.
 *
 * A classifier never guesses: when it cannot tell what an operation touches it says so
 * (`modelled: false`), and the caller records a write of the outside world ({@link WORLD}), which
 * conflicts with everything.
 */
import { WORLD } from "../strategies/access.js";

/** One read or write of an external resource. */
export interface ResourceAccess {
  op: "read" | "write";
  /**
   * Stable location id, e.g. "sql:<db>/accounts", row "sql:<db>/accounts(id=1)",
   * "redis:<server>/0:stock:42", "file:/abs/path", "dir:/abs/dir", "net:127.0.0.1:5432".
   */
  location: string;
  /**
   * For a row: the table location that contains it (a table-level access conflicts with every row
   * of it; two different rows do not conflict). For a Redis key: its database.
   */
  within?: string;
  /**
   * Human label for explanations: "SQL row accounts(id=1)", "SQL table accounts",
   * "Redis key stock:42", "file data/out.json", "directory data/".
   */
  label: string;
}

/** What one operation on external resources does. */
export interface ResourceEffect {
  accesses: ResourceAccess[];
  /** false when the operation could not be classified: the caller then records a WORLD write (never ignore it). */
  modelled: boolean;
  /** Short display text (the SQL statement, the Redis command with keys, the fs call) for explanations. */
  text: string;
}

/**
 * Whether two resource accesses made by different threads conflict, i.e. their order can matter:
 * at least one writes, and they touch the same resource — the same location, or one is the
 * container (`within`) of the other (a table and one of its rows, a Redis database and one of its
 * keys). Two different rows of one table do not conflict, nor do two reads. {@link WORLD} overlaps
 * every location, as in `strategies/access.ts`.
 *
 * This is the rule the engine is expected to implement for resource locations; it is the same
 * as `conflicts()` of `strategies/access.ts` extended by one level of containment.
 */
export function resourceConflict(a: ResourceAccess, b: ResourceAccess): boolean {
  if (a.op !== "write" && b.op !== "write") return false;
  return overlaps(a, b);
}

/** Whether two accesses touch one resource (whatever their ops): same location, container, or WORLD. */
export function overlaps(a: ResourceAccess, b: ResourceAccess): boolean {
  if (a.location === b.location || a.location === WORLD || b.location === WORLD) return true;
  return (a.within !== undefined && a.within === b.location) || (b.within !== undefined && b.within === a.location);
}

/** Whether two effects (their accesses) conflict: some pair of accesses does. An unmodelled effect conflicts with everything. */
export function effectsConflict(a: ResourceEffect, b: ResourceEffect): boolean {
  if (!a.modelled || !b.modelled) return true;
  return a.accesses.some((x) => b.accesses.some((y) => resourceConflict(x, y)));
}

/** An effect that could not be classified: the caller records a write of {@link WORLD}. */
export function unmodelled(text: string): ResourceEffect {
  return { accesses: [], modelled: false, text };
}

/** Shortens display text to one line of at most `max` characters. */
export function displayText(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
