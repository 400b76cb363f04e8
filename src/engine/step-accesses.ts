/**
 * What each exploration step did to shared memory, for partial-order reduction and explanations.
 *
 * A step runs from one decision to the next. The runtime records the shared accesses made in the
 * meantime (tasks: the access transform and the task `Mutex`; workers: the access ring) into an
 * {@link AccessSource}; at the next decision they are drained and become the step's accesses.
 * Everything that ran in that window belongs to the step, including code of other threads that
 * the step woke (a task whose promise it resolved, a worker it notified): the step caused it, and
 * reordering the step reorders it too. Each access keeps the thread that made it, for reports.
 *
 * {@link StepAccounting} feeds them to a strategy that wants them (`observe`, see
 * `strategies/dpor.ts`) and keeps them on the steps (`ExploreStep.accesses`).
 */
import { isWorld, type Access } from "../strategies/access.js";

/** An access and the thread that made it. */
export interface ThreadAccess extends Access {
  thread: string;
}

/** Where a run's accesses are collected between decisions. */
export interface AccessSource {
  /** The accesses made since the last call, in order. */
  drain(): ThreadAccess[];
  /** The name the drained accesses give a location reported some other way (a lock gate's lock); the location itself by default. */
  rename?(location: string): string;
}

/** The strategy's side: what it is told about each step (optional: most strategies ignore it). */
export interface StepObserver {
  /** The accesses of the step just taken by `thread` (the thread the last choice returned). */
  observe?(thread: string, accesses: readonly Access[]): void;
  /** At the end of a run, a thread left waiting for a lock, and the acquire it waits to make. */
  observeBlocked?(thread: string, accesses: readonly Access[]): void;
}

/** A step whose accesses are recorded: the part of `ExploreStep` this module fills. */
export interface StepWithAccesses {
  task: string;
  accesses?: ThreadAccess[];
}

/** Drains the accesses of each step and reports them. */
export class StepAccounting {
  readonly #source: AccessSource | null;
  readonly #observer: StepObserver;
  #pending: StepWithAccesses | null = null;
  #last: StepWithAccesses | null = null;
  #unobserved: ThreadAccess[] = [];
  #finished = false;

  constructor(source: AccessSource | null, observer: StepObserver) {
    this.#source = source;
    this.#observer = observer;
  }

  /** Whether accesses are recorded at all. */
  get recording(): boolean {
    return this.#source !== null;
  }

  /** Closes the previous step: call before each decision. Returns the accesses drained. */
  settle(): readonly ThreadAccess[] {
    const source = this.#source;
    if (source === null) return [];
    const drained = source.drain();
    const step = this.#pending;
    this.#pending = null;
    if (step === null) {
      // No step open (threads running freely): their unobserved effects still belong to the run,
      // on its last step, so that it is known the run was not fully watched.
      const world = [...this.#unobserved, ...drained.filter(isWorld)];
      if (world.length > 0 && this.#last !== null) {
        (this.#last.accesses ??= []).push(...world);
        this.#unobserved = [];
      }
      return drained;
    }
    const accesses = this.#unobserved.length === 0 ? drained : [...this.#unobserved, ...drained];
    this.#unobserved = [];
    step.accesses = accesses;
    this.#observer.observe?.(step.task, accesses.map(withoutThread));
    return accesses;
  }

  /** Opens a step: call after each decision. */
  taken(step: StepWithAccesses): void {
    if (this.#source === null) return;
    this.#pending = step;
    this.#last = step;
  }

  /**
   * Records an effect that will not be observed (a write of the outside world: a thread let run
   * freely past `maxSteps`): it joins the step in progress, or the next one, or else the run's last
   * step, so that the search knows its runs were not fully watched and never calls itself complete.
   */
  unobserved(access: ThreadAccess): void {
    if (this.#source !== null) this.#unobserved.push(access);
  }

  /**
   * Ends the run: the last step's accesses, then the threads left waiting for a lock (a
   * deadlock), each with the acquire it waits for. Idempotent.
   */
  finish(waiting: ReadonlyArray<{ thread: string; lock: Access }>): void {
    if (this.#source === null || this.#finished) return;
    this.#finished = true;
    this.settle();
    for (const { thread, lock } of waiting) this.#observer.observeBlocked?.(thread, [lock]);
  }
}

function withoutThread(access: ThreadAccess): Access {
  const { thread: _, ...rest } = access;
  return rest;
}
