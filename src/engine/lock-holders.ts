/**
 * Which thread holds which lock, for the lock gates of an isolate run (`isolate-explore.ts`):
 * learnt from the recorded `acquire` and `release` accesses (a `SharedMutex` in a worker, the row
 * and advisory locks a worker's or process's database transaction keeps), with the mode each was
 * wanted in at its gate (`read` locks — FOR SHARE — are shared with other readers). A thread's own
 * locks never block it: a transaction locking its row again goes on.
 */
import type { ThreadAccess } from "./step-accesses.js";

/** A lock a thread is about to take (it stopped at the lock's gate). */
export interface WantedLock {
  /** Its location for partial-order reduction, e.g. `lock:sab#1@0`. */
  location: string;
  /** Its name for people. */
  label: string;
  /** `read`: shared with other readers (a row's FOR SHARE lock); `write` (the default): exclusive. */
  mode?: "read" | "write";
  /** Further locks the same operation needs (a statement locking several rows): it waits while any is held. */
  also?: readonly WantedLock[];
}

type Mode = "read" | "write";

export class LockHolders {
  /** Lock location → the threads holding it and their modes. */
  readonly #held = new Map<string, Map<string, Mode>>();
  /** The modes of the locks each thread passed a gate for, until its acquires are recorded. */
  readonly #modes = new Map<string, Map<string, Mode>>();

  /** `thread` passed the gate of `wants`: its acquires of those locks (in its step) take their modes. */
  passed(thread: string, wants: WantedLock): void {
    const modes = new Map<string, Mode>();
    for (const w of [wants, ...(wants.also ?? [])]) modes.set(w.location, w.mode ?? "write");
    this.#modes.set(thread, modes);
  }

  /** Applies a step's accesses (call once per decision, with what was drained). */
  apply(accesses: readonly ThreadAccess[]): void {
    for (const access of accesses) {
      if (access.op === "acquire") {
        let holders = this.#held.get(access.location);
        if (holders === undefined) this.#held.set(access.location, (holders = new Map()));
        holders.set(access.thread, this.#modes.get(access.thread)?.get(access.location) ?? "write");
      } else if (access.op === "release") {
        const holders = this.#held.get(access.location);
        holders?.delete(access.thread);
        if (holders?.size === 0) this.#held.delete(access.location);
      }
    }
    this.#modes.clear();
  }

  /** The first lock of `wants` another thread holds in a mode that conflicts with it, and that thread; else undefined. */
  against(thread: string, wants: WantedLock): { lock: WantedLock; holder: string } | undefined {
    for (const w of [wants, ...(wants.also ?? [])]) {
      for (const [holder, mode] of this.#held.get(w.location) ?? []) {
        if (holder !== thread && ((w.mode ?? "write") === "write" || mode === "write")) return { lock: w, holder };
      }
    }
    return undefined;
  }
}
