// @ts-check
/**
 * Main thread of a child process thread. The agent worker owns the controller channel (fd 3) and
 * an inspector session on this thread, so it keeps answering while this thread is paused. The
 * first start frame carries the launch; each later one starts another run in this process.
 */
import { MessageChannel, Worker } from "node:worker_threads";
import { deserialize } from "node:v8";
import { createIoChannel } from "./io-channel.mjs";
import { runThread } from "./run-thread.mjs";

// The agent relays the controller's go-aheads for the ready point here (see run-thread.mjs).
const proceed = new MessageChannel();
// Where the io hooks (if the launch asks for them) record accesses; the agent reads it at each pause.
const ioChannel = createIoChannel();
const agent = new Worker(new URL("./process-agent.mjs", import.meta.url), {
  execArgv: [],
  stdout: false,
  stderr: false,
  workerData: { proceed: proceed.port2, ioChannel },
  transferList: [proceed.port2],
});
/** @type {((state: unknown) => void) | null} */
let deliver = null;
/** @type {unknown[]} */
const queued = [];
/** @type {(start: import("../protocol/messages.js").StartFrame) => void} */
let first = () => {};
/** @type {Promise<import("../protocol/messages.js").StartFrame>} */
const start = new Promise((resolve) => (first = resolve));
let started = false;
agent.on("message", (message) => {
  if (message === "exit") process.exit(0);
  /** @type {import("../protocol/messages.js").StartFrame} */
  const frame = message;
  if (!started) {
    started = true;
    first(frame);
    return;
  }
  const state = deserialize(Buffer.from(frame.state, "base64"));
  if (deliver) {
    const d = deliver;
    deliver = null;
    d(state);
  } else queued.push(state);
});
const frame = await start;
const nextState = () => new Promise((resolve) => (queued.length > 0 ? resolve(queued.shift()) : (deliver = resolve)));
await runThread(/** @type {import("../protocol/messages.js").ThreadLaunch} */ (frame.launch), deserialize(Buffer.from(frame.state, "base64")), (event) => agent.postMessage(event), nextState, proceed.port1, undefined, ioChannel);
