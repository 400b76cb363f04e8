// @ts-check
/**
 * Registers tsx's ESM and CJS hooks in this thread, preceded (in workers) by interlace's compiler
 * hooks (tsx-compiler.mjs), through which the controller stops tsx's esbuild on `compiler` before
 * it terminates the worker. Used by worker/process threads (run-thread.mjs) and by the task host
 * of `interlace debug` (debug/task-host/host.ts).
 */
import { createRequire, register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** @param {import("node:worker_threads").MessagePort} [compiler] */
export async function registerTsx(compiler) {
  if (compiler) {
    const tsxApi = fileURLToPath(import.meta.resolve("tsx/esm/api"));
    const esbuildUrl = pathToFileURL(createRequire(tsxApi).resolve("esbuild")).href;
    register(new URL("./tsx-compiler.mjs", import.meta.url), { data: { port: compiler, esbuildUrl }, transferList: [compiler] });
  }
  const [esm, cjs] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]);
  esm.register();
  cjs.register();
}
