// @ts-check
/**
 * Main thread of a child process thread. The agent worker owns the controller channel (fd 3) and
 * an inspector session on this thread, so it keeps answering while this thread is paused.
 */
import { Worker } from "node:worker_threads";
import { deserialize } from "node:v8";
import { runThread } from "./run-thread.mjs";

const agent = new Worker(new URL("./process-agent.mjs", import.meta.url), { execArgv: [], stdout: false, stderr: false });
/** @type {import("../protocol/messages.js").StartFrame} */
const start = await new Promise((resolve) => agent.once("message", resolve));
agent.on("message", (message) => {
  if (message === "exit") process.exit(0);
});
const state = deserialize(Buffer.from(start.state, "base64"));
await runThread(start.launch, state, (event) => agent.postMessage(event));
