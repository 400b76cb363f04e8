// @ts-check
/**
 * Isolate side of every worker and process thread: load the module, stop at the ready point so
 * the controller can arm markers, call the export, report how it ended.
 */
import { createRequire, register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, sep } from "node:path";
import { MessageChannel } from "node:worker_threads";

const RUNTIME_DIR = dirname(fileURLToPath(import.meta.url)) + sep;
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis;
const STOP_COMPILER_LIMIT_MS = 2000;

/** Resolves at once: nothing to stop when the thread did not load tsx. */
const nothingToStop = () => Promise.resolve();

/**
 * Runs the thread; resolves, once the function ended (or never started), with a function that
 * stops the TypeScript compiler's helper process, to call before the isolate is torn down.
 *
 * @param {import("../protocol/messages.js").ThreadLaunch} launch
 * @param {unknown} state
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 * @returns {Promise<() => Promise<void>>}
 */
export async function runThread(launch, state, post) {
  process.setSourceMapsEnabled(true);
  const stopCompiler = launch.useTsx ? await registerTsx() : nothingToStop;
  await callThread(launch, state, post);
  return stopCompiler;
}

/**
 * @param {import("../protocol/messages.js").ThreadLaunch} launch
 * @param {unknown} state
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 */
async function callThread(launch, state, post) {
  /** @type {Record<string, unknown>} */
  let mod;
  try {
    mod = await import(launch.moduleUrl);
  } catch (error) {
    post({ type: "load-failed", detail: formatError(error) });
    return;
  }
  const fn = pickExport(mod, launch.exportName);
  if (typeof fn !== "function") {
    post({ type: "export-missing", available: listExports(mod) });
    return;
  }
  // Proceed only if the controller says so: when it rejects the run (an unknown marker, say) it
  // tears the thread down from here, and the function must not start meanwhile.
  if (!interlaceThreadReady()) return;
  try {
    await fn(state, ...launch.args);
  } catch (error) {
    post({ type: "threw", stack: formatError(error) });
    return;
  }
  post({ type: "returned" });
}

/**
 * The ready point: the controller arms markers while the thread is paused here, and sets
 * `proceed` to true in this frame when the schedule lets the thread start.
 */
function interlaceThreadReady() {
  let proceed = false;
  // eslint-disable-next-line no-debugger
  debugger;
  return proceed;
}

/**
 * Registers tsx's ESM and CJS hooks, preceded by interlace's compiler hooks (tsx-compiler.mjs).
 * @returns {Promise<() => Promise<void>>} stops the compiler's helper process
 */
async function registerTsx() {
  const { port1, port2 } = new MessageChannel();
  const tsxApi = fileURLToPath(import.meta.resolve("tsx/esm/api"));
  const esbuildUrl = pathToFileURL(createRequire(tsxApi).resolve("esbuild")).href;
  register(new URL("./tsx-compiler.mjs", import.meta.url), { data: { port: port2, esbuildUrl }, transferList: [port2] });
  const [esm, cjs] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]);
  esm.register();
  cjs.register();
  port1.unref();
  return () =>
    new Promise((resolve) => {
      const timer = realSetTimeout(resolve, STOP_COMPILER_LIMIT_MS);
      port1.once("message", () => {
        realClearTimeout(timer);
        resolve(undefined);
      });
      port1.postMessage("stop");
    });
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
