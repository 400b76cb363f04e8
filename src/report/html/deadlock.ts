/**
 * The wait-for graph of a deadlock, read back from the failure message of a counterexample. The
 * message is all a saved counterexample keeps of the deadlock; its wait lines are the ones
 * `engine/wait-for.ts` (`describeLockWaits`) and the deadlock reports of the engines write:
 *
 *     t1: waits for B, held by t2, at file.ts:12:5  await b.lock();
 *     t3: waiting at file.ts:20:3  await never;
 *
 * The cycle is found by `waitCycle`, as in the text report. Pure: no I/O.
 */
import { waitCycle, type LockWait } from "../../engine/wait-for.js";

/** A waiting thread: for a lock (and who holds it), or for something else (a promise, an Atomics.wait). */
export interface WaitModel {
  thread: string;
  lock: string | null;
  holder: string | null;
  at: string;
}

/** What the report draws for a deadlock. */
export interface DeadlockModel {
  /** The threads of the wait-for cycle, each waiting for the next (the last for the first); empty when there is none. */
  cycle: WaitModel[];
  waits: WaitModel[];
}

/** The waits named by a deadlock message of a run with these threads, and their cycle. */
export function parseDeadlock(message: string, threads: readonly string[]): DeadlockModel {
  const waits: WaitModel[] = [];
  // Longest names first: a thread "t1" must not claim the lines of "t10".
  const names = [...threads].sort((a, b) => b.length - a.length);
  for (const line of message.split("\n")) {
    const thread = names.find((t) => line.startsWith(`  ${t}: `));
    if (thread === undefined) continue;
    const rest = line.slice(thread.length + 4);
    const lock = /^waits for (.+?)(?:, held by (.+?))?, at (.*)$/.exec(rest);
    if (lock !== null) {
      waits.push({ thread, lock: lock[1]!, holder: lock[2] ?? null, at: lock[3]! });
      continue;
    }
    const other = /^waiting at (.*)$/.exec(rest);
    if (other !== null) waits.push({ thread, lock: null, holder: null, at: other[1]! });
  }
  const lockWaits: LockWait[] = waits.flatMap((w) =>
    w.lock === null ? [] : [{ thread: w.thread, lock: w.lock, at: w.at, ...(w.holder === null ? {} : { holder: w.holder }) }],
  );
  const cycle = waitCycle(lockWaits) ?? [];
  return { cycle: cycle.map((c) => waits.find((w) => w.thread === c.thread)!), waits };
}
