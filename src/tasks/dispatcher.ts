/**
 * The process-wide task dispatcher: one AsyncLocalStorage that tells which task (if any) runs the
 * current code, and the {@link GateRun} installed on the gate object while a task run is active.
 * Each gate call is routed to the task that reached it; code outside every task passes straight
 * through. Between runs the gate object is back to `run === null` and the storage is disabled.
 *
 * Both live in the global symbol registry: two copies of interlace in one process (a test runner
 * aliasing the sources, a bundled copy) share them, as they share the gate object.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { fileURLToPath } from "node:url";
import { NAME_PATTERN } from "../engine/schedule.js";
import { markModelled } from "../access/callees.js";
import { UsageError } from "../errors.js";
import { getGates, type GateRun } from "./gates.js";

/** A task: it handles the gates its own code reaches (the run that owns it decides). */
export type DispatchedTask = GateRun;

interface Dispatcher {
  readonly store: AsyncLocalStorage<DispatchedTask>;
  readonly gateRun: GateRun;
}

const DISPATCHER_KEY = "interlace.tasks.dispatcher.v1";

/** The shared dispatcher (created on first use). */
export function getDispatcher(): Dispatcher {
  const registry = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  const key = Symbol.for(DISPATCHER_KEY);
  let dispatcher = registry[key];
  if (dispatcher === undefined) {
    const store = new AsyncLocalStorage<DispatchedTask>();
    const gateRun: GateRun = {
      a(x, f, i, k) {
        const task = store.getStore();
        return task === undefined ? x : task.a(x, f, i, k);
      },
      m(f, i, k) {
        const task = store.getStore();
        return task === undefined ? undefined : task.m(f, i, k);
      },
      i(x, f, i) {
        const task = store.getStore();
        return task === undefined ? x : task.i(x, f, i);
      },
      p(name, where) {
        const task = store.getStore();
        return task === undefined ? undefined : task.p(name, where);
      },
      l(lock, where) {
        return store.getStore()?.l?.(lock, where);
      },
      r(op, lock) {
        store.getStore()?.r?.(op, lock);
      },
    };
    dispatcher = { store, gateRun };
    registry[key] = dispatcher;
  }
  return dispatcher;
}

/** Routes every gate to its task's run from now on (idempotent). */
export function installDispatcher(): Dispatcher {
  const dispatcher = getDispatcher();
  getGates().run = dispatcher.gateRun;
  return dispatcher;
}

/**
 * Back to pass-through gates once a run is over, and AsyncLocalStorage off: while any instance is
 * enabled, Node tracks the context of every promise in the process (measured: plain async code
 * 15× slower). By then the run's parked tasks were cancelled (`TaskRun.end`); a task still
 * running or waiting continues without gates.
 */
export function uninstallDispatcher(): void {
  const dispatcher = getDispatcher();
  const gates = getGates();
  if (gates.run === dispatcher.gateRun) gates.run = null;
  dispatcher.store.disable();
}

/**
 * A hand-placed scheduling point: `await point("name")` parks the calling task exactly like a
 * `// interlace: name` marker comment, so schedules can name it. Outside a task run it resolves at
 * once.
 *
 * @param name - Point name, as used in schedules (`task1:name`).
 */
export function point(name: string): Promise<void> {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new UsageError(`point(name): ${JSON.stringify(name)} is not a valid point name; use letters, digits, _, $, . or - (starting with a letter, _ or $).`);
  }
  const gates = getGates();
  const parked = gates.run === null ? undefined : gates.run.p(name, callerPosition());
  return parked ?? Promise.resolve();
}

// A scheduling point the task run models itself.
markModelled(point);

/** `file:line:column` of the code that called `callee` (default: `point()`), from a two-frame stack. */
export function callerPosition(callee: (...args: never[]) => unknown = point): string | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 2;
  Error.captureStackTrace(holder, callee);
  Error.stackTraceLimit = limit;
  const frame = holder.stack?.split("\n")[1];
  const match = frame && /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(frame);
  return match ? `${match[1]}:${match[2]}:${match[3]}` : undefined;
}

/**
 * interlace's own code, as paths and URLs: never a user's position. Both folders, whichever this
 * file runs from: with source maps on (tsx), frames of `dist/` show as their `src/` files.
 */
const OWN_CODE = ["src/", "dist/"].flatMap((folder) => {
  const url = new URL(`../../${folder}`, import.meta.url).href;
  return [url, fileURLToPath(url)];
});

/**
 * `file:line:column` of the first frame above `callee` outside Node's own code and interlace's:
 * where user code (or a package) made a call that reached interlace through its runtime's stand-ins
 * (a timer armed, an fs call run as phases).
 */
export function outsidePosition(callee: (...args: never[]) => unknown): string | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 12;
  Error.captureStackTrace(holder, callee);
  Error.stackTraceLimit = limit;
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!match || match[1]!.startsWith("node:") || OWN_CODE.some((own) => match[1]!.startsWith(own))) continue;
    return `${match[1]}:${match[2]}:${match[3]}`;
  }
  return undefined;
}
