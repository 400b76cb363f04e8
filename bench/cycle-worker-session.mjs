// 1b. Bare in-process transport to a worker_thread: a main-thread node:inspector Session with the
// NodeWorker domain, CDP to the worker through NodeWorker.sendMessageToWorker. A breakpoint at the
// tick marker, one Debugger.resume per pause. Like any CDP client, every message is JSON-parsed.
import { Session } from "node:inspector";
import { Worker } from "node:worker_threads";
import { CycleClock } from "./lib/cycle-clock.mjs";
import { TICKER_URL, TICK_LINE, emit, intArg, watchdog } from "./lib/script.mjs";

const NAME = `bench-ticker-${process.pid}`;
const clock = new CycleClock({ warmup: intArg("warmup", 500), batches: intArg("batches", 5), batchSize: intArg("batch", 2000) });
const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

await post("NodeWorker.enable", { waitForDebuggerOnStart: false });
const attached = new Promise((resolve) => {
  session.on("NodeWorker.attachedToWorker", ({ params }) => {
    if (params.workerInfo.title.endsWith(NAME)) resolve(params.sessionId);
    else session.post("NodeWorker.detach", { sessionId: params.sessionId });
  });
});
const worker = new Worker(new URL("./targets/worker-target.mjs", import.meta.url), {
  name: NAME,
  workerData: { shared: { counter: new Int32Array(new SharedArrayBuffer(4)) } },
});
const disarm = watchdog(60_000, () => worker.terminate());
const sessionId = await attached;

// A minimal CDP client over the NodeWorker multiplex.
let nextId = 1;
let received = 0;
const pending = new Map();
let onPaused = () => {};
session.on("NodeWorker.receivedMessageFromWorker", ({ params }) => {
  if (params.sessionId !== sessionId) return;
  received += 1;
  const message = JSON.parse(params.message);
  if (message.id !== undefined) {
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  } else if (message.method === "Debugger.paused") {
    onPaused(message.params, params.message);
  }
});
const sendRaw = (method, params) => {
  const id = nextId++;
  session.post("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id, method, params }) });
  return id;
};
const call = (method, params) => new Promise((resolve) => pending.set(sendRaw(method, params), resolve));

let pausedBytes;
const finished = new Promise((resolve) => worker.once("message", resolve));
const lastPause = new Promise((resolve) => {
  onPaused = (params, raw) => {
    if (params.hitBreakpoints?.length) {
      pausedBytes ??= Buffer.byteLength(raw);
      if (clock.pause()) resolve();
    }
    sendRaw("Debugger.resume");
  };
});
await call("Debugger.enable");
await call("Debugger.setBreakpointByUrl", { url: TICKER_URL.href, lineNumber: TICK_LINE });
worker.postMessage({ iterations: clock.totalPauses });
await lastPause;
const { done } = await finished;

// The worker is alive (it waits on its port): detach, then terminate it.
await post("NodeWorker.detach", { sessionId });
await worker.terminate();
session.disconnect();
disarm();

const perCycle = (n) => n / clock.totalPauses;
emit({ usPerCycle: clock.usPerCycle(), samples: clock.samples, pausedBytes, inPerCycle: perCycle(received), outPerCycle: perCycle(nextId - 1), iterations: done });
