// Worker thread for the bare NodeWorker benchmark. Ticks when told to, then stays alive until the
// controller terminates it: Node 20 aborts the whole process when NodeWorker.sendMessageToWorker
// targets a worker that has exited, so the worker must not end on its own.
import { parentPort, workerData } from "node:worker_threads";
import { tick } from "./ticker.mjs";

const { iterations } = await new Promise((resolve) => parentPort.once("message", resolve));
const total = tick(workerData.shared, iterations);
parentPort.postMessage({ done: total });
parentPort.on("message", () => {});
