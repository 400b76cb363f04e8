// Child process for the bare fd-3 relay benchmark. It starts interlace's own agent worker
// (runtime/process-agent.mjs of the dist/ under test), which relays "C" frames between fd 3 and an
// inspector session on this thread, forwards the "S" start frame here and sends what this thread
// posts back as "R" frames.
import { Worker } from "node:worker_threads";
import { tick } from "./ticker.mjs";

const dist = process.env.INTERLACE_BENCH_DIST ?? new URL("../../dist/", import.meta.url).href;
const agent = new Worker(new URL("runtime/process-agent.mjs", dist), {
  execArgv: [],
  stdout: false,
  stderr: false,
});
const start = await new Promise((resolve) => agent.once("message", resolve));
agent.on("message", (message) => {
  if (message === "exit") process.exit(0);
});
const total = tick({}, start.iterations);
agent.postMessage({ type: "returned", total });
