// @ts-check
/**
 * Module hooks registered in a thread isolate just before tsx's, so they run in the same loader
 * hooks thread. tsx compiles ES modules there with esbuild's async API, which starts a long-lived
 * esbuild process owned by that thread's event loop. When interlace terminates the worker, that
 * loop is gone before anyone reaps the process: it would stay a zombie child of the controller.
 * On request these hooks stop esbuild and wait until every process spawned in this thread has
 * exited (so this loop reaps it), then answer.
 */
import { subscribe } from "node:diagnostics_channel";

/** @type {Set<import("node:child_process").ChildProcess>} */
const spawned = new Set();

subscribe("child_process", (message) => {
  const child = /** @type {{ process: import("node:child_process").ChildProcess }} */ (message).process;
  spawned.add(child);
  child.once("exit", () => spawned.delete(child));
});

/** @param {{ port: import("node:worker_threads").MessagePort, esbuildUrl: string }} data */
export async function initialize({ port, esbuildUrl }) {
  port.on("message", async () => {
    const live = [...spawned];
    const exited = Promise.all(live.map((child) => new Promise((resolve) => child.once("exit", resolve))));
    try {
      const esbuild = await import(esbuildUrl);
      await esbuild.stop();
      await exited;
    } finally {
      port.postMessage("stopped");
    }
  });
  port.unref();
}
