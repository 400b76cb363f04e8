// @ts-check
/**
 * Isolate side of every worker and process thread: load the module, stop at the ready point so
 * the controller can arm markers, call the export, report how it ended.
 */
import { createRequire, register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, sep } from "node:path";
import { receiveMessageOnPort } from "node:worker_threads";

const RUNTIME_DIR = dirname(fileURLToPath(import.meta.url)) + sep;

/**
 * Runs the thread, again and again: after each call of its function it waits for the state of the
 * next run (explorations reuse the isolate) and goes back to the ready point. Returns only when the
 * module did not load or the controller rejected the run; otherwise the controller ends the isolate.
 *
 * @param {import("../protocol/messages.js").ThreadLaunch} launch
 * @param {unknown} state
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 * @param {() => Promise<unknown>} nextState resolves with the next run's state
 * @param {import("node:worker_threads").MessagePort} proceed where the controller's go-ahead waits
 *   when the thread is resumed out of its ready point
 * @param {import("node:worker_threads").MessagePort} [compiler] workers: a port whose other end the
 *   controller holds, handed to the compiler hooks (tsx-compiler.mjs) so that the controller can
 *   stop tsx's esbuild process itself, even while this thread is blocked or paused
 * @returns {Promise<void>}
 */
export async function runThread(launch, state, post, nextState, proceed, compiler) {
  process.setSourceMapsEnabled(true);
  reportAtomicsWaits(post, launch.control);
  if (launch.useTsx) await registerTsx(compiler);
  const fn = await loadThread(launch, post);
  if (fn === undefined) return;
  for (let current = state; ; current = await nextState()) {
    // Proceed only if the controller says so: when it rejects the run (an unknown marker, say) it
    // tears the thread down from here, and the function must not start meanwhile.
    if (!interlaceThreadReady(proceed)) return;
    try {
      await fn(current, ...launch.args);
      post({ type: "returned" });
    } catch (error) {
      post({ type: "threw", stack: formatError(error) });
    }
  }
}

/**
 * Wraps `Atomics.wait` and `Atomics.notify` so the controller can tell a blocked thread from a
 * slow one without timing anything: a thread about to block reports where, and every notify adds
 * the number of waiters it woke to the controller's shared counter (`control[0]`) before the
 * notifying thread goes on, so that count is exact whenever the notifier next pauses. Timed waits
 * end by themselves and are left alone.
 *
 * The report reaches the controller before the thread is asleep. The controller then confirms
 * with a `Debugger.pause`: no JavaScript runs between the report and the builtin wait (no
 * interrupt check), so the pause is taken inside V8's wait loop, where the thread is already
 * registered as a waiter, with {@link BLOCKING_WAIT_FUNCTION} on top of the stack. Only then does
 * another thread run: a notify cannot slip between the report and the sleep.
 *
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 * @param {SharedArrayBuffer | undefined} control
 */
function reportAtomicsWaits(post, control) {
  const wakes = new Int32Array(control ?? new SharedArrayBuffer(4));
  const { wait, notify, load } = Atomics;
  Object.defineProperty(Atomics, "wait", {
    configurable: true,
    writable: true,
    value: function interlaceAtomicsWait(/** @type {Int32Array} */ array, /** @type {number} */ index, /** @type {number} */ value, /** @type {number | undefined} */ timeout) {
      const untimed = timeout === undefined || timeout === Infinity || Number.isNaN(Number(timeout));
      if (untimed && load(array, index) === value) {
        const stack = callerStack();
        const on = `${array?.constructor?.name ?? "array"}(${array?.length})[${index}]`;
        post({ type: "blocked", stack, on });
        // Nothing between the report and the wait (see above).
        return wait(array, index, value);
      }
      return wait(array, index, value, timeout);
    },
  });
  Object.defineProperty(Atomics, "notify", {
    configurable: true,
    writable: true,
    value: function interlaceAtomicsNotify(/** @type {Int32Array} */ array, /** @type {number} */ index, /** @type {number | undefined} */ count) {
      const woken = notify(array, index, count);
      if (woken > 0) Atomics.add(wakes, 0, woken);
      return woken;
    },
  });
}

/** The caller's stack, without this runtime's frames. */
function callerStack() {
  return formatError(new Error("blocked")).split("\n").slice(1).join("\n");
}

/**
 * @param {import("../protocol/messages.js").ThreadLaunch} launch
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 * @returns {Promise<Function | undefined>}
 */
async function loadThread(launch, post) {
  /** @type {Record<string, unknown>} */
  let mod;
  try {
    mod = await import(launch.moduleUrl);
  } catch (error) {
    post({ type: "load-failed", detail: formatError(error) });
    return undefined;
  }
  const fn = pickExport(mod, launch.exportName);
  if (typeof fn !== "function") {
    post({ type: "export-missing", available: listExports(mod) });
    return undefined;
  }
  return fn;
}

/**
 * The ready point: the controller arms breakpoints while the thread is paused here. When the run
 * lets the thread start, the controller queues a go-ahead on `proceed` before resuming it; resumed
 * without one (the controller rejected the run and is tearing the thread down), it returns false.
 * (Setting a local of this frame with Debugger.setVariableValue failed with "Internal error" once
 * V8 had optimised this function, after a few hundred runs in a reused isolate.)
 *
 * @param {import("node:worker_threads").MessagePort} proceed
 */
function interlaceThreadReady(proceed) {
  // eslint-disable-next-line no-debugger
  debugger;
  return receiveMessageOnPort(proceed) !== undefined;
}

/**
 * Registers tsx's ESM and CJS hooks, preceded (workers) by interlace's compiler hooks
 * (tsx-compiler.mjs), which answer the controller on `compiler`.
 * @param {import("node:worker_threads").MessagePort} [compiler]
 */
async function registerTsx(compiler) {
  if (compiler) {
    const tsxApi = fileURLToPath(import.meta.resolve("tsx/esm/api"));
    const esbuildUrl = pathToFileURL(createRequire(tsxApi).resolve("esbuild")).href;
    register(new URL("./tsx-compiler.mjs", import.meta.url), { data: { port: compiler, esbuildUrl }, transferList: [compiler] });
  }
  const [esm, cjs] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]);
  esm.register();
  cjs.register();
}

/**
 * @param {Record<string, unknown>} mod
 * @param {string} name
 */
function pickExport(mod, name) {
  if (typeof mod[name] === "function") return mod[name];
  const cjs = mod.default;
  if (cjs && typeof cjs === "object" && typeof (/** @type {Record<string, unknown>} */ (cjs))[name] === "function") {
    return (/** @type {Record<string, unknown>} */ (cjs))[name];
  }
  return undefined;
}

/** @param {Record<string, unknown>} mod */
function listExports(mod) {
  const names = new Set(Object.keys(mod).filter((k) => k !== "default" && k !== "module.exports"));
  const cjs = mod.default;
  if (cjs && typeof cjs === "object") for (const k of Object.keys(cjs)) names.add(k);
  else if (typeof cjs === "function") names.add("default");
  return [...names].sort();
}

/** @param {unknown} error */
export function formatError(error) {
  if (!(error instanceof Error) || typeof error.stack !== "string") return String(error);
  return error.stack
    .split("\n")
    .filter((line) => !line.includes(RUNTIME_DIR) && !line.includes("node:internal/"))
    .join("\n");
}
