/**
 * The accesses task code makes during a run, collected between decisions (see
 * `engine/step-accesses.ts`). Data accesses come from the access recorder (`src/access/`, reached
 * through the global symbol registry like the gate object, so every copy of interlace feeds the
 * same log); lock operations from the task `Mutex` through the run.
 */
import type { Access } from "../strategies/access.js";
import type { AccessSource, ThreadAccess } from "../engine/step-accesses.js";
import { installedAccessRuntime } from "../access/runtime.js";

/** Accesses of one run, attributed to the task that made them. */
export class AccessLog implements AccessSource {
  #entries: ThreadAccess[] = [];

  push(thread: string, access: Access): void {
    this.#entries.push({ ...access, thread });
  }

  drain(): ThreadAccess[] {
    const entries = this.#entries;
    this.#entries = [];
    return entries;
  }

  /**
   * Routes the recorder's accesses here while the run lasts, each attributed to `currentTask()`
   * (accesses made outside every task are dropped), and restarts the recorder's object numbering
   * from the run's `state`, so that every run names its objects alike. Returns the detach function.
   */
  attach(currentTask: () => string | undefined, state: unknown): () => void {
    const recorder = installedAccessRuntime();
    if (recorder === undefined) return () => {};
    recorder.resetIds(state);
    recorder.setSink((access) => {
      const thread = currentTask();
      if (thread !== undefined) this.push(thread, access);
    });
    return () => recorder.setSink(null);
  }
}
