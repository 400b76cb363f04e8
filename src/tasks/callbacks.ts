/**
 * Callback boundaries as scheduling points. A callback that traced code of a task hands to
 * `setImmediate`, `setTimeout`, `setInterval`, `queueMicrotask`, `process.nextTick`, a promise's
 * `then`/`catch`/`finally`, or an event emitter or target (`on`, `once`, `addListener`,
 * `addEventListener`, …) does not run where it was scheduled: other code may run first, another
 * task's synchronous code included. So while a task run is active the callback is wrapped: when it
 * is due it first parks at a `callback` gate of the task that scheduled it (`TaskRun.callbackGate`),
 * and runs when the scheduler releases it — a race between a deferred callback and another task
 * (a check made before the deferral, acted on in the callback) can then be found.
 *
 * Granularity: the wrapped calls are those written in traced code (through the access runtime's
 * call hook, so only in files instrumented with accesses, the default). Callbacks that untraced
 * code schedules inside a package are not gated. An event listener parks only when the event is
 * dispatched from the event loop (I/O, timers); a listener called synchronously by an `emit`
 * (or `abort()`) that traced code made runs at once, as it does natively. A promise callback
 * returns the gated result to its derived promise (same value, a few more microtask ticks); an error
 * thrown by a fire-and-forget callback (timers, `nextTick`, listeners) fails its task.
 *
 * @module
 */
import { EventEmitter } from "node:events";
import { types } from "node:util";
import type { CallHook } from "../access/protocol.js";
import type { Where } from "../engine/schedule-run.js";
import { callerPosition } from "./dispatcher.js";
import { FsPhases } from "./fs-phases.js";
import { parsePosition, type Task } from "./task-run.js";

/** How a scheduling function takes its callback. */
interface Scheduler {
  /** Positions of the callback arguments. */
  args: readonly number[];
  /** `then`: the callback's result feeds a promise; `listener`: may be called synchronously; `deferred`: always later. */
  kind: "then" | "listener" | "deferred";
  name: string;
}

const SCHEDULERS = new Map<Function, Scheduler>();
const deferred = (fn: Function | undefined, name: string): void => {
  if (typeof fn === "function") SCHEDULERS.set(fn, { args: [0], kind: "deferred", name });
};
deferred(globalThis.setTimeout, "setTimeout");
deferred(globalThis.setInterval, "setInterval");
deferred(globalThis.setImmediate, "setImmediate");
deferred(globalThis.queueMicrotask, "queueMicrotask");
deferred(process.nextTick, "nextTick");
SCHEDULERS.set(Promise.prototype.then, { args: [0, 1], kind: "then", name: "then" });
SCHEDULERS.set(Promise.prototype.catch, { args: [0], kind: "then", name: "catch" });
SCHEDULERS.set(Promise.prototype.finally, { args: [0], kind: "then", name: "finally" });
for (const name of ["on", "once", "addListener", "prependListener", "prependOnceListener"] as const) {
  SCHEDULERS.set(EventEmitter.prototype[name], { args: [1], kind: "listener", name: "listener" });
}
SCHEDULERS.set(EventTarget.prototype.addEventListener, { args: [1], kind: "listener", name: "listener" });

const { apply } = Reflect;
const LISTENER: Scheduler = { args: [1], kind: "listener", name: "listener" };
const LISTENER_METHODS = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener"]);

/** Emitters that override their listener methods (streams override `on`): recognised by receiver and method name. */
function listenerMethod(o: object, key: PropertyKey): Scheduler | undefined {
  return typeof key === "string" && LISTENER_METHODS.has(key) && !types.isProxy(o) && o instanceof EventEmitter ? LISTENER : undefined;
}

/** The call hook of one task run: wraps the callbacks its tasks' traced code schedules. */
export class CallbackGates implements CallHook {
  readonly #ownTask: () => Task | undefined;
  readonly #traced: () => Iterable<string>;
  /** Compound fs calls run as their phases (`fs-phases.ts`): the other substitution of a task's calls. */
  readonly #fs: FsPhases;

  /**
   * @param ownTask - The task of this run running the current code, if any.
   * @param tracedFiles - URLs or paths of the traced files (to tell a synchronous dispatch from traced code).
   */
  constructor(ownTask: () => Task | undefined, tracedFiles: () => Iterable<string>) {
    this.#ownTask = ownTask;
    this.#traced = tracedFiles;
    this.#fs = new FsPhases(ownTask);
  }

  plain(f: Function): Function | undefined {
    const scheduler = SCHEDULERS.get(f);
    if (scheduler === undefined) return this.#fs.substitute(f);
    const gates = this;
    return function scheduling(this: unknown, ...args: unknown[]): unknown {
      return apply(f, this, gates.#wrapArgs(scheduler, args, scheduling));
    };
  }

  method(method: Function, o: object, key: PropertyKey): ((...args: unknown[]) => unknown) | undefined {
    const scheduler = SCHEDULERS.get(method) ?? listenerMethod(o, key);
    if (scheduler === undefined) {
      const phased = this.#fs.substitute(method);
      return phased === undefined ? undefined : (...args: unknown[]): unknown => apply(phased, o, args);
    }
    // Compiled async code awaiting through an await gate's promise: the gate is the scheduling point.
    if (scheduler.kind === "then" && this.#ownTask()?.run.isGatePromise(o) === true) return undefined;
    const scheduling = (...args: unknown[]): unknown => apply(method, o, this.#wrapArgs(scheduler, args, scheduling));
    return scheduling;
  }

  #wrapArgs(scheduler: Scheduler, args: unknown[], caller: Function): unknown[] {
    const task = this.#ownTask();
    if (task === undefined) return args;
    const where = parsePosition(callerPosition(caller as (...args: never[]) => unknown)); // where it was scheduled
    const out = [...args];
    for (const i of scheduler.args) {
      const callback = out[i];
      if (typeof callback === "function") out[i] = this.#gated(callback, task, scheduler, where, args[0]);
    }
    return out;
  }

  #gated(callback: Function, task: Task, scheduler: Scheduler, where: Where | undefined, event: unknown): Function {
    const gates = this;
    const via = scheduler.kind === "listener" ? `listener of ${typeof event === "string" ? JSON.stringify(event) : "an event"}` : scheduler.name;
    function gated(this: unknown, ...args: unknown[]): unknown {
      if (scheduler.kind === "listener" && gates.#fromTracedCode()) return apply(callback, this, args);
      const gate = task.run.callbackGate(task, via, where);
      if (gate === undefined) return apply(callback, this, args);
      const ran = gate.then(() => apply(callback, this, args));
      if (scheduler.kind === "then") return ran;
      ran.then(undefined, (error: unknown) => task.run.callbackThrew(task, error));
      return undefined;
    }
    // EventEmitter#removeListener finds a wrapped listener by its `listener` property (as for `once`).
    Object.defineProperty(gated, "listener", { value: callback });
    return gated;
  }

  /** Whether traced code is on the stack: the listener is being called by an `emit` it made. */
  #fromTracedCode(): boolean {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    Error.captureStackTrace(holder);
    Error.stackTraceLimit = limit;
    // Synchronous frames only: V8 appends the awaiting async callers (`at async f (…)`), which are not on the stack.
    const stack = (holder.stack ?? "").split("\n").filter((line) => !/^\s*at async /.test(line)).join("\n");
    for (const file of this.#traced()) {
      const path = file.startsWith("file://") ? decodeURIComponent(file.slice("file://".length)) : file;
      if (stack.includes(file) || stack.includes(path)) return true;
    }
    return false;
  }
}
