/**
 * The wait-for graph of a deadlocked run: each thread waiting for a lock points to the thread that
 * holds it. A cycle in it (t1 waits for B held by t2, t2 waits for A held by t1) is the classic
 * lock-order deadlock; the report shows the cycle first, then every waiting thread.
 */

/** A thread waiting for a lock. */
export interface LockWait {
  thread: string;
  /** The lock's name for people, e.g. `Mutex#2` or `accounts`. */
  lock: string;
  /** The thread holding it, when known. */
  holder?: string;
  /** Where the waiting thread asked for it (`file:line:column  source`). */
  at: string;
}

/** The threads of the first cycle found in the wait-for graph (each waits for the next; the last for the first), or null. */
export function waitCycle(waits: readonly LockWait[]): LockWait[] | null {
  const byThread = new Map(waits.map((w) => [w.thread, w]));
  for (const start of waits) {
    const path: LockWait[] = [];
    const seen = new Set<string>();
    let current: LockWait | undefined = start;
    while (current !== undefined && !seen.has(current.thread)) {
      seen.add(current.thread);
      path.push(current);
      current = current.holder === undefined ? undefined : byThread.get(current.holder);
    }
    if (current !== undefined) return path.slice(path.indexOf(current));
  }
  return null;
}

/** Lines describing the lock waits: the cycle, if any, as `t1 → lock B (held by t2) → …`, then each wait and where. */
export function describeLockWaits(waits: readonly LockWait[]): string[] {
  const lines: string[] = [];
  const cycle = waitCycle(waits);
  if (cycle !== null) {
    const chain = cycle.map((w) => `${w.thread} waits for ${w.lock} (held by ${w.holder})`).join(", ");
    lines.push(`  Cycle: ${chain}.`);
  }
  for (const w of waits) {
    const held = w.holder === undefined ? "" : `, held by ${w.holder}`;
    lines.push(`  ${w.thread}: waits for ${w.lock}${held}, at ${w.at}`);
  }
  return lines;
}
