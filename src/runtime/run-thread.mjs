// @ts-check
/**
 * Isolate side of every worker and process thread: load the module, stop at the ready point so
 * the controller can arm markers, call the export, report how it ended.
 */
import { receiveMessageOnPort } from "node:worker_threads";
import { installAccessTracking } from "./access-loader.mjs";
import { installIo } from "./io-hooks.mjs";
import { wrapAtomics } from "./atomics.mjs";
import { formatError } from "./format-error.mjs";
import { installLockHooks } from "./lock-hooks.mjs";
import { activeResources, untilQuiet } from "./quiet.mjs";
import { SharedRecorder } from "./shared-recorder.mjs";
import { registerTsx } from "./tsx-register.mjs";

export { formatError };

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
 * @param {SharedArrayBuffer} [ioChannel] processes: the io channel their agent reads (workers: `launch.io.channel`)
 * @returns {Promise<void>}
 */
export async function runThread(launch, state, post, nextState, proceed, compiler, ioChannel) {
  process.setSourceMapsEnabled(true);
  // Workers with an access ring record their shared accesses (shared-recorder.mjs).
  const recorder = launch.accesses ? new SharedRecorder(launch.accesses) : null;
  wrapAtomics(post, launch.control, recorder);
  if (recorder !== null) installLockHooks(recorder);
  if (launch.useTsx) await registerTsx(compiler);
  // After tsx's hooks: the access transform then receives tsx's JavaScript.
  if (recorder !== null && !(await loadAccessTracking(recorder, launch, post))) return;
  // Before the thread's module: what it (and the packages it loads) keep of `fs` and the rest is wrapped.
  const channel = launch.io?.channel ?? ioChannel;
  const io = launch.io && channel ? await loadIo(launch.io, channel, post) : null;
  if (io === undefined) return;
  const fn = await loadThread(launch, post);
  if (fn === undefined) return;
  for (let current = state; ; current = await nextState()) {
    // Number the run's SharedArrayBuffers (its state is a fresh clone) and empty the ring.
    if (recorder !== null) recorder.startRun(current);
    io?.startRun();
    // Proceed only if the controller says so: when it rejects the run (an unknown marker, say) it
    // tears the thread down from here, and the function must not start meanwhile.
    if (!interlaceThreadReady(proceed)) return;
    const baseline = activeResources();
    try {
      await fn(current, ...launch.args);
      // What it left running (a promise chain, a timer) is still this run (quiet.mjs).
      const pending = await untilQuiet(baseline);
      post(pending.length === 0 ? { type: "returned" } : { type: "returned", pending });
    } catch (error) {
      post({ type: "threw", stack: formatError(error) });
    }
  }
}

/**
 * Installs the access transform and runtime (access-loader.mjs); reports a failure as the module's.
 * @param {SharedRecorder} recorder
 * @param {import("../protocol/messages.js").ThreadLaunch} launch
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 */
async function loadAccessTracking(recorder, launch, post) {
  try {
    await installAccessTracking(recorder, launch.tracePackages ?? []);
    return true;
  } catch (error) {
    post({ type: "load-failed", detail: `interlace could not load its access recorder (is dist/ built?):\n${formatError(error)}` });
    return false;
  }
}

/**
 * Installs the io hooks (io-hooks.mjs); reports a failure as the module's (undefined).
 * @param {{ gates: boolean, record: boolean }} io
 * @param {SharedArrayBuffer} channel
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 */
async function loadIo(io, channel, post) {
  try {
    return await installIo(io, channel);
  } catch (error) {
    post({ type: "load-failed", detail: `interlace could not install its io hooks (is dist/ built?):\n${formatError(error)}` });
    return undefined;
  }
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
