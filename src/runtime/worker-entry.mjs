// @ts-check
/**
 * Entry of a worker thread: wait until the controller has attached, run the thread, then stay
 * alive until the controller terminates the worker (after a "shutdown" request, answered once the
 * TypeScript compiler's helper process is gone). A worker must never exit on its own while the
 * controller may still message its inspector: Node 20 aborts the whole process (a CHECK in
 * MainThreadInterface::Post) when NodeWorker.sendMessageToWorker targets a worker that just exited.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runThread } from "./run-thread.mjs";

const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
await new Promise((resolve) => port.once("message", resolve));
const stopCompiler = await runThread(workerData.launch, workerData.state, (event) => port.postMessage(event));
port.on("message", (message) => {
  if (message === "shutdown") stopCompiler().then(() => port.postMessage({ type: "shutdown-done" }));
});
