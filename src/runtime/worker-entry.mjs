// @ts-check
/**
 * Entry of a worker thread: wait until the controller has attached, then run the thread (again for
 * each "again" message: explorations reuse the worker) until the controller terminates the worker.
 * A worker must never exit on its own while the controller may still message its inspector:
 * Node 20 aborts the whole process (a CHECK in MainThreadInterface::Post) when
 * NodeWorker.sendMessageToWorker targets a worker that just exited.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runThread } from "./run-thread.mjs";

const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
await new Promise((resolve) => port.once("message", resolve));

/** @type {((state: unknown) => void) | null} */
let deliver = null;
/** @type {unknown[]} */
const queued = [];
const nextState = () =>
  new Promise((resolve) => {
    if (queued.length > 0) resolve(queued.shift());
    else deliver = resolve;
  });
port.on("message", (message) => {
  if (!message || message.type !== "again") return;
  if (deliver) {
    const d = deliver;
    deliver = null;
    d(message.state);
  } else queued.push(message.state);
});

await runThread(workerData.launch, workerData.state, (event) => port.postMessage(event), nextState, workerData.proceed, workerData.compiler);
