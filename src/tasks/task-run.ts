/**
 * The isolate side of one task run: the tasks, the gates they are parked at, and which task holds
 * the turn. Instrumented code reaches it through the gate object and the dispatcher; the run
 * controller (`run-tasks.ts`) reads {@link TaskRun.snapshot} at quiet points and applies the
 * engine's decisions with {@link TaskRun.release} and {@link TaskRun.free}.
 *
 * Gate semantics:
 * - an `await` gate waits for its operand first, then parks, unless the task holds the turn and the
 *   policy lets its awaits through (marker schedules), or the run is free;
 * - a marker or `point()` gate always parks while the schedule is being followed;
 * - once the run has ended (completed or failed), the gates its tasks are parked at reject with a
 *   {@link TaskCancelledError} (callback gates open), so their `catch` and `finally` blocks run; a
 *   task that reaches a gate while the dispatcher still routes to it passes its first
 *   {@link AFTER_END_AWAITS} awaits (cleanup code may wait for its I/O), and its scheduling points
 *   (and further awaits) reject, {@link AFTER_END_REJECTIONS} times at most: then it parks for good,
 *   so a loop that swallows the cancellation cannot spin forever.
 *
 * @module
 */
import { clock } from "../controller/clock.js";
import type { Where } from "../engine/schedule-run.js";
import type { Access } from "../strategies/access.js";
import type { LockGate, TaskGate, TaskSnapshot } from "../engine/task-schedule.js";
import { parsePosition, toWhere } from "./where.js";
import { getDispatcher, type DispatchedTask } from "./dispatcher.js";
import { types } from "node:util";
import { getGates, SCHEDULABLE_LOCK, type SchedulableLock } from "./gates.js";
import { walkState } from "../access/state-walk.js";
import { TaskCancelledError } from "../errors.js";
import type { TaskWait } from "./external-waits.js";

export { parsePosition };

/** Awaits a task passes after its run ended (its cleanup code waiting for its I/O) before they reject too. */
export const AFTER_END_AWAITS = 1000;
/** Gates of a task that reject after its run ended before the task parks for good. */
export const AFTER_END_REJECTIONS = 100;

/** Whether `o` is a lock the scheduler knows (interlace's task `Mutex`, from any copy of interlace), without running its code. */
function isSchedulableLock(o: object): o is SchedulableLock {
  return !types.isProxy(o) && SCHEDULABLE_LOCK in o;
}

/** A task function and the name schedules know it by. */
export interface TaskThread {
  name: string;
  fn: (state: unknown) => unknown;
}

interface Parked {
  gate: TaskGate;
  open: () => void;
  /** Rejects the gate (the run ended). */
  cancel: (error: unknown) => void;
  /** An `acquire` gate's lock: its state is read at each quiet point. */
  lock?: SchedulableLock;
  /** Code instrumented for `interlace debug`: a closure of the frame parked here (see `PEEK_CLOSURE`). */
  peek?: () => void;
}

/** What the run reports to its controller as tasks end, and the lock operations of its tasks. */
export interface TaskRunListener {
  finished(task: Task): void;
  threw(task: Task, error: unknown): void;
  /** A task took or gave back a lock, or a phase of its compound fs call ran (recorded as an access when accesses are recorded). */
  access?(task: Task, access: Access): void;
}

/** A lock as this run names it. */
interface LockInfo {
  location: string;
  label: string;
  holder: Task | undefined;
}

/** One task of a run. */
export class Task implements DispatchedTask {
  readonly name: string;
  readonly run: TaskRun;
  readonly parked: Parked[] = [];
  finished = false;
  /** Set once the task used up its decisions: its gates let it through from then on. */
  free = false;
  /** The `[file, site]` of the last await the task suspended at: where it is when blocked. */
  lastAwait: readonly [number, number] | undefined;
  /** What the task's function resolved to (once finished without throwing). */
  result: unknown;
  /** Set while it waits outside the heap for something another task holds (`external-waits.ts`). */
  wait: TaskWait | undefined;
  /** Gates the task met after its run ended: awaits passed, gates rejected. */
  passedAfterEnd = 0;
  rejectedAfterEnd = 0;

  constructor(name: string, run: TaskRun) {
    this.name = name;
    this.run = run;
  }

  a(x: unknown, f: number, i: number, peek?: () => void): unknown {
    return this.run.awaitGate(this, x, f, i, peek);
  }
  m(f: number, i: number, peek?: () => void): Promise<void> | undefined {
    return this.run.markerGate(this, this.run.siteName(f, i), this.run.where(f, i), peek);
  }
  i(x: unknown, f: number, i: number): unknown {
    return this.run.iterate(this, x, f, i);
  }
  p(name: string, where: string | undefined): Promise<void> | undefined {
    return this.run.markerGate(this, name, parsePosition(where));
  }
  l(lock: SchedulableLock, where: string | undefined): Promise<void> | undefined {
    return this.run.lockGate(this, lock, where);
  }
  r(op: "acquire" | "release", lock: SchedulableLock): void {
    this.run.lockOp(this, op, lock);
  }
}

/** A promise that never settles: the gate of an ended run. */
const NEVER: Promise<never> = new clock.Promise<never>(() => {});

/** The tasks of one run and their gates. */
export class TaskRun {
  readonly tasks: Task[] = [];
  readonly #listener: TaskRunListener;
  readonly #passAwaits: boolean;
  /** `#wheres[file][site]`: positions computed once per gate site (`null`: no position). */
  readonly #wheres: Array<Array<Where | null | undefined> | undefined> = [];
  /** Locks in the order the run first met them: `Mutex#1`, `Mutex#2`, … the same in every run of a deterministic program. */
  readonly #locks = new Map<SchedulableLock, LockInfo>();
  #holder: Task | null = null;
  readonly #gatePromises = new WeakSet<object>();
  #free = false;
  #ended = false;
  /** The cancellation errors this run's gates rejected with. */
  readonly #cancellations = new WeakSet<object>();
  #cancelled = false;

  /**
   * @param passAwaits - Whether the task holding the turn passes `await` gates without a decision
   *   (marker schedules: a task runs from marker to marker).
   */
  constructor(listener: TaskRunListener, passAwaits: boolean) {
    this.#listener = listener;
    this.#passAwaits = passAwaits;
  }

  /** Creates every task, each parked at its start gate. */
  start(threads: readonly TaskThread[], state: unknown): void {
    // Locks reachable from the state are numbered first, in a fixed order: a lock has the same
    // name in every run, whichever task meets it first.
    walkState(state, (o) => {
      if (isSchedulableLock(o)) this.#lockInfo(o);
    });
    const { store } = getDispatcher();
    // Threads running the same code start at the same point (strategies may treat them alike).
    const codes = new Map<string, number>();
    for (const thread of threads) {
      const task = new Task(thread.name, this);
      this.tasks.push(task);
      let code: string;
      try {
        code = Function.prototype.toString.call(thread.fn);
      } catch {
        code = thread.name;
      }
      if (!codes.has(code)) codes.set(code, codes.size);
      const site = `start#${codes.get(code)}`;
      store.run(task, () => {
        this.#park(task, { kind: "start", site })
          .then(() => thread.fn(state))
          .then(
            (value: unknown) => {
              task.result = value;
              this.#end(task, () => this.#listener.finished(task));
            },
            (error: unknown) => this.#end(task, () => this.#listener.threw(task, error)),
          );
      });
    }
  }

  /** Each task's phase; valid at a quiet point (no task code running). */
  snapshot(): TaskSnapshot[] {
    return this.tasks.map((task): TaskSnapshot => {
      // A task whose function returned may still have callbacks to run (a deferred callback is a strand of it).
      if (task.finished && task.parked.length === 0) return { name: task.name, phase: "finished" };
      const first = task.parked[0];
      if (first) {
        return task.parked.length === 1
          ? { name: task.name, phase: "parked", gate: this.#gateNow(first) }
          : { name: task.name, phase: "parked", gate: this.#gateNow(first), gates: task.parked.map((p) => this.#gateNow(p)) };
      }
      const where = task.lastAwait ? this.where(task.lastAwait[0], task.lastAwait[1]) : undefined;
      const blocked: TaskSnapshot = where ? { name: task.name, phase: "blocked", where } : { name: task.name, phase: "blocked" };
      if (task.wait !== undefined) blocked.waitingFor = { label: task.wait.label, modelled: task.wait.modelled, ...(task.wait.holder === undefined ? {} : { holder: task.wait.holder }) };
      return blocked;
    });
  }

  /** The task holding the turn, if any. */
  get holder(): Task | null {
    return this.#holder;
  }

  /** Opens a gate of a parked task (its oldest by default) and gives it the turn. */
  release(name: string, gate = 0): void {
    const task = this.tasks.find((t) => t.name === name);
    const parked = task?.parked.splice(gate, 1)[0];
    if (!task || !parked) throw new Error(`release(${name}): the task is not parked`);
    this.#holder = task;
    parked.open();
  }

  /** Lets one task run freely from now on (its parked gates open too). */
  freeTask(name: string): void {
    const task = this.tasks.find((t) => t.name === name);
    if (!task) throw new Error(`freeTask(${name}): no such task`);
    task.free = true;
    for (const parked of task.parked.splice(0)) parked.open();
  }

  /** Lets every task run freely from now on. */
  free(): void {
    this.#free = true;
    this.#holder = null;
    for (const task of this.tasks) for (const parked of task.parked.splice(0)) parked.open();
  }

  /**
   * Ends the run: the gates tasks are parked at reject with a {@link TaskCancelledError} (a
   * deferred callback's gate opens: it runs, as callbacks do after the run), so their `catch` and
   * `finally` blocks run. The rejections reach the tasks' own code; a task's top-level promise is
   * handled here, and once the run has ended what a task throws is not reported.
   */
  end(): void {
    this.#ended = true;
    this.#holder = null;
    for (const task of this.tasks) {
      for (const parked of task.parked.splice(0)) {
        if (parked.gate.kind === "callback") parked.open();
        else parked.cancel(this.#cancellation(task));
      }
    }
  }

  /** Whether `reason` is a cancellation error of this run (see {@link end}). */
  isCancellation(reason: unknown): boolean {
    return typeof reason === "object" && reason !== null && this.#cancellations.has(reason);
  }

  /** Whether any gate of this run rejected with a cancellation error. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  #cancellation(task: Task): TaskCancelledError {
    const error = new TaskCancelledError(task.name);
    this.#cancellations.add(error);
    this.#cancelled = true;
    return error;
  }

  /** Whether every task's function has settled (returned, thrown, or rejected). */
  get settled(): boolean {
    return this.tasks.every((t) => t.finished);
  }

  // ---------------------------------------------------------------- gates (via Task)

  awaitGate(task: Task, x: unknown, f: number, i: number, peek?: () => void): unknown {
    if (this.#ended) return this.#afterEnd(task, x, true);
    task.lastAwait = [f, i];
    if (this.#free || task.free) return x;
    // `await point("x")`, a marker's own promise: that gate is the scheduling point, not a second one after it.
    if (typeof x === "object" && x !== null && this.#gatePromises.has(x)) return x;
    const gated = this.#settleThenGate(task, x, f, i, peek);
    this.#gatePromises.add(gated);
    return gated;
  }

  /**
   * Whether `promise` is one an await gate returned: compiled async code (`__awaiter`, `__async`)
   * resumes its generator with `then` on it, which is the await itself, not a callback of its own.
   */
  isGatePromise(promise: object): boolean {
    return this.#gatePromises.has(promise);
  }

  markerGate(task: Task, name: string, where: Where | undefined, peek?: () => void): Promise<void> | undefined {
    if (this.#ended) return this.#afterEnd(task, undefined, false);
    if (this.#free || task.free) return undefined;
    const parked = this.#park(task, where ? { kind: "marker", marker: name, where } : { kind: "marker", marker: name }, peek);
    this.#gatePromises.add(parked);
    return parked;
  }

  /**
   * The gate before a task takes a lock: while exploring, the task parks here and the scheduler
   * releases it only when the lock is free, so that taking a lock is one step and a task waiting
   * for a held lock is not runnable. Marker schedules and free tasks go straight to the lock.
   */
  lockGate(task: Task, lock: SchedulableLock, where: string | undefined): Promise<void> | undefined {
    if (this.#ended) return this.#afterEnd(task, undefined, true);
    if (this.#free || task.free || this.#passAwaits) return undefined;
    const at = parsePosition(where);
    const info = this.#lockInfo(lock);
    const gate: TaskGate = { kind: "acquire", lock: { location: info.location, label: info.label, available: !lock.isLocked } };
    if (at) gate.where = at;
    return new clock.Promise<void>((open, cancel) => task.parked.push({ gate, open, cancel, lock }));
  }

  /** An access a phase of a compound call of the task made (`fs-phases.ts`), in its step now. */
  recordAccess(task: Task, access: Access): void {
    if (!this.#ended) this.#listener.access?.(task, access);
  }

  /** A task took or gave back a lock. */
  lockOp(task: Task, op: "acquire" | "release", lock: SchedulableLock): void {
    if (this.#ended) return;
    const info = this.#lockInfo(lock);
    info.holder = op === "acquire" ? task : undefined;
    this.#listener.access?.(task, { op, location: info.location, label: info.label });
  }

  /**
   * The gate before a callback the task's traced code scheduled runs (see `callbacks.ts`): while
   * exploring it parks, so that another task may run first, as it may when the callback waits for
   * its turn in the event loop. Marker schedules let the task holding the turn through, as for
   * awaits; after the run, and for free tasks, the callback runs at once.
   */
  callbackGate(task: Task, via: string, where: Where | undefined): Promise<void> | undefined {
    if (this.#ended || this.#free || task.free || (task === this.#holder && this.#passAwaits)) return undefined;
    const gate: TaskGate = { kind: "callback", callback: via };
    if (where !== undefined) gate.where = where;
    return this.#park(task, gate);
  }

  /** A callback run from its gate threw, and nothing awaits it: a fault of its task, as an uncaught exception would be. */
  callbackThrew(task: Task, error: unknown): void {
    if (!this.#ended) this.#listener.threw(task, error);
  }

  iterate(task: Task, iterable: unknown, f: number, i: number): unknown {
    const run = this;
    const source = iterable as AsyncIterable<unknown> & Iterable<unknown>;
    return {
      [Symbol.asyncIterator](): AsyncIterator<unknown> {
        const inner = asyncIteratorOf(source);
        return {
          next: (...args: [] | [unknown]) => run.awaitGate(task, inner.next(...args), f, i) as Promise<IteratorResult<unknown>>,
          return: (value?: unknown) => (inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value })),
          throw: (error?: unknown) => (inner.throw ? inner.throw(error) : Promise.reject(error)),
        };
      },
    };
  }

  /** Marker name of a site (markers and points). */
  siteName(f: number, i: number): string {
    return getGates().files[f]?.sites[i]?.[3] ?? "";
  }

  /** Original position of a site, for reports. */
  where(f: number, i: number): Where | undefined {
    const sites = (this.#wheres[f] ??= []);
    let where = sites[i];
    if (where === undefined) {
      const file = getGates().files[f];
      const site = file?.sites[i];
      where = file && site ? toWhere(file.url, site[0], site[1]) : null;
      sites[i] = where;
    }
    return where ?? undefined;
  }

  async #settleThenGate(task: Task, x: unknown, f: number, i: number, peek: (() => void) | undefined): Promise<unknown> {
    let value: unknown;
    let failed = false;
    let error: unknown;
    try {
      value = await x;
    } catch (e) {
      failed = true;
      error = e;
    }
    const gate = this.#afterAwait(task, f, i, peek);
    if (gate !== undefined) await gate;
    if (failed) throw error;
    return value;
  }

  #afterAwait(task: Task, f: number, i: number, peek: (() => void) | undefined): Promise<void> | undefined {
    if (this.#ended) return this.#afterEnd(task, undefined, true);
    if (this.#free || task.free || (task === this.#holder && this.#passAwaits)) return undefined;
    const where = this.where(f, i);
    return this.#park(task, where ? { kind: "await", where } : { kind: "await" }, peek);
  }

  #lockInfo(lock: SchedulableLock): LockInfo {
    let info = this.#locks.get(lock);
    if (info === undefined) {
      const id = `Mutex#${this.#locks.size + 1}`;
      info = { location: `lock:${id}`, label: lock.name ?? id, holder: undefined };
      this.#locks.set(lock, info);
    }
    return info;
  }

  /** A parked gate as of now: an `acquire` gate with its lock's current state. */
  #gateNow(parked: Parked): TaskGate {
    const { lock } = parked;
    if (lock === undefined) return parked.gate;
    const info = this.#lockInfo(lock);
    const state: LockGate = { location: info.location, label: info.label, available: !lock.isLocked };
    if (info.holder !== undefined) state.holder = info.holder.name;
    return { ...parked.gate, lock: state };
  }

  #park(task: Task, gate: TaskGate, peek?: () => void): Promise<void> {
    return new clock.Promise<void>((open, cancel) => task.parked.push(peek === undefined ? { gate, open, cancel } : { gate, open, cancel, peek }));
  }

  /**
   * The closure of the frame `name` is parked in (its first gate, the one its status shows), when
   * its code was instrumented for `interlace debug` and that gate is an await or a marker.
   */
  peekOf(name: string): (() => void) | undefined {
    return this.tasks.find((t) => t.name === name)?.parked[0]?.peek;
  }

  /** A gate reached after the run ended (see the module comment): `pass` lets it through. */
  #afterEnd<T>(task: Task, pass: T, isAwait: boolean): T | Promise<never> {
    if (isAwait && task.passedAfterEnd < AFTER_END_AWAITS) {
      task.passedAfterEnd++;
      return pass;
    }
    if (task.rejectedAfterEnd >= AFTER_END_REJECTIONS) return NEVER;
    task.rejectedAfterEnd++;
    return clock.Promise.reject(this.#cancellation(task));
  }

  #end(task: Task, report: () => void): void {
    task.finished = true;
    if (this.#holder === task) this.#holder = null;
    if (!this.#ended) report();
  }
}

function asyncIteratorOf(source: AsyncIterable<unknown> & Iterable<unknown>): AsyncIterator<unknown> {
  if (typeof source[Symbol.asyncIterator] === "function") return source[Symbol.asyncIterator]();
  const sync = source[Symbol.iterator]();
  return {
    next: async (...args: [] | [unknown]) => {
      const result = sync.next(...args);
      return result.done ? result : { done: false, value: await result.value };
    },
    return: async (value?: unknown) => (sync.return ? sync.return(value) : { done: true, value }),
  };
}
