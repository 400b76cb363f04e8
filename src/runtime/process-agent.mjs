// @ts-check
/**
 * Agent worker inside a child process: relays CDP between the controller (over the inherited
 * fd 3, a Unix socketpair) and an inspector session on the child's main thread, and forwards
 * runner events. No TCP port is opened. If the controller goes away, the child ends itself.
 */
import { Session } from "node:inspector";
import { Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { drainIoChannel } from "./io-channel.mjs";
import { LineReader } from "./line-reader.mjs";

const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
const session = new Session();
session.connectToMainThread();
const channel = new Socket({ fd: 3, readable: true, writable: true });
channel.setEncoding("utf8");

/** Sends the accesses the io hooks recorded since the last call (the main thread is paused or done). */
function sendAccesses() {
  const { accesses, dropped } = drainIoChannel(workerData.ioChannel);
  if (accesses.length > 0 || dropped > 0) channel.write(`A${JSON.stringify({ accesses, dropped })}\n`);
}

session.on("inspectorNotification", (notification) => {
  // The accesses of the step that ends at this pause go first.
  if (notification.method === "Debugger.paused") sendAccesses();
  channel.write(`C${JSON.stringify(notification)}\n`);
});

const reader = new LineReader((line) => {
  const kind = line[0];
  const body = line.slice(1);
  if (kind === "C") {
    const { id, method, params } = JSON.parse(body);
    session.post(method, params, (error, result) => {
      const reply = error ? { id, error: { code: -32000, message: error.message } } : { id, result };
      channel.write(`C${JSON.stringify(reply)}\n`);
    });
  } else if (kind === "P") {
    // Before the resume that follows on this channel: the main thread finds it when it resumes.
    workerData.proceed.postMessage(true);
  } else if (kind === "S") {
    port.postMessage(JSON.parse(body));
  }
});
channel.on("data", (chunk) => reader.push(String(chunk)));

port.on("message", (event) => {
  // The last step's accesses (after the thread's last pause), before its end.
  if (event !== "exit") sendAccesses();
  channel.write(`R${JSON.stringify(event)}\n`);
});

function shutdown() {
  try {
    session.disconnect();
  } catch {}
  port.postMessage("exit");
  // The main thread may be stuck in user code: do not outlive the controller for long.
  setTimeout(() => process.kill(process.pid, "SIGKILL"), 1000);
}
channel.on("close", shutdown);
channel.on("error", () => {});
