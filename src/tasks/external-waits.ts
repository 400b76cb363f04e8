/**
 * Tasks waiting outside the heap for something another task holds, so the search goes on instead
 * of waiting for a reply that cannot come while the holder is parked at a gate:
 *
 * - **Modelled locks** (`io/drivers/locks.ts`): a statement waiting for a row or advisory lock that
 *   another task's open transaction holds makes its task blocked on that lock (its database reply
 *   stops counting as pending work) until the holder's COMMIT or ROLLBACK is sent. A run where every
 *   live task waits so is a deadlock with its wait-for cycle. A reply that arrives while the model
 *   says the lock is held means the model was wrong: that step records a write of the outside world.
 * - **The stall rule**, for waits nothing models (a lock of rows a condition selects, a session
 *   advisory lock, a server that answers only when another client acts): when a decision has waited
 *   {@link STALL_MS} for tasks whose only pending work is TCP replies, and another task is parked,
 *   those tasks count as blocked, each records a write of the outside world (the search is never
 *   complete), and the parked ones run. When no task is parked, the stalled ones count as busy again
 *   (the run's timeout applies).
 *
 * @module
 */
import { setLockWaits, type LockWait } from "../io/drivers/locks.js";
import { WORLD, type Access } from "../strategies/access.js";
import type { PendingWork } from "./pending-work.js";
import type { Task } from "./task-run.js";

/** How long a decision waits for replies that make no progress before the stall rule applies. */
export const STALL_MS = 1_000;

/** What a blocked task waits for outside the heap. */
export interface TaskWait {
  /** `SQL row account(id=1)`, or `a TCP reply` for a stall. */
  label: string;
  /** The task holding the lock, when known. */
  holder?: string;
  /** Whether the wait is a modelled lock (else the stall rule made it). */
  modelled: boolean;
}

export class ExternalWaits {
  readonly #tasks: () => readonly Task[];
  readonly #pending: PendingWork<Task>;
  readonly #record: (task: Task, access: Access) => void;
  readonly #ownTask: () => Task | undefined;

  constructor(tasks: () => readonly Task[], pending: PendingWork<Task>, ownTask: () => Task | undefined, record: (task: Task, access: Access) => void) {
    this.#tasks = tasks;
    this.#pending = pending;
    this.#ownTask = ownTask;
    this.#record = record;
  }

  /** Receives lock-wait events from the drivers until the returned function is called. */
  attach(): () => void {
    const find = (name: string) => this.#tasks().find((t) => t.name === name);
    this.#pending.onHeldReply = (task) => this.#replied(task);
    const previous = setLockWaits({
      task: () => this.#ownTask()?.name,
      wait: (name: string, wait: LockWait) => {
        const task = find(name);
        if (task === undefined) return;
        task.wait = { label: wait.label, modelled: true, ...(wait.holder === undefined ? {} : { holder: wait.holder }) };
        this.#pending.hold(task);
      },
      granted: (name: string) => {
        const task = find(name);
        if (task === undefined || task.wait === undefined) return;
        task.wait = undefined;
        this.#pending.unhold(task);
      },
    });
    return () => {
      setLockWaits(previous);
      this.#pending.onHeldReply = undefined;
      for (const task of this.#tasks()) {
        task.wait = undefined;
        this.#pending.unhold(task);
      }
    };
  }

  /**
   * A decision waited {@link STALL_MS} for pending work: when a task is parked, the busy tasks
   * waiting only for TCP replies count as blocked. Returns whether any did.
   */
  stalled(): boolean {
    const tasks = this.#tasks();
    if (!tasks.some((t) => t.parked.length > 0)) return false;
    let any = false;
    for (const task of tasks) {
      if (task.finished || task.wait !== undefined || !this.#pending.onlyReplies(task)) continue;
      task.wait = { label: "a TCP reply", modelled: false };
      this.#pending.hold(task);
      this.#record(task, {
        op: "write",
        location: WORLD,
        origin: "external wait",
        label: `untraced external wait: wait not modelled: ${task.name} waited ${STALL_MS} ms for a TCP reply while another task was parked (a lock interlace does not model?)`,
      });
      any = true;
    }
    return any;
  }

  /** No task is parked: stalled tasks are the only ones that can go on, so they count as busy again. Returns whether any did. */
  unstall(): boolean {
    let any = false;
    for (const task of this.#tasks()) {
      if (task.wait === undefined || task.wait.modelled) continue;
      task.wait = undefined;
      this.#pending.unhold(task);
      any = true;
    }
    return any;
  }

  /** A reply of a blocked task arrived: a stall ended, or a modelled lock was not held after all. */
  #replied(task: Task): void {
    const wait = task.wait;
    task.wait = undefined;
    if (wait === undefined || !wait.modelled) return;
    this.#record(task, {
      op: "write",
      location: WORLD,
      origin: "pg",
      label: `untraced pg: lock wait not modelled: ${task.name}'s statement went on while ${wait.holder ?? "another task"} held ${wait.label} as interlace saw it`,
    });
  }
}
